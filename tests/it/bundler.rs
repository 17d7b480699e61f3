//! What the bundler is told (issue 19 §2–§3), one table: each shape as a real repository checked
//! by the real binary, with its valid twin (silent) and a twin that is still reported: an error
//! where the deploy certainly breaks (an alias whose target is untracked or missing, a valid
//! package name nobody declares, an env name no config defines), an `imports/unknown-specifier`
//! warning where only a bundler plugin could provide it (`~icons/…` without unplugin-icons,
//! `#imports` without Nuxt). The whole table's findings are one snapshot.

use crate::common::*;
use std::fmt::Write as _;

struct Case {
    name: &'static str,
    files: &'static [(&'static str, &'static str)],
    /// Written after the commit: on disk, not in the snapshot.
    untracked: &'static [(&'static str, &'static str)],
}

const VITE_PKG: &str = r#"{"name": "web", "devDependencies": {"vite": "5"}}"#;

const CASES: &[Case] = &[
    // Vite `resolve.alias`, object form with `path.resolve(__dirname, …)`.
    Case {
        name: "vite alias object",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.ts",
                "import path from 'node:path'\nimport { defineConfig } from 'vite'\nexport default defineConfig({\n  resolve: { alias: { '@helpers': path.resolve(__dirname, './src/helpers') } },\n})\n",
            ),
            (
                "src/main.ts",
                "import { gql } from '@helpers/backend/gql'\nconsole.log(gql)\n",
            ),
            ("src/helpers/backend/gql.ts", "export const gql = 1\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "vite alias object, target untracked",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.ts",
                "import path from 'node:path'\nimport { defineConfig } from 'vite'\nexport default defineConfig({\n  resolve: { alias: { '@helpers': path.resolve(__dirname, './src/helpers') } },\n})\n",
            ),
            (
                "src/main.ts",
                "import { gql } from '@helpers/backend/gql'\nconsole.log(gql)\n",
            ),
        ],
        untracked: &[("src/helpers/backend/gql.ts", "export const gql = 1\n")],
    },
    // Array form, a regex `find`, `fileURLToPath(new URL(…, import.meta.url))`.
    Case {
        name: "vite alias array with a regex find",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.mjs",
                "import { fileURLToPath, URL } from 'node:url'\nconst src = fileURLToPath(new URL('./src', import.meta.url))\nexport default {\n  resolve: { alias: [\n    { find: /^~\\/(.*)$/, replacement: `${src}/$1` },\n    { find: '@', replacement: src },\n  ] },\n}\n",
            ),
            (
                "src/main.ts",
                "import a from '~/lib/a'\nimport b from '@/lib/b'\nconsole.log(a, b)\n",
            ),
            ("src/lib/a.ts", "export default 1\n"),
            ("src/lib/b.ts", "export default 2\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "vite alias array with a regex find, target missing",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.mjs",
                "import { fileURLToPath, URL } from 'node:url'\nconst src = fileURLToPath(new URL('./src', import.meta.url))\nexport default {\n  resolve: { alias: [\n    { find: /^~\\/(.*)$/, replacement: `${src}/$1` },\n    { find: '@', replacement: src },\n  ] },\n}\n",
            ),
            (
                "src/main.ts",
                "import a from '~/lib/a'\nimport b from '@/lib/b'\nconsole.log(a, b)\n",
            ),
        ],
        untracked: &[],
    },
    // webpack `resolve.alias`: an exact `x$` key and a prefix key.
    Case {
        name: "webpack alias",
        files: &[
            (
                "package.json",
                r#"{"name": "app", "devDependencies": {"webpack": "5"}}"#,
            ),
            (
                "webpack.config.js",
                "const path = require('path');\nmodule.exports = { resolve: { alias: { Utilities: path.resolve(__dirname, 'src/utilities/'), Config$: path.resolve(__dirname, 'src/config.js') } } };\n",
            ),
            (
                "src/index.js",
                "import { a } from 'Utilities/a';\nimport config from 'Config';\n",
            ),
            ("src/utilities/a.js", "export const a = 1;\n"),
            ("src/config.js", "export default {};\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "webpack alias, target missing",
        files: &[
            (
                "package.json",
                r#"{"name": "app", "devDependencies": {"webpack": "5"}}"#,
            ),
            (
                "webpack.config.js",
                "const path = require('path');\nmodule.exports = { resolve: { alias: { Utilities: path.resolve(__dirname, 'src/utilities/') } } };\n",
            ),
            ("src/index.js", "import { a } from 'Utilities/a';\n"),
        ],
        untracked: &[],
    },
    // Nuxt `alias`.
    Case {
        name: "nuxt alias",
        files: &[
            (
                "package.json",
                r#"{"name": "site", "devDependencies": {"nuxt": "3"}}"#,
            ),
            (
                "nuxt.config.ts",
                "import { fileURLToPath } from 'node:url'\nexport default defineNuxtConfig({ alias: { '@images': fileURLToPath(new URL('./assets/images', import.meta.url)) } })\n",
            ),
            (
                "pages/index.ts",
                "import logo from '@images/logo'\nimport { ref } from '#imports'\n",
            ),
            ("assets/images/logo.ts", "export default ''\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "nuxt alias, target untracked",
        files: &[
            (
                "package.json",
                r#"{"name": "site", "devDependencies": {"nuxt": "3"}}"#,
            ),
            (
                "nuxt.config.ts",
                "import { fileURLToPath } from 'node:url'\nexport default defineNuxtConfig({ alias: { '@images': fileURLToPath(new URL('./assets/images', import.meta.url)) } })\n",
            ),
            ("pages/index.ts", "import logo from '@images/logo'\n"),
        ],
        untracked: &[("assets/images/logo.ts", "export default ''\n")],
    },
    // SvelteKit `kit.alias`.
    Case {
        name: "sveltekit kit.alias",
        files: &[
            (
                "package.json",
                r#"{"name": "app", "devDependencies": {"@sveltejs/kit": "2"}}"#,
            ),
            (
                "svelte.config.js",
                "const config = { kit: { alias: { $db: 'src/db', '$ui/*': 'src/ui/*' } } };\nexport default config;\n",
            ),
            (
                "src/routes/page.ts",
                "import { db } from '$db/client';\nimport { Button } from '$ui/button';\nimport { goto } from '$app/navigation';\n",
            ),
            ("src/db/client.ts", "export const db = 1;\n"),
            ("src/ui/button.ts", "export const Button = 1;\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "sveltekit kit.alias, target untracked",
        files: &[
            (
                "package.json",
                r#"{"name": "app", "devDependencies": {"@sveltejs/kit": "2"}}"#,
            ),
            (
                "svelte.config.js",
                "const config = { kit: { alias: { $db: 'src/db' } } };\nexport default config;\n",
            ),
            ("src/routes/page.ts", "import { db } from '$db/client';\n"),
        ],
        untracked: &[("src/db/client.ts", "export const db = 1;\n")],
    },
    // next.config `env` (values computed from process.env): declared, and inlined into client code.
    Case {
        name: "next.config env",
        files: &[
            (
                "package.json",
                r#"{"name": "app", "dependencies": {"next": "15"}}"#,
            ),
            (".env.example", "BASE_PATH=\n"),
            (
                "next.config.ts",
                "const basePath = process.env.BASE_PATH;\nconst nextConfig = { env: { basePath, cloudMode: `${basePath}-x` } };\nexport default nextConfig;\n",
            ),
            (
                "app/App.tsx",
                "'use client';\nexport const a = [process.env.basePath, process.env.cloudMode];\n",
            ),
        ],
        untracked: &[],
    },
    Case {
        name: "next.config env, a name it does not define",
        files: &[
            (
                "package.json",
                r#"{"name": "app", "dependencies": {"next": "15"}}"#,
            ),
            (".env.example", "BASE_PATH=\n"),
            (
                "next.config.ts",
                "export default { env: { basePath: process.env.BASE_PATH } };\n",
            ),
            (
                "app/App.tsx",
                "'use client';\nexport const a = process.env.selfTrack;\n",
            ),
        ],
        untracked: &[],
    },
    // Vite `define` of `import.meta.env.X`.
    Case {
        name: "vite define",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.ts",
                "export default { define: { 'import.meta.env.PKG_NAME': JSON.stringify('x') } }\n",
            ),
            ("src/a.ts", "export const n = import.meta.env.PKG_NAME;\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "vite define, a name it does not define",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.ts",
                "export default { define: { 'import.meta.env.PKG_NAME': JSON.stringify('x') } }\n",
            ),
            ("src/a.ts", "export const n = import.meta.env.PKG_VERSION;\n"),
        ],
        untracked: &[],
    },
    // Deno: deno.json `imports` of the root and of a workspace member, and a member's name.
    Case {
        name: "deno.json imports",
        files: &[
            (
                "deno.json",
                r#"{"workspace": ["./packages/*"], "imports": {"@std/http": "jsr:@std/http@^1", "fresh": "jsr:@fresh/core@^2"}}"#,
            ),
            (
                "packages/core/deno.json",
                r#"{"name": "@my/core", "exports": "./mod.ts", "imports": {"preact": "npm:preact@^10"}}"#,
            ),
            ("packages/core/mod.ts", "export const x = 1;\n"),
            ("packages/app/deno.json", r#"{"name": "@my/app"}"#),
            (
                "packages/app/main.ts",
                "import { serveDir } from '@std/http/file-server';\nimport { App } from 'fresh';\nimport { x } from '@my/core';\n",
            ),
            ("packages/core/render.ts", "import { h } from 'preact';\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "deno.json imports, a specifier no map has",
        files: &[
            ("deno.json", r#"{"imports": {"@std/http": "jsr:@std/http@^1"}}"#),
            ("main.ts", "import { exists } from '@std/fs';\n"),
        ],
        untracked: &[],
    },
    // A Deno config variant that `deno test -c` selects, in a folder with no deno.json (hono's
    // runtime-tests/deno-jsx), and its twin: a map in a JSON file of another name maps nothing.
    Case {
        name: "deno config variant imports",
        files: &[
            (
                "runtime-tests/deno-jsx/deno.precompile.json",
                r#"{"compilerOptions": {"jsx": "precompile"}, "imports": {"@std/assert": "jsr:@std/assert@^1.0.3"}}"#,
            ),
            (
                "runtime-tests/deno-jsx/jsx.test.tsx",
                "import { assertEquals } from '@std/assert';
",
            ),
        ],
        untracked: &[],
    },
    Case {
        name: "deno config variant imports, a JSON file of another name (twin)",
        files: &[
            (
                "runtime-tests/deno-jsx/config.precompile.json",
                r#"{"imports": {"@std/assert": "jsr:@std/assert@^1.0.3"}}"#,
            ),
            (
                "runtime-tests/deno-jsx/jsx.test.tsx",
                "import { assertEquals } from '@std/assert';
",
            ),
        ],
        untracked: &[],
    },
    // unplugin-icons `~icons/…`.
    Case {
        name: "unplugin-icons",
        files: &[
            (
                "package.json",
                r#"{"name": "web", "devDependencies": {"vite": "5", "unplugin-icons": "0.19"}}"#,
            ),
            (
                "src/App.ts",
                "import IconCheck from '~icons/lucide/check'\nexport default IconCheck\n",
            ),
        ],
        untracked: &[],
    },
    Case {
        name: "unplugin-icons not declared",
        files: &[
            ("package.json", VITE_PKG),
            (
                "src/App.ts",
                "import IconCheck from '~icons/lucide/check'\nexport default IconCheck\n",
            ),
        ],
        untracked: &[],
    },
    // unplugin-fonts `unfonts.css`, UnoCSS `uno.css`.
    Case {
        name: "unfonts.css and uno.css",
        files: &[
            (
                "package.json",
                r#"{"name": "web", "devDependencies": {"vite": "5", "unplugin-fonts": "1", "unocss": "0.60"}}"#,
            ),
            (
                "src/main.ts",
                "import 'unfonts.css'\nimport 'uno.css'\nimport 'virtual:uno.css'\n",
            ),
        ],
        untracked: &[],
    },
    Case {
        name: "unfonts.css and uno.css, plugins not declared",
        files: &[
            ("package.json", VITE_PKG),
            ("src/main.ts", "import 'unfonts.css'\nimport 'uno.css'\n"),
        ],
        untracked: &[],
    },
    // k6 scripts: no package.json on their walk.
    Case {
        name: "k6 scripts",
        files: &[
            ("go.mod", "module example.com/x\n"),
            (
                "k6/basic.js",
                "import http from 'k6/http';\nimport { check } from 'k6';\nimport kafka from 'k6/x/kafka';\nexport default function () { check(http.get('http://x'), {}) }\n",
            ),
        ],
        untracked: &[],
    },
    Case {
        name: "k6 imported by a package that does not declare it",
        files: &[
            ("package.json", r#"{"name": "app"}"#),
            ("src/load.js", "import http from 'k6/http';\n"),
        ],
        untracked: &[],
    },
    // A Nuxt module repository: src/runtime is Nuxt code, playground is a Nuxt app.
    Case {
        name: "nuxt module repository",
        files: &[
            (
                "package.json",
                r#"{"name": "@acme/ui", "dependencies": {"@nuxt/kit": "3"}, "devDependencies": {"@nuxt/module-builder": "0.8", "nuxt": "3"}}"#,
            ),
            (
                "src/module.ts",
                "import { defineNuxtModule } from '@nuxt/kit'\nexport default defineNuxtModule({})\n",
            ),
            (
                "src/runtime/components/Button.ts",
                "import { computed } from '#imports'\nimport theme from '#build/ui/button'\nimport { useRoute } from '#vue-router'\nimport { useNuxtApp } from '#app'\n",
            ),
            (
                "playground/nuxt.config.ts",
                "export default defineNuxtConfig({ modules: ['../src/module'] })\n",
            ),
            (
                "playground/app.ts",
                "import { UButton } from '#components'\nimport { x } from '#my-module-alias'\n",
            ),
        ],
        untracked: &[],
    },
    // A stylesheet's `~assets/...` (Nuxt names its asset folder `assets`) and a Vite alias
    // in `@import`: the style loaders apply the bundler's aliases as the script resolver does.
    Case {
        name: "bundler aliases in stylesheets",
        files: &[
            (
                "package.json",
                r#"{"name": "web", "dependencies": {"nuxt": "2"}}"#,
            ),
            (
                "nuxt.config.js",
                "export default { css: ['~/assets/css/fonts.css'] }\n",
            ),
            (
                "assets/css/fonts.css",
                "@font-face { font-family: R; src: url(\"~assets/fonts/r.woff2\") format('woff2'); }\n",
            ),
            ("assets/fonts/r.woff2", "font"),
            ("site/package.json", VITE_PKG),
            (
                "site/vite.config.ts",
                "import path from 'node:path'\nexport default { resolve: { alias: { '@styles': path.resolve(__dirname, 'src/styles') } } }\n",
            ),
            ("site/src/main.css", "@import \"@styles/base.css\";\n"),
            ("site/src/styles/base.css", "body { margin: 0 }\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "bundler aliases in stylesheets, targets missing",
        files: &[
            (
                "package.json",
                r#"{"name": "web", "dependencies": {"nuxt": "2"}}"#,
            ),
            (
                "nuxt.config.js",
                "export default { css: ['~/assets/css/fonts.css'] }\n",
            ),
            (
                "assets/css/fonts.css",
                "@font-face { font-family: R; src: url(\"~assets/fonts/gone.woff2\") format('woff2'); }\n",
            ),
            ("site/package.json", VITE_PKG),
            (
                "site/vite.config.ts",
                "import path from 'node:path'\nexport default { resolve: { alias: { '@styles': path.resolve(__dirname, 'src/styles') } } }\n",
            ),
            ("site/src/main.css", "@import \"@styles/gone.css\";\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "nuxt modules in a package that does not depend on Nuxt",
        files: &[
            ("package.json", r#"{"name": "lib"}"#),
            ("src/a.ts", "import { computed } from '#imports'\n"),
        ],
        untracked: &[],
    },
    // `virtual:` with a Vite plugin declared (a scheme specifier is never a file, with or
    // without one: no failing twin).
    Case {
        name: "virtual: with a Vite plugin",
        files: &[
            (
                "package.json",
                r#"{"name": "web", "devDependencies": {"vite": "5", "vite-plugin-pwa": "0.20"}}"#,
            ),
            (
                "src/main.ts",
                "import { registerSW } from 'virtual:pwa-register'\nimport routes from 'virtual:generated-pages'\n",
            ),
        ],
        untracked: &[],
    },
    // An alias config hookctl cannot evaluate: what resolves to nothing may be one of its
    // aliases, so a warning that names the config and what it could not evaluate.
    Case {
        name: "aliases hookctl cannot evaluate",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.ts",
                "import { aliases } from './build/aliases'\nexport default { resolve: { alias: aliases } }\n",
            ),
            ("build/aliases.ts", "export const aliases = {}\n"),
            ("src/main.ts", "import x from '@/x'\nimport y from '~lib/y'\n"),
        ],
        untracked: &[],
    },
    // ... but a valid package name no package.json declares is still a forgotten dependency.
    Case {
        name: "aliases hookctl cannot evaluate, an undeclared package",
        files: &[
            ("package.json", VITE_PKG),
            (
                "vite.config.ts",
                "import { aliases } from './build/aliases'\nexport default { resolve: { alias: aliases } }\n",
            ),
            ("build/aliases.ts", "export const aliases = {}\n"),
            ("src/main.ts", "import pad from 'left-pad'\n"),
        ],
        untracked: &[],
    },
    Case {
        name: "aliases hookctl can evaluate",
        files: &[
            ("package.json", VITE_PKG),
            ("vite.config.ts", "export default { resolve: { alias: {} } }\n"),
            ("src/main.ts", "import x from '@/x'\nimport y from '~lib/y'\n"),
        ],
        untracked: &[],
    },
];

fn run_case(case: &Case) -> (Repo, Run) {
    let r = Repo::new();
    for (p, t) in case.files {
        r.write(p, t);
    }
    r.commit_all("base");
    for (p, t) in case.untracked {
        r.write(p, t);
    }
    let run = r.hookctl(&["check", "--all-findings", "--format", "json"]);
    (r, run)
}

/// Every shape and its twins, as `exit code` then `severity rule path:line what` per finding.
#[test]
fn bundler_shapes_and_their_twins() {
    let mut out = String::new();
    let mut last = None;
    for case in CASES {
        let (r, run) = run_case(case);
        assert!(
            run.code == 0 || run.code == 1,
            "{}: exit {}\n{}",
            case.name,
            run.code,
            run.all()
        );
        let _ = writeln!(out, "== {} (exit {})", case.name, run.code);
        for f in run.json()["findings"].as_array().unwrap() {
            let what = f
                .get("specifier")
                .or(f.get("name"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            let _ = writeln!(
                out,
                "   {} {} {}:{} {}",
                f["severity"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap(),
                f["line"],
                what
            );
        }
        last = Some(r);
    }
    let last = last.unwrap();
    snapshot!(last, "bundler_shapes", out);
}

/// What a user sees for an import under a config hookctl cannot evaluate, and for an alias
/// whose target is untracked.
#[test]
fn uncertain_alias_and_untracked_alias_target_human_output() {
    let case = CASES
        .iter()
        .find(|c| c.name == "aliases hookctl cannot evaluate")
        .unwrap();
    let (r, _) = run_case(case);
    let out = r.hookctl(&["--no-color", "check"]);
    assert_eq!(out.code, 0, "warnings never block\n{}", out.all());
    snapshot!(r, "bundler_uncertain_human", out.stdout);

    let case = CASES
        .iter()
        .find(|c| c.name == "vite alias object, target untracked")
        .unwrap();
    let (r, _) = run_case(case);
    let out = r.hookctl(&["--no-color", "check"]);
    assert_eq!(out.code, 1, "{}", out.all());
    snapshot!(r, "bundler_alias_untracked_human", out.stdout);
}

/// A config is parsed once per blob: the second run reads its facts from the cache, and a
/// changed config is read again (the cache never changes an answer).
#[test]
fn config_facts_are_cached_by_blob() {
    let case = CASES.iter().find(|c| c.name == "vite alias object").unwrap();
    let (r, run) = run_case(case);
    run.ok();
    let cache = r.path(".git/hookctl/configs.bin");
    assert!(cache.exists(), "the config's facts are cached");
    // `HOOKCTL_TIMINGS` counts the configs parsed and those taken from the cache.
    let counts = |r: &Repo| {
        let run = r.hookctl_env(&["check", "--all-findings"], &[("HOOKCTL_TIMINGS", "1")], None);
        run.stderr
            .lines()
            .find_map(|l| {
                l.split_once("bundler configs (")
                    .map(|(_, c)| c.split(')').next().unwrap_or("").to_string())
            })
            .unwrap_or_default()
    };
    assert_eq!(counts(&r), "0 parsed, 1 from the cache");
    r.hookctl(&["check", "--all-findings"]).ok();
    // Point the alias elsewhere: the new blob is read afresh, and the import breaks.
    r.write(
        "vite.config.ts",
        "import path from 'node:path'\nexport default { resolve: { alias: { '@helpers': path.resolve(__dirname, './lib') } } }\n",
    );
    r.add(&["vite.config.ts"]);
    assert_eq!(counts(&r), "1 parsed, 0 from the cache");
    assert_eq!(counts(&r), "0 parsed, 1 from the cache");
    r.hookctl(&["check", "--all-findings"])
        .code(1)
        .contains("@helpers/backend/gql");
}

/// With `node_modules` installed, the ambient modules of the type packages a tsconfig's
/// `compilerOptions.types` names are provided to that tsconfig's folder; a tsconfig without
/// the entry gets nothing from them.
#[test]
fn installed_types_named_by_compiler_options_types_provide_modules() {
    let r = Repo::new();
    r.write(".gitignore", "node_modules\n")
        .write(
            "package.json",
            r#"{"name": "web", "devDependencies": {"vite": "5"}}"#,
        )
        .write(
            "web/tsconfig.json",
            r#"{"compilerOptions": {"types": ["icons-types/vue"]}}"#,
        )
        .write("web/src/a.ts", "import Check from '~pack/check'\n")
        .write("lib/tsconfig.json", r#"{"compilerOptions": {}}"#)
        .write("lib/a.ts", "import Check from '~pack/check'\n");
    r.write(
        "node_modules/icons-types/vue.d.ts",
        "/// <reference path=\"./shared.d.ts\" />\ndeclare module '~pack/*' {\n  const c: unknown\n  export default c\n}\n",
    );
    r.write(
        "node_modules/icons-types/shared.d.ts",
        "declare module 'pack-shared' {}\n",
    );
    r.commit_all("base");
    let got = check_findings(&r, &["--all-findings"]);
    assert_eq!(
        got,
        vec![finding("imports/unknown-specifier", "lib/a.ts", "~pack/check")]
    );
}

/// Issue 19 §3: what installed type packages declare is part of the cache key of the clean
/// verdicts. Another installed version that no longer declares `~pack/*` makes the warm check
/// report the import, as a cold check does.
#[test]
fn another_installed_version_of_a_types_package_changes_the_warm_answer() {
    let r = Repo::new();
    r.write(".gitignore", "node_modules\n")
        .write(
            "package.json",
            r#"{"name": "web", "devDependencies": {"vite": "5"}}"#,
        )
        .write(
            "web/tsconfig.json",
            r#"{"compilerOptions": {"types": ["icons-types/vue"]}}"#,
        )
        .write("web/src/a.ts", "import Check from '~pack/check'\n");
    let install = |declares: &str| {
        r.write(
            "node_modules/icons-types/vue.d.ts",
            format!("declare module '{declares}' {{\n  const c: unknown\n  export default c\n}}\n"),
        );
    };
    install("~pack/*");
    r.commit_all("base");
    assert_eq!(check_findings(&r, &["--all-findings"]), vec![]);
    install("~other/*");
    let warm = check_findings(&r, &["--all-findings"]);
    let _ = std::fs::remove_dir_all(r.path(".git/hookctl"));
    let cold = check_findings(&r, &["--all-findings"]);
    assert_eq!(warm, cold);
    assert_eq!(
        cold,
        vec![finding(
            "imports/unknown-specifier",
            "web/src/a.ts",
            "~pack/check"
        )]
    );
}
