//! Real monorepos (issue 8, and every false positive the real-repo corpus found): each case with
//! the valid twin that must stay silent, or the broken twin that must still be reported.

use crate::common::*;

use crate::common::{check_findings as findings, finding as f};

fn imports(r: &Repo) -> Vec<(String, String, String)> {
    findings(r, &["--all-findings"])
        .into_iter()
        .filter(|(rule, _, _)| rule.starts_with("imports/"))
        .collect()
}

/// Defect 1's reproduction: a shared tsconfig package (`tsconfig/nextjs.json`, not named
/// tsconfig*) with an `include` that does not cover the app.
fn shared_tsconfig_repo() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
    );
    r.write(
        "packages/tsconfig/package.json",
        r#"{ "name": "tsconfig", "version": "0.0.0" }"#,
    );
    r.write(
        "packages/tsconfig/nextjs.json",
        r#"{ "compilerOptions": { "jsx": "preserve" }, "include": ["src"] }"#,
    );
    r.write(
        "apps/web/tsconfig.json",
        r#"{ "extends": "tsconfig/nextjs.json", "compilerOptions": { "baseUrl": ".", "paths": { "@/ui/*": ["ui/*"] }, "moduleResolution": "bundler" } }"#,
    );
    r.write(
        "apps/web/package.json",
        r#"{ "name": "web", "dependencies": { "tsconfig": "workspace:*" } }"#,
    );
    r.write("apps/web/ui/analytics/index.tsx", "export const A = 1;\n");
    r.write(
        "apps/web/app/page.tsx",
        "import { A } from \"@/ui/analytics\";\nexport default A;\n",
    );
    r.git(&["add", "-A"]).ok();
    r
}

#[test]
fn include_of_an_extended_config_does_not_disable_paths() {
    let r = shared_tsconfig_repo();
    assert_eq!(imports(&r), vec![]);
    // The broken twin: an alias that names nothing is still reported.
    r.write(
        "apps/web/app/other.tsx",
        "import { B } from \"@/ui/nothing\";\nexport default B;\n",
    );
    r.add(&["apps/web/app/other.tsx"]);
    assert_eq!(
        imports(&r),
        vec![f("imports/unresolved", "apps/web/app/other.tsx", "@/ui/nothing")]
    );
}

#[test]
fn an_extended_config_of_any_name_is_part_of_the_cache_key() {
    let r = shared_tsconfig_repo();
    r.write(
        "packages/tsconfig/nextjs.json",
        r#"{ "compilerOptions": { "jsx": "preserve", "paths": { "@/ui/*": ["../../apps/web/ui/*"] } } }"#,
    );
    r.write(
        "apps/web/tsconfig.json",
        r#"{ "extends": "tsconfig/nextjs.json", "compilerOptions": { "moduleResolution": "bundler" } }"#,
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(imports(&r), vec![], "warm the cache");
    assert_eq!(imports(&r), vec![], "warm");
    // Edit only the base (not named tsconfig*): the alias now points elsewhere.
    r.write(
        "packages/tsconfig/nextjs.json",
        r#"{ "compilerOptions": { "jsx": "preserve", "paths": { "@/ui/*": ["../../apps/web/components/*"] } } }"#,
    );
    r.add(&["packages/tsconfig/nextjs.json"]);
    let warm = imports(&r);
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    let cold = imports(&r);
    assert_eq!(warm, cold, "a warm run equals a cold one");
    assert_eq!(
        cold,
        vec![f("imports/unresolved", "apps/web/app/page.tsx", "@/ui/analytics")]
    );
    // And the hook sees it: the base change alone is a commit that breaks an import.
    r.git(&["commit", "-q", "--no-verify", "-m", "x"]).ok();
    r.write(
        "packages/tsconfig/nextjs.json",
        r#"{ "compilerOptions": { "jsx": "preserve", "paths": { "@/ui/*": ["../../apps/web/ui/*"] } } }"#,
    );
    r.add(&["packages/tsconfig/nextjs.json"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "fixed"]).ok();
    r.hookctl(&["install"]).ok();
    r.write(
        "packages/tsconfig/nextjs.json",
        r#"{ "compilerOptions": { "jsx": "preserve", "paths": { "@/ui/*": ["../../apps/web/elsewhere/*"] } } }"#,
    );
    r.add(&["packages/tsconfig/nextjs.json"]);
    let run = r.commit(&["-m", "move the alias"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(
        r,
        "monorepo_an_extended_config_of_any_name_is_part_of_the_cache_key",
        run
    );
}

#[test]
fn retargeting_a_symlink_invalidates_cached_verdicts_and_rechecks_importers() {
    let r = Repo::new();
    r.write("lib/util.ts", "export const u = 1;\n");
    r.write("other/nothing.ts", "export const n = 1;\n");
    std::os::unix::fs::symlink("../lib", r.path("src/libl")).ok();
    std::fs::create_dir_all(r.path("src")).unwrap();
    let _ = std::fs::remove_file(r.path("src/libl"));
    std::os::unix::fs::symlink("../lib", r.path("src/libl")).unwrap();
    r.write(
        "src/main.ts",
        "import { u } from './libl/util';\nexport default u;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(imports(&r), vec![], "cold");
    assert_eq!(imports(&r), vec![], "warm");
    std::fs::remove_file(r.path("src/libl")).unwrap();
    std::os::unix::fs::symlink("../other", r.path("src/libl")).unwrap();
    r.add(&["src/libl"]);
    let warm = imports(&r);
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    assert_eq!(warm, imports(&r), "warm equals cold");
    assert_eq!(warm, vec![f("imports/unresolved", "src/main.ts", "./libl/util")]);
    // The hook: a commit that only retargets the link is checked.
    std::fs::remove_file(r.path("src/libl")).unwrap();
    std::os::unix::fs::symlink("../lib", r.path("src/libl")).unwrap();
    r.add(&["src/libl"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "ok"]).ok();
    r.hookctl(&["install"]).ok();
    std::fs::remove_file(r.path("src/libl")).unwrap();
    std::os::unix::fs::symlink("../other", r.path("src/libl")).unwrap();
    r.add(&["src/libl"]);
    let run = r.commit(&["-m", "retarget"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(
        r,
        "monorepo_retargeting_a_symlink_invalidates_cached_verdicts_and_rechecks_importers",
        run
    );
}

#[test]
fn generated_code_through_a_workspace_package_or_root_dirs_is_silent() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
    );
    r.write(".gitignore", "packages/db/generated/\n.react-router/\n");
    r.write(
        "packages/db/package.json",
        r#"{ "name": "@acme/db", "version": "1.0.0" }"#,
    );
    r.write("packages/db/index.ts", "export const db = 1;\n");
    r.write(
        "apps/web/package.json",
        r#"{ "name": "web", "dependencies": { "@acme/db": "workspace:*" } }"#,
    );
    r.write(
        "apps/web/tsconfig.json",
        r#"{ "compilerOptions": { "moduleResolution": "bundler", "rootDirs": [".", "./.react-router/types"] } }"#,
    );
    r.write(
        "apps/web/app/routes/home.tsx",
        "import type { X } from \"@acme/db/generated/types\";\nimport type { Route } from \"./+types/home\";\nexport type T = [X, Route];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(imports(&r), vec![]);
    // Twins: a path of the same package outside the generated folder is still unresolved, and
    // so is a relative file that is not typegen.
    r.write(
        "apps/web/app/routes/about.tsx",
        "import type { X } from \"@acme/db/missing/types\";\nimport { y } from \"./+typo/about\";\nexport type T = [X, typeof y];\n",
    );
    r.add(&["apps/web/app/routes/about.tsx"]);
    assert_eq!(
        imports(&r),
        vec![
            f(
                "imports/unresolved",
                "apps/web/app/routes/about.tsx",
                "@acme/db/missing/types"
            ),
            f(
                "imports/unresolved",
                "apps/web/app/routes/about.tsx",
                "./+typo/about"
            ),
        ]
    );
}

#[test]
fn a_base_config_that_is_not_installed_leaves_its_aliases_unchecked_once_per_scope() {
    let r = Repo::new();
    r.write(
        "website/package.json",
        r#"{ "name": "website", "dependencies": { "@docusaurus/core": "3.0.0" } }"#,
    );
    r.write("website/pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    r.write(
        "website/tsconfig.json",
        r#"{ "extends": "@tsconfig/docusaurus/tsconfig.json", "compilerOptions": { "baseUrl": "." } }"#,
    );
    r.write(
        "website/src/pages/index.tsx",
        "import Layout from \"@theme/Layout\";\nimport Hero from \"@site/src/Hero\";\nimport { x } from \"./missing\";\nexport default [Layout, Hero, x];\n",
    );
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check", "--all-findings"]);
    cmd_snapshot!(
        r,
        "monorepo_a_base_config_that_is_not_installed_leaves_its_aliases_unchecked_once_per_scope",
        run
    );
    // The relative twin is a file of the repository: still reported.
    assert_eq!(
        imports(&r),
        vec![f(
            "imports/unresolved",
            "website/src/pages/index.tsx",
            "./missing"
        )]
    );
}

#[test]
fn an_ambient_module_declaration_satisfies_a_bare_import_never_a_relative_file() {
    let r = Repo::new();
    r.write("package.json", r#"{ "name": "app" }"#);
    r.write(
        "types/virtual.d.ts",
        "declare module \"my-virtual\" {\n  export const v: number;\n}\ndeclare module \"*.svg\";\n",
    );
    r.write(
        "src/a.ts",
        "import { v } from \"my-virtual\";\nimport logo from \"./missing.svg\";\nimport { w } from \"other-virtual\";\nexport default [v, logo, w];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        imports(&r),
        vec![
            f("imports/unresolved", "src/a.ts", "./missing.svg"),
            f("imports/undeclared-dependency", "src/a.ts", "other-virtual"),
        ]
    );
}

#[test]
fn paths_fall_back_to_declared_packages_and_pnpm_package_links() {
    // modelcontextprotocol/typescript-sdk: `"*": ["./*"]` and paths through a package's own
    // node_modules link to a workspace dependency.
    let r = Repo::new();
    r.write("package.json", r#"{ "name": "root", "private": true }"#);
    r.write("pnpm-workspace.yaml", "packages:\n  - packages/*\n");
    r.write(
        "packages/helpers/package.json",
        r#"{ "name": "@acme/helpers", "exports": { ".": "./dist/index.js" } }"#,
    );
    r.write("packages/helpers/src/index.ts", "export const h = 1;\n");
    r.write(
        "packages/client/package.json",
        r#"{ "name": "@acme/client", "dependencies": { "@acme/helpers": "workspace:^", "zod": "^4" } }"#,
    );
    r.write(
        "packages/client/tsconfig.json",
        r#"{ "compilerOptions": { "moduleResolution": "bundler", "paths": { "*": ["./*"], "@acme/helpers": ["./node_modules/@acme/helpers/src/index.ts"] } } }"#,
    );
    r.write(
        "packages/client/src/a.ts",
        "import { z } from \"zod/v4\";\nimport { h } from \"@acme/helpers\";\nimport { q } from \"not-declared\";\nexport default [z, h, q];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        imports(&r),
        vec![f(
            "imports/unresolved",
            "packages/client/src/a.ts",
            "not-declared"
        )]
    );
    let resolved = r.hookctl(&["resolve"]).ok().stdout.clone();
    assert!(
        resolved.contains(r#""specifier":"@acme/helpers","line":2,"kind":"Static","type_only":false,"verdict":"file","target":"packages/helpers/src/index.ts""#),
        "{resolved}"
    );
}

#[test]
fn a_missing_types_export_falls_back_to_the_source_condition() {
    // t3-oss/create-t3-turbo: `"types": "./dist/index.d.ts", "default": "./src/index.ts"`.
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["packages/*", "apps/*"] }"#,
    );
    r.write(
        "packages/api/package.json",
        r#"{ "name": "@acme/api", "exports": { ".": { "types": "./dist/index.d.ts", "default": "./src/index.ts" } } }"#,
    );
    r.write("packages/api/src/index.ts", "export const api = 1;\n");
    r.write(
        "apps/web/package.json",
        r#"{ "name": "web", "dependencies": { "@acme/api": "workspace:*" } }"#,
    );
    r.write(
        "apps/web/a.ts",
        "import { api } from \"@acme/api\";\nexport default api;\n",
    );
    r.git(&["add", "-A"]).ok();
    let resolved = r.hookctl(&["resolve"]).ok().stdout.clone();
    assert!(
        resolved.contains(r#""verdict":"file","target":"packages/api/src/index.ts""#),
        "{resolved}"
    );
    assert_eq!(imports(&r), vec![]);
    // Twin: when no condition's target is there (and none is build output), it is reported.
    r.write(
        "packages/api/package.json",
        r#"{ "name": "@acme/api", "exports": { ".": { "types": "./types/index.d.ts", "default": "./lib/index.ts" } } }"#,
    );
    r.add(&["packages/api/package.json"]);
    assert_eq!(
        imports(&r),
        vec![f("imports/unresolved", "apps/web/a.ts", "@acme/api")]
    );
}

#[test]
fn a_ts_extension_specifier_finds_its_declaration_file() {
    // sveltejs/kit: `import "./helper.ts"` in a `.d.ts` next to `helper.d.ts`.
    let r = Repo::new();
    r.write("expected/helper.d.ts", "export declare const h: number;\n");
    r.write(
        "expected/index.d.ts",
        "export { h } from './helper.ts';\nexport { g } from './gone.ts';\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        imports(&r),
        vec![f("imports/unresolved", "expected/index.d.ts", "./gone.ts")]
    );
}

#[test]
fn hoisting_package_managers_resolve_what_any_workspace_package_declares() {
    // excalidraw (yarn 1): `clsx` declared by a sibling package is hoisted to the root.
    let setup = |lockfile: &str| {
        let r = Repo::new();
        r.write(
            "package.json",
            r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
        );
        r.write(lockfile, "\n");
        r.write(
            "packages/ui/package.json",
            r#"{ "name": "ui", "dependencies": { "clsx": "2.0.0" } }"#,
        );
        r.write("packages/app/package.json", r#"{ "name": "app" }"#);
        r.write(
            "packages/app/a.ts",
            "import clsx from \"clsx\";\nexport default clsx;\n",
        );
        r.git(&["add", "-A"]).ok();
        r
    };
    assert_eq!(imports(&setup("yarn.lock")), vec![]);
    assert_eq!(imports(&setup("package-lock.json")), vec![]);
    // pnpm isolates packages: the same import is undeclared there.
    assert_eq!(
        imports(&setup("pnpm-lock.yaml")),
        vec![f("imports/undeclared-dependency", "packages/app/a.ts", "clsx")]
    );
}

#[test]
fn framework_provided_virtual_and_placeholder_modules_are_not_reported() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "app", "dependencies": { "next": "15.0.0", "@sveltejs/kit": "2.0.0" }, "devDependencies": { "vitepress": "1.0.0" } }"#,
    );
    r.write(
        "src/a.ts",
        "import \"server-only\";\nimport { enhance } from \"$app/forms\";\nimport { SECRET } from \"$env/static/private\";\nimport { Server } from \"SERVER\";\nimport { h } from \"vue\";\nexport default [enhance, SECRET, Server, h];\n",
    );
    r.write(
        "deno/deno.json",
        r#"{ "imports": { "std/": "https://deno.land/std@0.192.0/", "zod": "npm:zod", "@std/http": "jsr:@std/http@1" } }"#,
    );
    r.write("deno/main.ts", "import { delay } from \"std/async/delay.ts\";\nimport { z } from \"zod\";\nimport { serveDir } from \"@std/http/file-server\";\nexport default [delay, z, serveDir];\n");
    r.write(
        "src/routes/+page.server.ts",
        "import type { PageServerLoad } from \"./$types\";\nexport const load: PageServerLoad = () => ({});\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(imports(&r), vec![]);
    // Twins: `server-only` without Next.js, a lowercase unknown package.
    r.write("package.json", r#"{ "name": "app" }"#);
    r.write("src/b.ts", "import \"server-only\";\nimport \"leftpad\";\n");
    r.git(&["add", "-A"]).ok();
    let found = imports(&r);
    assert!(
        found.contains(&f("imports/undeclared-dependency", "src/b.ts", "server-only")),
        "{found:?}"
    );
    assert!(
        found.contains(&f("imports/undeclared-dependency", "src/b.ts", "leftpad")),
        "{found:?}"
    );
}

#[test]
fn a_solution_style_config_resolves_through_the_referenced_project_that_includes_the_file() {
    // React Router templates: `tsconfig.json` has `files: []` and references; `~/*` lives in
    // `tsconfig.vite.json`, which includes `app/**/*`.
    let r = Repo::new();
    r.write(
        "tsconfig.json",
        r#"{ "files": [], "references": [{ "path": "./tsconfig.node.json" }, { "path": "./tsconfig.vite.json" }] }"#,
    );
    r.write("tsconfig.node.json", r#"{ "extends": "./tsconfig.json", "include": ["server.js"], "compilerOptions": { "moduleResolution": "bundler" } }"#);
    r.write(
        "tsconfig.vite.json",
        r#"{ "extends": "./tsconfig.json", "include": ["app/**/*"], "compilerOptions": { "moduleResolution": "bundler", "paths": { "~/*": ["./app/*"] } } }"#,
    );
    r.write("app/context.ts", "export const c = 1;\n");
    r.write(
        "app/routes/home.tsx",
        "import { c } from \"~/context\";\nimport { d } from \"~/nothing\";\nexport default [c, d];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        imports(&r),
        vec![f("imports/unresolved", "app/routes/home.tsx", "~/nothing")]
    );
}

#[test]
fn an_ignored_file_that_is_not_there_is_build_output_and_never_cached_as_clean() {
    // trpc's next-big-router: `postinstall` codegen writes the git-ignored `src/server/routers`.
    let r = Repo::new();
    r.write("package.json", r#"{ "name": "app" }"#);
    r.write(".gitignore", "src/server/routers\n");
    r.write(
        "tsconfig.json",
        r#"{ "compilerOptions": { "moduleResolution": "bundler", "paths": { "~/*": ["./src/*"] } } }"#,
    );
    r.write(
        "src/utils/trpc.ts",
        "import type { AppRouter } from \"~/server/routers/_app\";\nimport { x } from \"../missing\";\nexport type A = [AppRouter, typeof x];\n",
    );
    r.git(&["add", "-A"]).ok();
    // Absent and ignored: silent; absent and not ignored: unresolved.
    assert_eq!(
        imports(&r),
        vec![f("imports/unresolved", "src/utils/trpc.ts", "../missing")]
    );
    // Once the generator has run, the file is on disk and ignored: that is a finding (it is not
    // in the commit), and the run before it must not have cached the file as clean.
    r.write("src/missing.ts", "export const x = 1;\n");
    r.add(&["src/missing.ts"]);
    assert_eq!(imports(&r), vec![], "warm the cache with a clean run");
    r.write("src/server/routers/_app.ts", "export type AppRouter = 1;\n");
    let warm = imports(&r);
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    assert_eq!(warm, imports(&r), "warm equals cold");
    assert_eq!(
        warm,
        vec![f(
            "imports/untracked",
            "src/utils/trpc.ts",
            "~/server/routers/_app"
        )]
    );
}

#[test]
fn custom_conditions_and_esm_conditions_pick_the_export_typescript_picks() {
    // colinhacks/zod: `"@zod/source": "./src/index.ts"` under `customConditions`; apollo-server:
    // nested `types: { require, default }`, where an ESM import takes `default`.
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
    );
    r.write(
        "packages/zod/package.json",
        r#"{ "name": "zod", "type": "module", "exports": { ".": { "@zod/source": "./src/index.ts", "types": "./index.d.cts", "import": "./index.js" } } }"#,
    );
    r.write("packages/zod/src/index.ts", "export const z = 1;\n");
    r.write(
        "packages/proto/package.json",
        r#"{ "name": "proto", "type": "module", "exports": { ".": { "types": { "require": "./cjs/p.d.ts", "default": "./esm/p.d.ts" }, "import": "./esm/p.js" } } }"#,
    );
    r.write("packages/proto/cjs/p.d.ts", "export declare const p: number;\n");
    r.write("packages/proto/esm/p.d.ts", "export declare const p: number;\n");
    r.write(
        "packages/app/package.json",
        r#"{ "name": "app", "type": "module", "dependencies": { "zod": "workspace:*", "proto": "workspace:*" } }"#,
    );
    r.write(
        "packages/app/tsconfig.json",
        r#"{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext", "customConditions": ["@zod/source"] } }"#,
    );
    r.write(
        "packages/app/a.ts",
        "import { z } from \"zod\";\nimport { p } from \"proto\";\nexport default [z, p];\n",
    );
    r.git(&["add", "-A"]).ok();
    let resolved = r.hookctl(&["resolve"]).ok().stdout.clone();
    assert!(resolved.contains(r#""specifier":"zod","line":1,"kind":"Static","type_only":false,"verdict":"file","target":"packages/zod/src/index.ts""#), "{resolved}");
    assert!(
        resolved.contains(r#""target":"packages/proto/esm/p.d.ts""#),
        "{resolved}"
    );
    assert_eq!(imports(&r), vec![]);
}

#[test]
fn a_workspace_packages_rules_apply_to_its_files_only() {
    // Issue 11 (5): the nearest config wins for `[rules]`; a folder that is not a workspace
    // package adds nothing.
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
    );
    r.write("packages/legacy/package.json", r#"{ "name": "legacy" }"#);
    r.write(
        "packages/legacy/hookctl.toml",
        "[rules]\n\"imports/unresolved\" = \"warning\"\n",
    );
    r.write(
        "packages/legacy/a.ts",
        "import { x } from './gone';\nexport default x;\n",
    );
    r.write("packages/app/package.json", r#"{ "name": "app" }"#);
    r.write(
        "packages/app/a.ts",
        "import { x } from './gone';\nexport default x;\n",
    );
    r.write(
        "examples/demo/hookctl.toml",
        "[rules]\n\"imports/unresolved\" = \"off\"\n",
    );
    r.write(
        "examples/demo/a.ts",
        "import { x } from './gone';\nexport default x;\n",
    );
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check", "--all-findings", "--format", "json"]);
    let json = run.json();
    let severity = |path: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == path)
            .map(|f| f["severity"].as_str().unwrap().to_string())
    };
    assert_eq!(
        severity("packages/legacy/a.ts").as_deref(),
        Some("warning"),
        "{}",
        run.all()
    );
    assert_eq!(severity("packages/app/a.ts").as_deref(), Some("error"));
    assert_eq!(severity("examples/demo/a.ts").as_deref(), Some("error"));
    // Only the warning left: the check passes.
    r.remove("packages/app/a.ts");
    r.remove("examples/demo/a.ts");
    r.git(&["add", "-A"]).ok();
    r.hookctl(&["check", "--all-findings"]).code(0);
}

/// From jestjs/jest (real-repo corpus): a package's `bin/` requiring `..` whose `main` is build
/// output, a virtual jest mock, `require.resolve` with `paths`, an absolute mock path, and a
/// package committed in a fixture's `node_modules` are all correct code; a relative import of a
/// missing file beside them is still reported.
#[test]
fn jest_style_test_code_is_silent_and_a_missing_file_still_reported() {
    let r = Repo::new();
    r.write(".gitignore", "/packages/*/build/\n")
        .write(
            "package.json",
            r#"{ "name": "root", "private": true, "workspaces": ["packages/*"] }"#,
        )
        .write(
            "packages/cli/package.json",
            r#"{ "name": "cli", "main": "./build/index.js", "bin": "./bin/cli.js" }"#,
        )
        .write("packages/cli/src/index.ts", "export const run = () => 1;\n")
        .write("packages/cli/bin/cli.js", "require('..').run();\n")
        .write(
            "packages/cli/src/__tests__/run.test.js",
            "jest.mock('../my-fancy-worker', () => ({}), {virtual: true});\n\
             jest.mock('/custom-reporter.js', () => ({}), {virtual: true});\n\
             require.resolve('./mod.js', {paths: ['../dir']});\n\
             require('/abs/mapped');\n",
        )
        .write(
            "fixtures/esm/node_modules/fake-dep/package.json",
            r#"{ "name": "fake-dep", "main": "main.js" }"#,
        )
        .write(
            "fixtures/esm/node_modules/fake-dep/main.js",
            "module.exports = 1;\n",
        )
        .write(
            "fixtures/esm/test.mjs",
            "import dep from 'fake-dep';\nexport default dep;\n",
        )
        .commit_all("jest-like");
    assert_eq!(imports(&r), vec![]);
    r.write("packages/cli/src/__tests__/gone.test.js", "require('../gone');\n")
        .commit_all("gone");
    assert_eq!(
        imports(&r),
        vec![f(
            "imports/unresolved",
            "packages/cli/src/__tests__/gone.test.js",
            "../gone"
        )]
    );
}

/// From midday-ai/midday and documenso/documenso (real-repo corpus): `.env-template` /
/// `.env-example` declare like `.env.example` (and their values are examples, not committed
/// secrets); `bun` is Bun's built-in module; an elided sample key and a local database URL in
/// the docs, and a public feature flag with PASSWORD in its name, are no secrets. The same
/// read without any declaration is still reported.
#[test]
fn midday_and_documenso_shapes_are_silent() {
    let r = Repo::new();
    let key_header = ["-----BEGIN RSA ", "PRIVATE KEY-----"].concat();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["apps/*"], "packageManager": "bun@1.2.0" }"#,
    )
    .write("apps/api/package.json", r#"{ "name": "api" }"#)
    .write(
        "apps/api/.env-template",
        "DATABASE_URL=\nWEBHOOK_SECRET_KEY=6c3e9f0a-51b2-4d7e-9a88-2f4b7c1d0e93\n",
    )
    .write(
        "apps/api/src/index.ts",
        "import { serve } from \"bun\";\nserve({ fetch: () => new Response(process.env.DATABASE_URL) });\n",
    )
    .write(
        "apps/api/.env.example",
        "NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP=\n",
    )
    .write(
        "docs/storage.mdx",
        format!(
            "```\nKEY_CONTENTS=\"{key_header}\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\"\n```\n\n\
             ```\npostgresql://documenso:p%40ss%23word@localhost:5432/documenso\n```\n"
        ),
    )
    .commit_all("shapes");
    assert_eq!(findings(&r, &["--all-findings"]), vec![]);
    r.write(
        "apps/api/src/other.ts",
        "export const x = process.env.NOT_DECLARED_ANYWHERE;\n",
    )
    .commit_all("undeclared");
    assert_eq!(
        findings(&r, &["--all-findings"]),
        vec![f(
            "env/undeclared",
            "apps/api/src/other.ts",
            "NOT_DECLARED_ANYWHERE"
        )]
    );
}
