//! The engine core: imports checked against the snapshot git records.

use crate::common::*;

use crate::common::{check_findings as findings, finding as f};

/// A Next.js-style repo with the `@/*` alias in a JSONC tsconfig.
fn next_app() -> Repo {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app","dependencies":{"next":"14.0.0","react":"18.0.0","zod":"3.0.0"},"devDependencies":{"@types/node":"20.0.0"}}"#);
    r.write(
        "tsconfig.json",
        "{\n  // comment\n  \"compilerOptions\": {\n    \"baseUrl\": \".\",\n    \"paths\": { \"@/*\": [\"./src/*\"], },\n  },\n}\n",
    );
    r.write(".gitignore", "node_modules/\n.next/\n*.log\n");
    r
}

// ---------------------------------------------------------------- the postmortem, end to end

#[test]
fn postmortem_commit_is_refused_then_accepted_and_push_is_refused() {
    let r = Repo::fixture("postmortem");
    r.hookctl(&["install"]).ok();
    r.git(&["add", "-A"]).ok();
    r.git(&["reset", "-q", "--", "lib/utils"]).ok();
    let run = r.commit(&["-m", "gallery"]);
    assert_ne!(run.code, 0, "commit must be refused\n{}", run.all());
    cmd_snapshot!(
        r,
        "engine_postmortem_commit_is_refused_then_accepted_and_push_is_refused",
        run
    );
    assert!(r.git(&["log", "--oneline"]).code != 0, "no commit may exist yet");

    r.add(&["lib/utils"]);
    // The imports are fixed; the second cause of the outage (NEXTAUTH_SECRET only in
    // .env.local) still blocks until .env.example declares it.
    cmd_snapshot!(
        r,
        "engine_postmortem_commit_is_refused_then_accepted_and_push_is_refused_1",
        r.commit(&["-m", "gallery"])
    );
    r.write(
        ".env.example",
        "NEXTAUTH_URL=http://localhost:3000\nNEXTAUTH_SECRET=\n",
    );
    r.add(&[".env.example"]);
    r.commit(&["-m", "gallery"]).ok();
    // A commit made with --no-verify is caught at push.
    r.bare_remote();
    r.push(&["-q", "origin", "main"]).ok();
    r.write(
        "app/gallery/extra.tsx",
        "import { crop } from '@/lib/utils/crop';\nexport const x = crop;\n",
    );
    r.write("lib/utils/crop.ts", "export const crop = 1;\n");
    r.add(&["app/gallery/extra.tsx"]);
    r.git(&["commit", "-q", "--no-verify", "-m", "skip hooks"]).ok();
    let run = r.push(&["origin", "main"]);
    assert_ne!(run.code, 0, "push must be refused\n{}", run.all());
    cmd_snapshot!(
        r,
        "engine_postmortem_commit_is_refused_then_accepted_and_push_is_refused_2",
        run
    );
    // Nothing was pushed.
    let remote_head = git_cmd(&r.sibling("remote.git"))
        .args(["rev-parse", "main"])
        .output()
        .unwrap();
    let local_prev = r.git(&["rev-parse", "HEAD~1"]);
    assert_eq!(
        String::from_utf8_lossy(&remote_head.stdout).trim(),
        local_prev.stdout.trim()
    );
}

// ---------------------------------------------------------------- one test per rule + valid twin

#[test]
fn untracked_import_is_reported_and_staged_twin_is_silent() {
    let r = next_app();
    r.write(
        "src/app/page.tsx",
        "import { a } from '@/lib/a';\nimport { b } from '../lib/b';\nexport default [a, b];\n",
    );
    r.write("src/lib/a.ts", "export const a = 1;\n");
    r.write("src/lib/b.ts", "export const b = 1;\n");
    r.add(&[
        "package.json",
        "tsconfig.json",
        "src/app/page.tsx",
        "src/lib/b.ts",
    ]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/untracked", "src/app/page.tsx", "@/lib/a")]
    );
    r.add(&["src/lib/a.ts"]);
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn ignored_target_names_the_ignore_rule() {
    let r = next_app();
    r.write(
        "src/app/page.tsx",
        "import log from '../debug.log';\nexport default log;\n",
    );
    r.write("src/debug.log", "x");
    r.add(&["package.json", "tsconfig.json", ".gitignore", "src/app/page.tsx"]);
    cmd_snapshot!(
        r,
        "engine_ignored_target_names_the_ignore_rule",
        r.hookctl(&["check"])
    );
}

#[test]
fn generated_folders_are_not_reported() {
    let r = next_app();
    r.write(".gitignore", ".contentlayer/\ngenerated/\n");
    r.write("src/app/page.tsx", "import { allPosts } from '../../.contentlayer/generated';\nimport { db } from '../generated/client';\nexport default [allPosts, db];\n");
    r.write(
        ".contentlayer/generated/index.mjs",
        "export const allPosts = [];\n",
    );
    r.write("src/generated/client.ts", "export const db = 1;\n");
    r.add(&["package.json", "tsconfig.json", ".gitignore", "src/app/page.tsx"]);
    assert_eq!(findings(&r, &[]), []);
    // The same file outside a generated folder is reported.
    r.write(
        "src/app/other.tsx",
        "import { c } from '../lib/c';\nexport default c;\n",
    );
    r.write("src/lib/c.ts", "export const c = 1;\n");
    r.add(&["src/app/other.tsx"]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/untracked", "src/app/other.tsx", "../lib/c")]
    );
}

#[test]
fn unresolved_import_and_valid_twin() {
    let r = next_app();
    r.write("src/a.ts", "import { x } from './missing';\nimport { y } from '@/nope/y';\nimport { z } from './z';\nexport default [x, y, z];\n");
    r.write("src/z.ts", "export const z = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("imports/unresolved", "src/a.ts", "./missing"),
            f("imports/unresolved", "src/a.ts", "@/nope/y")
        ]
    );
}

#[test]
fn case_mismatch_and_valid_twin() {
    let r = next_app();
    r.write("src/a.ts", "import { Button } from './components/button';\nimport { Card } from './components/Card';\nexport default [Button, Card];\n");
    r.write("src/components/Button.tsx", "export const Button = 1;\n");
    r.write("src/components/Card.tsx", "export const Card = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/case-mismatch", "src/a.ts", "./components/button")]
    );
    cmd_snapshot!(r, "engine_case_mismatch_and_valid_twin", r.hookctl(&["check"]));
}

#[test]
fn case_collision_and_valid_twin() {
    let r = next_app();
    r.write("src/Foo.ts", "export const a = 1;\n");
    r.write("src/foo.ts", "export const b = 1;\n");
    r.write("src/bar.ts", "export const c = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("files/case-collision", "src/foo.ts", "src/Foo.ts")]
    );
}

#[test]
fn undeclared_dependency_and_valid_twins() {
    let r = next_app();
    r.write(
        "src/a.ts",
        "import { z } from 'zod';\nimport fs from 'node:fs';\nimport path from 'path';\nimport type { Foo } from 'node-types-only';\nimport dayjs from 'dayjs';\nimport { x } from '@scope/pkg/sub';\nimport type { IncomingMessage } from 'http';\nexport default [z, fs, path, dayjs, x];\n",
    );
    r.write("package.json", r#"{"name":"app","dependencies":{"zod":"3.0.0"},"devDependencies":{"@types/node-types-only":"1.0.0"}}"#);
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("imports/undeclared-dependency", "src/a.ts", "dayjs"),
            f("imports/undeclared-dependency", "src/a.ts", "@scope/pkg/sub"),
        ]
    );
    cmd_snapshot!(
        r,
        "engine_undeclared_dependency_and_valid_twins",
        r.hookctl(&["check"])
    );
}

#[test]
fn type_only_import_is_satisfied_by_types_package_but_value_import_is_not() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"app","devDependencies":{"@types/lodash":"4.0.0"}}"#,
    );
    r.write(
        "a.ts",
        "import type { Dictionary } from 'lodash';\nexport type D = Dictionary<number>;\n",
    );
    r.write("b.ts", "import { map } from 'lodash';\nexport const m = map;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/undeclared-dependency", "b.ts", "lodash")]
    );
}

#[test]
fn suppression_comment_silences_one_line() {
    let r = next_app();
    r.write("src/a.ts", "// hookctl-ignore imports/unresolved\nimport { x } from './missing';\nimport { y } from './missing2';\nexport default [x, y];\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/a.ts", "./missing2")]
    );
}

#[test]
fn rule_levels_from_config() {
    let r = next_app();
    r.write("src/a.ts", "import { x } from './missing';\nexport default x;\n");
    r.write("hookctl.toml", "[rules]\n\"imports/unresolved\" = \"warning\"\n");
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check", "--format", "json"]);
    run.code(0);
    assert_eq!(run.json()["findings"][0]["severity"], "warning");
    r.write("hookctl.toml", "[rules]\n\"imports/unresolved\" = \"off\"\n");
    assert_eq!(findings(&r, &[]), []);
    r.write("hookctl.toml", "[rules]\n\"imports/unresolvd\" = \"off\"\n");
    cmd_snapshot!(r, "engine_rule_levels_from_config", r.hookctl(&["check"]));
}

// ---------------------------------------------------------------- resolution features

#[test]
fn tsconfig_extends_chain_with_paths() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "tsconfig.base.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"~lib/*":["lib/*"]}}}"#,
    );
    r.write("app/tsconfig.json", r#"{"extends":"../tsconfig.base.json"}"#);
    r.write(
        "app/main.ts",
        "import { a } from '~lib/a';\nimport { b } from '~lib/b';\nexport default [a, b];\n",
    );
    r.write("lib/a.ts", "export const a = 1;\n");
    r.write("lib/b.ts", "export const b = 1;\n");
    r.add(&["package.json", "tsconfig.base.json", "app", "lib/a.ts"]);
    assert_eq!(
        findings(&r, &[]),
        [f("imports/untracked", "app/main.ts", "~lib/b")]
    );
}

#[test]
fn root_dirs() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "tsconfig.json",
        r#"{"compilerOptions":{"rootDirs":["src","generated-types"]}}"#,
    );
    r.write(
        "src/views/main.ts",
        "import { t } from './template';\nimport { u } from './nothing';\nexport default [t, u];\n",
    );
    r.write("generated-types/views/template.ts", "export const t = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/views/main.ts", "./nothing")]
    );
}

#[test]
fn nodenext_js_extension_maps_to_ts_sources() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"lib","type":"module"}"#);
    r.write(
        "tsconfig.json",
        r#"{"compilerOptions":{"module":"nodenext","moduleResolution":"nodenext"}}"#,
    );
    r.write("src/index.ts", "export * from './util.js';\nexport * from './view.js';\nexport * from './esm.mjs';\nexport * from './gone.js';\n");
    r.write("src/util.ts", "export const u = 1;\n");
    r.write("src/view.tsx", "export const v = 1;\n");
    r.write("src/esm.mts", "export const e = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/index.ts", "./gone.js")]
    );
}

#[test]
fn workspaces_exports_and_imports_fields() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["packages/*","apps/*"]}"#,
    );
    r.write(
        "packages/ui/package.json",
        r##"{"name":"@acme/ui","exports":{".":"./src/index.ts","./button":"./src/button.tsx","./missing":"./src/missing.ts"},"imports":{"#internal/*":"./src/internal/*.ts"}}"##,
    );
    r.write("packages/ui/src/index.ts", "import { h } from '#internal/helper';\nimport { g } from '#internal/gone';\nexport const ui = [h, g];\n");
    r.write("packages/ui/src/internal/helper.ts", "export const h = 1;\n");
    r.write("packages/ui/src/button.tsx", "export const Button = 1;\n");
    r.write(
        "apps/web/package.json",
        r#"{"name":"web","dependencies":{"@acme/ui":"workspace:*"}}"#,
    );
    r.write(
        "apps/web/page.tsx",
        "import { ui } from '@acme/ui';\nimport { Button } from '@acme/ui/button';\nimport { M } from '@acme/ui/missing';\nexport default [ui, Button, M];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("imports/unresolved", "apps/web/page.tsx", "@acme/ui/missing"),
            f("imports/unresolved", "packages/ui/src/index.ts", "#internal/gone"),
        ]
    );
}

#[test]
fn pnpm_workspace_packages_resolve_inside_the_snapshot() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"root","private":true}"#);
    r.write("pnpm-workspace.yaml", "packages:\n  - 'packages/*'\n");
    r.write(
        "packages/utils/package.json",
        r#"{"name":"@acme/utils","main":"./src/index.ts"}"#,
    );
    r.write("packages/utils/src/index.ts", "export const u = 1;\n");
    r.write("app.ts", "import { u } from '@acme/utils';\nexport default u;\n");
    r.add(&[
        "package.json",
        "pnpm-workspace.yaml",
        "packages/utils/package.json",
        "app.ts",
    ]);
    // The package's entry point exists on disk only.
    assert_eq!(
        findings(&r, &[]),
        [f("imports/untracked", "app.ts", "@acme/utils")]
    );
    r.add(&["packages/utils/src/index.ts"]);
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn workspace_package_built_to_dist_is_not_reported() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["packages/*"]}"#,
    );
    r.write(".gitignore", "dist/\n");
    r.write(
        "packages/sdk/package.json",
        r#"{"name":"@acme/sdk","main":"./dist/index.js","types":"./dist/index.d.ts"}"#,
    );
    r.write("packages/sdk/src/index.ts", "export const s = 1;\n");
    r.write("app.ts", "import { s } from '@acme/sdk';\nexport default s;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn assets_must_exist_exactly_and_queries_are_stripped() {
    let r = next_app();
    r.write(
        "src/a.tsx",
        "import './styles.css';\nimport logo from './logo.svg?react';\nimport data from './data.json';\nimport './gone.css';\nimport icon from './icon.png#hash';\nexport default [logo, data, icon];\n",
    );
    r.write("src/styles.css", "a{}\n");
    r.write("src/logo.svg", "<svg/>\n");
    r.write("src/data.json", "{}\n");
    r.write("src/icon.png", "png");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/a.tsx", "./gone.css")]
    );
}

#[test]
fn urls_and_virtual_modules_are_skipped() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "a.ts",
        "import x from 'https://esm.sh/x';\nimport 'virtual:pwa-register';\nimport d from 'data:text/javascript,export default 1';\nexport default [x, d];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn jsconfig_paths_are_honoured() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "jsconfig.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"@/*":["src/*"]}}}"#,
    );
    r.write(
        "src/a.js",
        "import { b } from '@/b';\nimport { c } from '@/c';\nexport default [b, c];\n",
    );
    r.write("src/b.js", "export const b = 1;\n");
    r.write("src/c.js", "export const c = 1;\n");
    r.add(&["package.json", "jsconfig.json", "src/a.js", "src/b.js"]);
    assert_eq!(findings(&r, &[]), [f("imports/untracked", "src/a.js", "@/c")]);
}

// ---------------------------------------------------------------- snapshots and baselines

#[test]
fn deleting_a_file_strands_its_unstaged_importers() {
    let r = next_app();
    r.write("src/a.ts", "import { b } from './b';\nexport default b;\n");
    r.write("src/b.ts", "export const b = 1;\n");
    r.commit_all("init");
    r.git(&["rm", "-q", "src/b.ts"]).ok();
    assert_eq!(findings(&r, &[]), [f("imports/unresolved", "src/a.ts", "./b")]);
    // `git rm --cached`: still on disk, so the importer resolves only to an unstaged file.
    r.git(&["reset", "-q", "HEAD", "--", "src/b.ts"]).ok();
    r.git(&["checkout", "--", "src/b.ts"]).ok();
    r.git(&["rm", "-q", "--cached", "src/b.ts"]).ok();
    assert_eq!(findings(&r, &[]), [f("imports/untracked", "src/a.ts", "./b")]);
    cmd_snapshot!(
        r,
        "engine_deleting_a_file_strands_its_unstaged_importers",
        r.hookctl(&["check"])
    );
}

#[test]
fn renaming_a_file_strands_its_importers() {
    let r = next_app();
    r.write("src/a.ts", "import { b } from './b';\nexport default b;\n");
    r.write("src/b.ts", "export const b = 1;\n");
    r.commit_all("init");
    r.git(&["mv", "src/b.ts", "src/bee.ts"]).ok();
    assert_eq!(findings(&r, &[]), [f("imports/unresolved", "src/a.ts", "./b")]);
}

#[test]
fn old_findings_do_not_block_but_all_findings_lists_them() {
    let r = next_app();
    r.write(
        "src/old.ts",
        "import { x } from './missing';\nexport default x;\n",
    );
    r.commit_all("old problem");
    r.write(
        "src/new.ts",
        "import { y } from './missing-too';\nexport default y;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/new.ts", "./missing-too")]
    );
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [
            f("imports/unresolved", "src/new.ts", "./missing-too"),
            f("imports/unresolved", "src/old.ts", "./missing")
        ]
    );
    // Moving the old import to another line is not a new finding.
    r.write(
        "src/old.ts",
        "// moved\n\nimport { x } from './missing';\nexport default x;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/new.ts", "./missing-too")]
    );
    // By hand, `check` lists both, each marked new or not; the summary counts the new ones.
    let doc = r.hookctl(&["check", "--format", "json"]).code(1).json();
    let marks: Vec<(&str, bool)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["new"].as_bool().unwrap()))
        .collect();
    assert_eq!(marks, [("src/new.ts", true), ("src/old.ts", false)]);
    assert_eq!(doc["summary"]["new"], 1);
    assert_eq!(doc["summary"]["errors"], 2);
    cmd_snapshot!(
        r,
        "engine_old_findings_do_not_block_but_all_findings_lists_them",
        r.hookctl(&["check"])
    );
}

/// `hookctl check` said "0 errors" while `git push` was refused for findings already in HEAD
/// (issue 10): by hand, old findings count too and fail the check.
#[test]
fn check_by_hand_fails_on_findings_already_committed() {
    let r = next_app();
    r.write(
        "src/old.ts",
        "import { x } from './missing';\nexport default x;\n",
    );
    r.commit_all("old problem");
    cmd_snapshot!(
        r,
        "engine_check_by_hand_fails_on_findings_already_committed",
        r.hookctl(&["check"])
    );
    cmd_snapshot!(
        r,
        "engine_check_by_hand_fails_on_findings_already_committed_1",
        r.hookctl(&["check", "--new"])
    );
    let head = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    r.hookctl(&["check", "--baseline", &head]).ok();
}

#[test]
fn partially_staged_file_is_checked_as_staged() {
    let r = next_app();
    r.write("src/c.ts", "export const c = 1;\n");
    r.write("src/a.ts", "export const a = 1;\n");
    r.commit_all("init");
    // Staged: a broken import. Work tree: fixed.
    r.write("src/a.ts", "import { c } from './nope';\nexport const a = c;\n");
    r.add(&["src/a.ts"]);
    r.write("src/a.ts", "import { c } from './c';\nexport const a = c;\n");
    assert_eq!(findings(&r, &[]), [f("imports/unresolved", "src/a.ts", "./nope")]);
    assert_eq!(findings(&r, &["--worktree"]), []);
}

#[test]
fn commit_dash_a_and_commit_path_use_the_temporary_index() {
    let r = Repo::fixture("postmortem");
    r.hookctl(&["install"]).ok();
    r.commit_all("init");
    // `git commit -a` stages the modified importer in a temporary index.
    r.write(
        "lib/types.ts",
        "import { nope } from './nope';\nexport type Photo = typeof nope;\n",
    );
    cmd_snapshot!(
        r,
        "engine_commit_dash_a_and_commit_path_use_the_temporary_index",
        r.commit(&["-a", "-m", "broken"])
    );
    // `git commit <path>` too.
    cmd_snapshot!(
        r,
        "engine_commit_dash_a_and_commit_path_use_the_temporary_index_1",
        r.commit(&["-m", "broken", "lib/types.ts"])
    );
    // The real index was not touched.
    assert_eq!(r.git(&["diff", "--cached", "--name-only"]).stdout, "");
    r.write("lib/types.ts", "export type Photo = { id: number };\n");
    r.commit(&["-a", "-m", "fine"]).ok();
}

#[test]
fn linked_worktree_checks_its_own_index() {
    let r = next_app();
    r.write("src/a.ts", "export const a = 1;\n");
    r.commit_all("init");
    let wt = r.sibling("wt");
    r.git(&["worktree", "add", "-q", "-b", "feature", wt.to_str().unwrap()])
        .ok();
    std::fs::write(
        wt.join("src/b.ts"),
        "import { z } from './z';\nexport default z;\n",
    )
    .unwrap();
    std::fs::write(wt.join("src/z.ts"), "export const z = 1;\n").unwrap();
    git_cmd(&wt).args(["add", "src/b.ts"]).output().unwrap();
    let run = r.hookctl_in(&wt, &["check", "--format", "json"], None);
    run.code(1);
    assert_eq!(run.json()["findings"][0]["path"], "src/b.ts");
    assert_eq!(run.json()["findings"][0]["rule"], "imports/untracked");
    // The main work tree's index is unaffected.
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn empty_repository_first_commit_counts_everything() {
    let r = next_app();
    r.write("src/a.ts", "import { x } from './x';\nexport default x;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), [f("imports/unresolved", "src/a.ts", "./x")]);
}

#[test]
fn rev_snapshot_checks_a_commit() {
    let r = next_app();
    r.write("src/a.ts", "import { x } from './x';\nexport default x;\n");
    r.commit_all("broken");
    r.write("src/x.ts", "export const x = 1;\n");
    r.commit_all("fixed");
    // The file exists on disk (committed later), but not in the checked commit.
    assert_eq!(
        findings(&r, &["--rev", "HEAD~1"]),
        [f("imports/untracked", "src/a.ts", "./x")]
    );
    cmd_snapshot!(
        r,
        "engine_rev_snapshot_checks_a_commit",
        r.hookctl(&["check", "--rev", "HEAD~1"])
    );
    assert_eq!(findings(&r, &["--rev", "HEAD"]), []);
    cmd_snapshot!(
        r,
        "engine_rev_snapshot_checks_a_commit_1",
        r.hookctl(&["check", "--rev", "no-such-rev"])
    );
}

// ---------------------------------------------------------------- bad input

#[test]
fn broken_tsconfig_is_reported_with_position_and_checking_goes_on() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "tsconfig.json",
        "{\n  \"compilerOptions\": {\n    \"paths\": {\n  }\n  \"x\": 1\n}\n",
    );
    r.write("a.ts", "import { b } from './b';\nexport default b;\n");
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check", "--format", "json"]);
    run.code(1);
    let j = run.json();
    let fs = j["findings"].as_array().unwrap();
    assert!(
        fs.iter()
            .any(|f| f["rule"] == "files/unreadable" && f["path"] == "tsconfig.json" && f["line"] == 5),
        "{j}"
    );
    assert!(
        fs.iter()
            .any(|f| f["rule"] == "imports/unresolved" && f["path"] == "a.ts"),
        "{j}"
    );
}

#[test]
fn cyclic_tsconfig_extends_is_reported() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "tsconfig.json",
        r#"{"extends":"./tsconfig.b.json","compilerOptions":{"baseUrl":".","paths":{"@/*":["src/*"]}}}"#,
    );
    r.write("tsconfig.b.json", r#"{"extends":"./tsconfig.json"}"#);
    r.write("src/a.ts", "import { b } from '@/b';\nexport default b;\n");
    r.write("src/b.ts", "export const b = 1;\n");
    r.git(&["add", "-A"]).ok();
    let got = findings(&r, &[]);
    assert!(
        got.iter()
            .any(|(rule, path, _)| rule == "files/unreadable" && path == "tsconfig.json"),
        "{got:?}"
    );
    assert!(
        !got.iter().any(|(rule, ..)| rule.starts_with("imports/")),
        "{got:?}"
    );
}

#[test]
fn extends_from_an_uninstalled_package_is_a_warning() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"app","devDependencies":{"@tsconfig/next":"1.0.0"}}"#,
    );
    r.write(
        "tsconfig.json",
        r#"{"extends":"@tsconfig/next/tsconfig.json","compilerOptions":{"paths":{"@/*":["./src/*"]}}}"#,
    );
    r.write("src/a.ts", "import { b } from '@/b';\nexport default b;\n");
    r.write("src/b.ts", "export const b = 1;\n");
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check"]);
    cmd_snapshot!(r, "engine_extends_from_an_uninstalled_package_is_a_warning", run);
}

#[test]
fn binary_non_utf8_and_huge_minified_files_do_not_panic() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "bin.ts",
        [
            0u8, 159, 146, 150, 0, 1, 2, 255, b'i', b'm', b'p', b'o', b'r', b't',
        ],
    );
    r.write(
        "latin1.ts",
        b"// caf\xe9\nimport { x } from './nope';\nexport default x;\n",
    );
    let mut big = String::from("import{a}from'./a';");
    while big.len() < 5_000_000 {
        big.push_str("var a1=function(b){return b*2+require('./a').a};");
    }
    r.write("big.min.js", big);
    r.write("a.ts", "export const a = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "latin1.ts", "./nope")]
    );
}

#[test]
fn symlink_to_outside_the_repo_is_never_followed() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    let outside = r.sibling("outside");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("secret.ts"), "export const s = 1;\n").unwrap();
    std::os::unix::fs::symlink(&outside, r.path("linked")).unwrap();
    r.write(
        "a.ts",
        "import { s } from './linked/secret';\nexport default s;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "a.ts", "./linked/secret")]
    );
}

#[test]
fn not_a_repo_and_bad_flags_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let r = Repo::new();
    cmd_snapshot!(
        r,
        "engine_not_a_repo_and_bad_flags_exit_2",
        r.hookctl_in(dir.path(), &["check"], None)
    );
    r.hookctl(&["check", "--format", "xml"]).code(2);
    r.hookctl(&["check", "--staged", "--worktree"]).code(2);
}

#[test]
fn conflicted_index_is_a_clear_error() {
    let r = next_app();
    r.write("a.ts", "export const a = 1;\n");
    r.commit_all("init");
    r.git(&["checkout", "-q", "-b", "other"]).ok();
    r.write("a.ts", "export const a = 2;\n");
    r.commit_all("other");
    r.git(&["checkout", "-q", "main"]).ok();
    r.write("a.ts", "export const a = 3;\n");
    r.commit_all("main");
    r.git(&["merge", "-q", "other"]);
    cmd_snapshot!(
        r,
        "engine_conflicted_index_is_a_clear_error",
        r.hookctl(&["check"])
    );
}

// ---------------------------------------------------------------- output formats

#[test]
fn output_formats() {
    let r = next_app();
    r.write("src/a.ts", "import { x } from './missing';\nexport default x;\n");
    r.git(&["add", "-A"]).ok();
    let j = r.hookctl(&["check", "--format", "json"]).json();
    let f0 = &j["findings"][0];
    assert_eq!((f0["line"].as_u64(), f0["column"].as_u64()), (Some(1), Some(19)));
    assert_eq!(j["summary"]["errors"], 1);
    assert!(j["summary"]["elapsed_ms"].is_u64());
    cmd_snapshot!(
        r,
        "engine_output_formats",
        r.hookctl(&["check", "--format", "github"])
    );
    let sarif: serde_json::Value =
        serde_json::from_str(&r.hookctl(&["check", "--format", "sarif"]).stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "imports/unresolved");
    let human = r.hookctl(&["check"]);
    cmd_snapshot!(r, "engine_output_formats_human_run", human);
}

#[test]
fn reference_paths_are_relative_to_the_file() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "src/a.ts",
        "/// <reference path=\"types\" />\n/// <reference path=\"./gone.d.ts\" />\nexport const a = 1;\n",
    );
    r.write("src/types.d.ts", "declare const x: number;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/a.ts", "./gone.d.ts")]
    );
}

#[test]
fn folders_that_are_git_symlinks_are_followed_inside_the_repo() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write("shared/thing.ts", "export const t = 1;\n");
    std::os::unix::fs::symlink("../shared", r.path("src/linked")).unwrap_or_else(|_| {
        std::fs::create_dir_all(r.path("src")).unwrap();
        std::os::unix::fs::symlink("../shared", r.path("src/linked")).unwrap();
    });
    r.write("src/a.ts", "import { t } from './linked/thing';\nimport { u } from './linked/nothing';\nexport default [t, u];\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/a.ts", "./linked/nothing")]
    );
}

#[test]
fn nodenext_esm_imports_need_their_extension() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"lib","type":"module"}"#);
    r.write("tsconfig.json", r#"{"compilerOptions":{"module":"nodenext"}}"#);
    r.write("src/index.ts", "import { u } from './util';\nimport { v } from './util.js';\nimport * as d from './dir';\nimport type { T } from './types';\nexport default [u, v, d];\n");
    r.write("src/util.ts", "export const u = 1;\nexport const v = 1;\n");
    r.write("src/dir/index.ts", "export const d = 1;\n");
    r.write("src/types.ts", "export type T = 1;\n");
    r.write("src/legacy.cts", "import u = require('./util');\nexport = u;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("imports/unresolved", "src/index.ts", "./util"),
            f("imports/unresolved", "src/index.ts", "./dir")
        ]
    );
    cmd_snapshot!(
        r,
        "engine_nodenext_esm_imports_need_their_extension",
        r.hookctl(&["check"])
    );
    // The same code in a bundler project is fine.
    r.write(
        "tsconfig.json",
        r#"{"compilerOptions":{"module":"esnext","moduleResolution":"bundler"}}"#,
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn intent_to_add_entries_are_not_in_the_snapshot() {
    let r = next_app();
    r.write("src/a.ts", "import { b } from './b';\nexport default b;\n");
    r.write("src/b.ts", "export const b = 1;\n");
    r.add(&["package.json", "tsconfig.json", "src/a.ts"]);
    r.git(&["add", "-N", "src/b.ts"]).ok();
    assert_eq!(findings(&r, &[]), [f("imports/untracked", "src/a.ts", "./b")]);
}

#[test]
fn submodules_are_opaque() {
    let r = next_app();
    let sub = r.sibling("sub");
    std::fs::create_dir_all(&sub).unwrap();
    git_cmd(&sub).args(["init", "-q", "-b", "main"]).output().unwrap();
    std::fs::write(sub.join("x.ts"), "import './nope';\n").unwrap();
    git_cmd(&sub).args(["add", "-A"]).output().unwrap();
    git_cmd(&sub)
        .args(["commit", "-q", "-m", "sub"])
        .output()
        .unwrap();
    r.git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        sub.to_str().unwrap(),
        "vendor/sub",
    ])
    .ok();
    r.write(
        "src/a.ts",
        "import { x } from '../vendor/sub/x';\nexport default x;\n",
    );
    r.git(&["add", "-A"]).ok();
    // The submodule's own files are not scanned, and an import into it is not reported as
    // untracked: its files are committed in the submodule.
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn git_dir_and_git_work_tree_are_honoured() {
    let r = next_app();
    r.write("src/a.ts", "import { x } from './x';\nexport default x;\n");
    r.git(&["add", "-A"]).ok();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut c = std::process::Command::new(BIN);
    c.current_dir(elsewhere.path())
        .args(["check", "--format", "json"])
        .env("GIT_DIR", r.path(".git"))
        .env("GIT_WORK_TREE", &r.root)
        .env_remove("GIT_INDEX_FILE");
    let run = run_with_stdin(c, None);
    run.code(1);
    assert_eq!(run.json()["findings"][0]["path"], "src/a.ts");
}

#[test]
fn tsconfig_extends_from_a_workspace_package() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["packages/*","apps/*"]}"#,
    );
    r.write("packages/tsconfig/package.json", r#"{"name":"@acme/tsconfig"}"#);
    r.write(
        "packages/tsconfig/base.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"~lib/*":["../../apps/web/lib/*"]}}}"#,
    );
    r.write(
        "apps/web/package.json",
        r#"{"name":"web","devDependencies":{"@acme/tsconfig":"workspace:*"}}"#,
    );
    r.write(
        "apps/web/tsconfig.json",
        r#"{"extends":"@acme/tsconfig/base.json"}"#,
    );
    r.write("apps/web/lib/a.ts", "export const a = 1;\n");
    r.write(
        "apps/web/page.ts",
        "import { a } from '~lib/a';\nimport { b } from '~lib/b';\nexport default [a, b];\n",
    );
    r.git(&["add", "-A"]).ok();
    let got = findings(&r, &[]);
    assert_eq!(got, [f("imports/unresolved", "apps/web/page.ts", "~lib/b")]);
}

#[test]
fn init_writes_a_config_from_what_it_detects() {
    let r = next_app();
    r.write("pnpm-lock.yaml", "lockfileVersion: '9.0'\n");
    r.write("eslint.config.mjs", "export default [];\n");
    r.write(
        "package.json",
        r#"{"name":"app","scripts":{"build":"next build"}}"#,
    );
    r.hookctl(&["init"]).ok();
    let text = r.read("hookctl.toml");
    assert!(
        text.contains("run = \"eslint --max-warnings=0 {files}\""),
        "{text}"
    );
    // The slow clean build is written commented out.
    assert!(
        text.contains("# run = \"pnpm run build\"\n# clean = true"),
        "{text}"
    );
    assert!(text.contains("No .env.example at the root"), "{text}");
    // The written file is valid: check runs with it.
    r.git(&["add", "-A"]).ok();
    r.hookctl(&["check"]).ok();
    cmd_snapshot!(
        r,
        "engine_init_writes_a_config_from_what_it_detects",
        r.hookctl(&["init"])
    );
    r.hookctl(&["init", "--force"]).ok();
}

#[test]
fn generated_code_missing_before_codegen_is_not_reported() {
    let r = next_app();
    r.write(".gitignore", ".contentlayer/\nsrc/__generated__/\n");
    r.write(
        "tsconfig.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"@/*":["./src/*"],"contentlayer/generated":["./.contentlayer/generated"]}}}"#,
    );
    r.write(
        "src/page.tsx",
        "import { allPosts } from 'contentlayer/generated';\nimport { q } from './__generated__/graphql';\nimport { gone } from './gone';\nexport default [allPosts, q, gone];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "src/page.tsx", "./gone")]
    );
}

#[test]
fn warm_runs_from_the_caches_agree_with_cold_runs_and_follow_config_changes() {
    let r = next_app();
    r.write(
        "src/a.ts",
        "import { b } from '@/lib/b';\nimport { c } from './c';\nexport default [b, c];\n",
    );
    r.write("src/lib/b.ts", "export const b = 1;\n");
    r.write("src/c.ts", "export const c = 1;\n");
    r.commit_all("init");
    let cold = findings(&r, &["--all-findings"]);
    assert_eq!(cold, []);
    // The clean set is kept per resolution context: `clean.<context>.bin`.
    let clean_sets = std::fs::read_dir(r.path(".git/hookctl"))
        .unwrap()
        .flatten()
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("clean.") && name.ends_with(".bin")
        })
        .count();
    assert!(r.path(".git/hookctl/facts.bin").is_file() && clean_sets == 1);
    assert_eq!(findings(&r, &["--all-findings"]), cold);
    // The alias changes: the cached "clean" verdict of src/a.ts must not survive it.
    r.write(
        "tsconfig.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"@/*":["./lib/*"]}}}"#,
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [f("imports/unresolved", "src/a.ts", "@/lib/b")]
    );
    // A corrupt cache is ignored and rebuilt.
    std::fs::write(r.path(".git/hookctl/facts.bin"), b"garbage").unwrap();
    for e in std::fs::read_dir(r.path(".git/hookctl")).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("clean.") {
            std::fs::write(e.path(), b"garbage").unwrap();
        }
    }
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [f("imports/unresolved", "src/a.ts", "@/lib/b")]
    );
}

#[test]
fn a_commit_that_adds_a_case_collision_is_refused_and_old_ones_are_not_reported() {
    let r = next_app();
    r.write("src/Old.ts", "export const a = 1;\n");
    r.write("src/old.ts", "export const b = 1;\n");
    r.write("src/Comp/a.ts", "export const c = 1;\n");
    r.commit_all("init");
    r.write("src/new.ts", "export const d = 1;\n");
    r.add(&["src/new.ts"]);
    assert_eq!(findings(&r, &[]), []);
    r.write("src/New.ts", "export const e = 1;\n");
    r.write("src/comp/b.ts", "export const f = 1;\n");
    r.add(&["src/New.ts", "src/comp/b.ts"]);
    assert_eq!(
        findings(&r, &[]),
        [
            f("files/case-collision", "src/comp", "src/Comp"),
            f("files/case-collision", "src/new.ts", "src/New.ts")
        ]
    );
}

#[test]
fn full_check_reports_folder_case_collisions_too() {
    let r = next_app();
    r.write("src/Comp/a.ts", "export const c = 1;\n");
    r.write("src/comp/b.ts", "export const f = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [f("files/case-collision", "src/comp", "src/Comp")]
    );
}

#[test]
fn an_alias_missing_from_tsconfig_is_an_unknown_specifier_not_an_undeclared_package() {
    // `~/utils` cannot be a package name and no mapping matches it: only a bundler alias can
    // resolve it (issue 19), a warning with the fix, not an error.
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write("src/a.ts", "import { u } from '~/utils';\nexport default u;\n");
    r.write("src/utils.ts", "export const u = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unknown-specifier", "src/a.ts", "~/utils")]
    );
    cmd_snapshot!(
        r,
        "engine_an_alias_missing_from_tsconfig_is_unresolved_not_an_undeclared_package",
        r.hookctl(&["check"])
    );
    // Declared in tsconfig `paths`, it resolves.
    r.write(
        "tsconfig.json",
        r#"{"compilerOptions":{"paths":{"~/*":["./src/*"]}}}"#,
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn base_url_inherited_through_extends_maps_bare_specifiers_to_local_files() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write("tsconfig.json", r#"{"compilerOptions":{"baseUrl":"."}}"#);
    r.write(
        "sub/tsconfig.json",
        r#"{"extends":"../tsconfig.json","compilerOptions":{"jsx":"react-jsx"}}"#,
    );
    r.write(
        "sub/a.ts",
        "import 'components/Button';\nimport 'components/Card';\n",
    );
    r.write("components/Button.tsx", "export const B = 1;\n");
    r.write("components/Card.tsx", "export const C = 1;\n");
    r.add(&["package.json", "tsconfig.json", "sub", "components/Button.tsx"]);
    // Not an undeclared package: a local file, here one that is not staged.
    assert_eq!(
        findings(&r, &[]),
        [f("imports/untracked", "sub/a.ts", "components/Card")]
    );
}

#[test]
fn node16_commonjs_imports_take_the_require_export_condition() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["packages/*","app"]}"#,
    );
    r.write(
        "packages/cond/package.json",
        r#"{"name":"@acme/cond","exports":{".":{"import":"./esm/index.mts","require":"./cjs/index.cts"}}}"#,
    );
    r.write("packages/cond/cjs/index.cts", "export = 1;\n");
    r.write(
        "app/package.json",
        r#"{"name":"app","dependencies":{"@acme/cond":"workspace:*"}}"#,
    );
    r.write("app/tsconfig.json", r#"{"compilerOptions":{"module":"node16"}}"#);
    // CommonJS: `require` condition, which exists. ESM: `import` condition, which does not.
    r.write("app/main.cts", "import c = require('@acme/cond');\nexport = c;\n");
    r.write("app/esm.mts", "import c from '@acme/cond';\nexport default c;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("imports/unresolved", "app/esm.mts", "@acme/cond")]
    );
}

/// git accepts an index path of 4,200 bytes (longer than a file system allows on disk); the
/// pre-commit hook reads the index past it and still checks the files staged after it
/// (gix-index 0.59 stopped at the next entry: "Could not parse entry at index N", exit 2).
#[test]
fn an_index_path_longer_than_4095_bytes_does_not_stop_the_hook() {
    let r = Repo::new();
    r.write("a.ts", "export const a = 1;\n").commit_all("one");
    let blob = r
        .git(&["hash-object", "-w", "a.ts"])
        .ok()
        .stdout
        .trim()
        .to_string();
    let long = format!("deep/{}/x.ts", "l".repeat(4200));
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("100644,{blob},{long}"),
    ])
    .ok();
    r.write("z.ts", "import { a } from \"./missing\";\nexport const z = a;\n")
        .add(&["z.ts"]);
    let run = r.hookctl(&["run", "pre-commit"]);
    snapshot!(r, "index_long_path", run.shown());
}
