//! Verdicts that must not depend on how a run is scoped or cached (issue 20, "Verdicts"): a
//! scoped hook sees every break a full check marks new, whatever alias the broken import is
//! written with.

use proptest::prelude::*;

use crate::common::*;

// ------------------------------------------------ scoped hooks see breaks through any alias

/// `#db` names `src/database/client.ts` only through package.json `imports`: renaming the
/// target breaks `src/main.ts`, which mentions neither name.
fn hash_import_repo() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r##"{ "name": "app", "type": "module", "imports": { "#db": "./src/database/client.ts" } }"##,
    )
    .write("src/database/client.ts", "export const db = 1;\n")
    .write("src/main.ts", "import { db } from '#db';\nexport const x = db;\n")
    .commit_all("init");
    r
}

#[test]
fn renaming_the_target_of_a_hash_import_is_caught_by_every_scoped_run() {
    let r = hash_import_repo();
    r.hookctl(&["install"]).ok();
    r.git(&["mv", "src/database/client.ts", "src/database/conn.ts"])
        .ok();
    let want = vec![finding("imports/unresolved", "src/main.ts", "#db")];
    assert_eq!(check_findings(&r, &[]), want, "check --new");
    cmd_snapshot!(
        r,
        "verdicts_renaming_the_target_of_a_hash_import_pre_commit",
        r.commit(&["-q", "-m", "rename"])
    );
    // The same commit made with --no-verify is refused at push.
    let r = hash_import_repo();
    r.hookctl(&["install"]).ok();
    r.bare_remote();
    r.push(&["-q", "origin", "main"]).ok();
    r.git(&["mv", "src/database/client.ts", "src/database/conn.ts"])
        .ok();
    r.git(&["commit", "-q", "--no-verify", "-m", "rename"]).ok();
    let push = r.push(&["-q", "origin", "main"]);
    assert_eq!(push.code, 1, "{}", push.all());
    cmd_snapshot!(r, "verdicts_renaming_the_target_of_a_hash_import_pre_push", push);
}

#[test]
fn renaming_an_unrelated_file_beside_a_hash_import_target_passes() {
    // The valid twin: a rename no import resolved to.
    let r = hash_import_repo();
    r.write("src/database/seed.ts", "export const s = 1;\n")
        .commit_all("seed");
    r.git(&["mv", "src/database/seed.ts", "src/database/seeds.ts"])
        .ok();
    assert_eq!(check_findings(&r, &[]), vec![]);
    r.hookctl(&["run", "pre-commit"]).ok();
}

/// `@acme/ui` lives in `packages/ui-kit`, its entry `src/index.ts`: the importer mentions
/// neither the folder nor the file's name.
fn renamed_package_repo() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["packages/*", "apps/*"] }"#,
    )
    .write(
        "packages/ui-kit/package.json",
        r#"{ "name": "@acme/ui", "main": "./src/index.ts" }"#,
    )
    .write("packages/ui-kit/src/index.ts", "export const b = 1;\n")
    .write("packages/ui-kit/src/extra.ts", "export const e = 1;\n")
    .write(
        "apps/web/package.json",
        r#"{ "name": "web", "dependencies": { "@acme/ui": "*" } }"#,
    )
    .write(
        "apps/web/src/page.ts",
        "import { b } from '@acme/ui';\nexport const x = b;\n",
    )
    .commit_all("init");
    r
}

#[test]
fn deleting_the_entry_of_a_workspace_package_named_unlike_its_folder_is_caught() {
    let r = renamed_package_repo();
    r.git(&["rm", "-q", "packages/ui-kit/src/index.ts"]).ok();
    let want = vec![finding("imports/unresolved", "apps/web/src/page.ts", "@acme/ui")];
    assert_eq!(check_findings(&r, &[]), want, "check --new");
    let all = r.hookctl(&["check", "--format", "json"]);
    assert_eq!(all.json()["findings"][0]["new"], true, "{}", all.all());
    let hook = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(r, "verdicts_deleting_the_entry_of_a_workspace_package", hook);
}

#[test]
fn deleting_another_file_of_a_workspace_package_passes() {
    let r = renamed_package_repo();
    r.git(&["rm", "-q", "packages/ui-kit/src/extra.ts"]).ok();
    assert_eq!(check_findings(&r, &[]), vec![]);
    r.hookctl(&["run", "pre-commit"]).ok();
}

// -------------------------------- property: scoped new findings == `check`'s findings marked new

#[derive(Debug, Clone)]
enum Edit {
    /// `git mv` module `i` to its other name, or back.
    Rename(usize),
    /// `git rm` module `i`, or write it back.
    Delete(usize),
    /// Add (or remove) the extra file `i`, which some mapping may prefer.
    Extra(usize),
    /// package.json `imports` variant.
    Imports(usize),
    /// `packages/ui-kit` `exports` variant.
    Exports(usize),
    /// tsconfig `paths` variant.
    Paths(usize),
    /// Importer `i` imports specifier `j`.
    Source(usize, usize),
    /// Commit what is staged (the baseline moves).
    Commit,
}

/// Modules and their other names.
const MODULES: &[(&str, &str)] = &[
    ("src/database/client.ts", "src/database/conn.ts"),
    ("src/lib/util.ts", "src/lib/util-impl.ts"),
    ("src/lib/index.ts", "src/lib/main.ts"),
    ("packages/ui-kit/src/index.ts", "packages/ui-kit/src/root.ts"),
    (
        "packages/ui-kit/src/button.ts",
        "packages/ui-kit/src/button-impl.ts",
    ),
    ("src/helpers/format.ts", "src/helpers/index.ts"),
];
/// Files that do not exist at first; a mapping may prefer them once added.
const EXTRAS: &[&str] = &[
    "src/gen/client.ts",
    "src/lib/format-impl.ts",
    "packages/ui-kit/src/button-impl.ts",
    "src/database/client/index.ts",
    "src/util.ts",
];
const SPECS: &[&str] = &[
    "#db",
    "#lib/util",
    "@impl/format",
    "@acme/ui",
    "@acme/ui/button",
    "./lib",
    "./database/client",
    "@/helpers/format",
    "@/helpers",
    "@db",
    "..",
];
const IMPORTERS: &[&str] = &["src/a.ts", "src/b.ts", "src/c/d.ts"];
const IMPORTS: &[&str] = &[
    r##"{ "#db": "./src/database/client.ts" }"##,
    r##"{ "#db": "./src/database/conn.ts", "#lib/*": "./src/lib/*-impl.ts" }"##,
    r##"{ "#lib/*": "./src/lib/*.ts" }"##,
];
const EXPORTS: &[&str] = &[
    r#"{ ".": "./src/index.ts", "./*": "./src/*.ts" }"#,
    r#"{ ".": "./src/root.ts", "./*": "./src/*-impl.ts" }"#,
    r"null",
];
const PATHS: &[&str] = &[
    r#"{ "@/*": ["./src/*"], "@impl/*": ["./src/lib/*-impl", "./src/helpers/*"], "@db": ["./src/gen/client.ts", "./src/database/client.ts"] }"#,
    r#"{ "@/*": ["./src/*"] }"#,
    r#"{ "@/*": ["./src/*"], "@db": ["./src/database/conn.ts"] }"#,
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..MODULES.len()).prop_map(Edit::Rename),
        (0..MODULES.len()).prop_map(Edit::Delete),
        (0..EXTRAS.len()).prop_map(Edit::Extra),
        (0..IMPORTS.len()).prop_map(Edit::Imports),
        (0..EXPORTS.len()).prop_map(Edit::Exports),
        (0..PATHS.len()).prop_map(Edit::Paths),
        (0..IMPORTERS.len(), 0..SPECS.len()).prop_map(|(i, j)| Edit::Source(i, j)),
        Just(Edit::Commit),
    ]
}

fn root_manifest(imports: &str) -> String {
    format!(
        r#"{{ "name": "app", "private": true, "workspaces": ["packages/*"], "dependencies": {{ "@acme/ui": "*" }}, "imports": {imports} }}"#
    )
}

fn ui_manifest(exports: &str) -> String {
    format!(r#"{{ "name": "@acme/ui", "main": "./src/index.ts", "exports": {exports} }}"#)
}

fn tsconfig(paths: &str) -> String {
    format!(
        r#"{{ "compilerOptions": {{ "moduleResolution": "bundler", "baseUrl": ".", "paths": {paths} }} }}"#
    )
}

fn importer(spec: &str) -> String {
    format!("import * as m from \"{spec}\";\nexport default m;\n")
}

fn agreement_repo() -> Repo {
    let r = Repo::new();
    r.write("package.json", root_manifest(IMPORTS[0]))
        .write("packages/ui-kit/package.json", ui_manifest(EXPORTS[0]))
        .write("tsconfig.json", tsconfig(PATHS[0]));
    for (m, _) in MODULES {
        r.write(m, "export const v = 1;\n");
    }
    for (i, p) in IMPORTERS.iter().enumerate() {
        r.write(p, importer(SPECS[i * 3 % SPECS.len()]));
    }
    r.commit_all("init");
    r
}

fn apply(r: &Repo, e: &Edit) {
    let exists = |p: &str| r.path(p).exists();
    match e {
        Edit::Rename(i) => {
            let (a, b) = MODULES[*i];
            let (from, to) = if exists(a) { (a, b) } else { (b, a) };
            if exists(from) && !exists(to) {
                r.git(&["mv", from, to]).ok();
            }
        }
        Edit::Delete(i) => {
            let (a, _) = MODULES[*i];
            if exists(a) {
                r.git(&["rm", "-q", "-f", a]).ok();
            } else {
                r.write(a, "export const v = 2;\n");
            }
        }
        Edit::Extra(i) => {
            let p = EXTRAS[*i];
            if exists(p) {
                r.git(&["rm", "-q", "-f", p]).ok();
            } else {
                r.write(p, "export const e = 1;\n");
            }
        }
        Edit::Imports(v) => {
            r.write("package.json", root_manifest(IMPORTS[*v]));
        }
        Edit::Exports(v) => {
            r.write("packages/ui-kit/package.json", ui_manifest(EXPORTS[*v]));
        }
        Edit::Paths(v) => {
            r.write("tsconfig.json", tsconfig(PATHS[*v]));
        }
        Edit::Source(i, j) => {
            r.write(IMPORTERS[*i], importer(SPECS[*j]));
        }
        Edit::Commit => {
            r.git(&["add", "-A"]).ok();
            r.git(&["commit", "-q", "--no-verify", "--allow-empty", "-m", "step"])
                .ok();
        }
    }
    r.git(&["add", "-A"]).ok();
}

/// `(rule, path, specifier)` of the findings `check` marks new.
fn marked_new(r: &Repo) -> Vec<(String, String, String)> {
    let run = r.hookctl(&["check", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.all());
    let json = run.json();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["new"] == true)
        .map(|f| {
            let what = f.get("specifier").or(f.get("name")).or(f.get("resolved"));
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                what.and_then(|v| v.as_str()).unwrap_or("").to_string(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 20, ..ProptestConfig::default() })]

    /// After any sequence of renames, deletions, additions and mapping edits, what a hook
    /// blocks on (`check --new`, scoped to the commit) is exactly what `check` marks new.
    #[test]
    fn scoped_new_findings_equal_the_findings_check_marks_new(edits in prop::collection::vec(edit(), 1..8)) {
        let r = agreement_repo();
        for e in &edits {
            apply(&r, e);
            let mut scoped = check_findings(&r, &["--new"]);
            let mut marked = marked_new(&r);
            scoped.sort();
            marked.sort();
            prop_assert_eq!(&scoped, &marked, "after {:?}", e);
        }
    }
}

// ----------------------------------------------- `src` blocks of components name real files

#[test]
fn vue_and_astro_src_blocks_pointing_at_untracked_files_are_refused() {
    let r = Repo::new();
    r.write("package.json", r#"{ "name": "app", "private": true }"#)
        .write(
            "src/App.vue",
            "<template><p>hi</p></template>\n<script src=\"./app-logic.ts\"></script>\n<style src=\"./app.css\"></style>\n",
        )
        .write(
            "src/pages/index.astro",
            "---\nconst t = 1;\n---\n<script src=\"../scripts/menu.ts\"></script>\n<script src=\"../scripts/missing.ts\"></script>\n",
        )
        .write("src/app-logic.ts", "export default {};\n")
        .write("src/app.css", "p { color: red; }\n")
        .write("src/scripts/menu.ts", "export {};\n");
    r.add(&["package.json", "src/App.vue", "src/pages/index.astro"]);
    cmd_snapshot!(
        r,
        "verdicts_vue_and_astro_src_blocks_pointing_at_untracked_files",
        r.hookctl(&["check", "--new"])
    );
    // The valid twin: everything staged (the missing script removed).
    r.write(
        "src/pages/index.astro",
        "---\nconst t = 1;\n---\n<script src=\"../scripts/menu.ts\"></script>\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(check_findings(&r, &[]), vec![]);
}

// ------------------------------------------------------- lockfiles as their managers read them

/// `(rule, path, what)` of every finding of `check --all-findings`.
fn all_findings(r: &Repo) -> Vec<(String, String, String)> {
    check_findings(r, &["--all-findings"])
}

#[test]
fn npm_optional_own_peer_missing_from_the_lockfile_is_not_drift() {
    // `npm ci` (npm 11) installs this lockfile: an optional peer is not installed.
    let manifest = |meta: &str| {
        format!(
            r#"{{ "name": "app", "version": "1.0.0", "peerDependencies": {{ "opt-peer": "^1.0.0" }}{meta} }}"#
        )
    };
    let lock = r#"{ "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true, "packages": { "": { "name": "app", "version": "1.0.0", "peerDependencies": { "opt-peer": "^1.0.0" } } } }"#;
    let r = Repo::new();
    r.write(
        "package.json",
        manifest(r#", "peerDependenciesMeta": { "opt-peer": { "optional": true } }"#),
    )
    .write("package-lock.json", lock);
    r.git(&["add", "-A"]).ok();
    assert_eq!(all_findings(&r), vec![]);
    // The twin: a required peer is installed by npm 7+, so the lockfile must have it.
    r.write("package.json", manifest(""));
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        all_findings(&r),
        vec![finding("deps/lockfile-drift", "package.json", "opt-peer")]
    );
}

#[test]
fn npm_lockfile_with_a_byte_order_mark_is_read() {
    // `npm ci` accepts a lockfile that starts with a UTF-8 BOM.
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "app", "version": "1.0.0", "dependencies": { "tiny": "^2.0.0" } }"#,
    )
    .write(
        "package-lock.json",
        "\u{feff}{ \"name\": \"app\", \"lockfileVersion\": 3, \"packages\": { \"\": { \"name\": \"app\" }, \"node_modules/tiny\": { \"version\": \"1.2.0\" } } }",
    );
    r.git(&["add", "-A"]).ok();
    // Read, so its real drift (1.2.0 outside ^2.0.0) is reported, not `files/unreadable`.
    cmd_snapshot!(
        r,
        "verdicts_npm_lockfile_with_a_byte_order_mark_is_read",
        r.hookctl(&["check", "--all-findings"])
    );
}

/// pnpm-lock.yaml variants that pnpm 9 installs with `--frozen-lockfile` (checked by hand with
/// `pnpm install --frozen-lockfile --offline`), and the drifting twin it refuses.
const PNPM_MANIFEST: &str = r#"{ "name": "app", "version": "1.0.0", "dependencies": { "local": "link:./local" }, "devDependencies": { "local2": "link:./local" } }"#;
const PNPM_VALID: &[(&str, &str)] = &[
    (
        "anchors across top-level blocks and a merge key",
        "lockfileVersion: '9.0'\n\nsettings: &settings\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nx-link: &link\n  specifier: link:./local\n  version: link:local\n\nimporters:\n\n  .:\n    dependencies:\n      local:\n        <<: *link\n    devDependencies:\n      local2: *link\n",
    ),
    (
        "flow style across lines at column 0",
        "lockfileVersion: '9.0'\nsettings: {autoInstallPeers: true, excludeLinksFromLockfile: false}\nimporters: {\n  .: {dependencies: {local: {specifier: 'link:./local', version: 'link:local'}},\n      devDependencies: {local2: {specifier: 'link:./local', version: 'link:local'}}}\n}\n",
    ),
    (
        "an anchor inside a block",
        "lockfileVersion: '9.0'\n\nsettings:\n  autoInstallPeers: true\n  excludeLinksFromLockfile: false\n\nimporters:\n\n  .:\n    dependencies:\n      local: &link\n        specifier: link:./local\n        version: link:local\n\n    devDependencies:\n      local2: *link\n",
    ),
];

#[test]
fn pnpm_lockfiles_in_any_valid_yaml_are_read_as_pnpm_reads_them() {
    for (what, lock) in PNPM_VALID {
        let r = Repo::new();
        r.write("package.json", PNPM_MANIFEST)
            .write("pnpm-lock.yaml", lock)
            .write("local/package.json", r#"{ "name": "local", "version": "1.0.0" }"#);
        r.git(&["add", "-A"]).ok();
        assert_eq!(all_findings(&r), vec![], "{what}");
    }
    // The twin pnpm refuses ("specifiers in the lockfile ... don't match specs in package.json").
    let r = Repo::new();
    r.write("package.json", PNPM_MANIFEST)
        .write(
            "pnpm-lock.yaml",
            PNPM_VALID[1].1.replace(
                "local2: {specifier: 'link:./local'",
                "local2: {specifier: 'link:./other'",
            ),
        )
        .write("local/package.json", r#"{ "name": "local", "version": "1.0.0" }"#);
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        all_findings(&r),
        vec![finding("deps/lockfile-drift", "package.json", "local2")]
    );
}

/// Yarn 2+ is stricter than YAML: `yarn install --immutable` (yarn 4.18, checked by hand)
/// refuses a yarn.lock it would write otherwise (YN0028), so an anchored one breaks the deploy.
/// It is read (no `files/unreadable`) and reported as drift of the lockfile itself.
#[test]
fn yarn_berry_lockfile_written_otherwise_than_yarn_writes_it_is_drift() {
    let manifest = r#"{ "name": "app", "version": "1.0.0", "dependencies": { "tiny": "^1.0.0" } }"#;
    let lock = |range: &str, link: &str, alias: &str| {
        format!(
            "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    tiny: \"npm:{range}\"\n  languageName: node\n  linkType: {link}\n\n\"tiny@npm:^1.0.0\":\n  version: 1.2.0\n  resolution: \"tiny@npm:1.2.0\"\n  languageName: node\n  linkType: {alias}\n"
        )
    };
    let r = Repo::new();
    r.write("package.json", manifest)
        .write("yarn.lock", lock("^1.0.0", "soft", "hard"))
        .write(".yarnrc.yml", "nodeLinker: node-modules\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(all_findings(&r), vec![]);
    // An alias of an anchor in another entry.
    r.write("yarn.lock", lock("^1.0.0", "&kind soft", "*kind"));
    r.git(&["add", "-A"]).ok();
    cmd_snapshot!(
        r,
        "verdicts_yarn_berry_lockfile_with_an_anchor",
        r.hookctl(&["check", "--all-findings"])
    );
    // The twin of a real drift: the recorded range is not the declared one.
    r.write("yarn.lock", lock("^1.1.0", "soft", "hard"));
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        all_findings(&r),
        vec![finding("deps/lockfile-drift", "package.json", "tiny")]
    );
}

// ------------------------------------------------------------- config read, checked, migrated

#[test]
fn workspace_patterns_never_read_a_config_outside_the_repository() {
    let r = Repo::new();
    let outside = r.sibling("outside");
    let marker = r.sibling("ran-outside");
    let job = format!(
        "[pre-commit]\n[[pre-commit.jobs]]\nname = \"outside\"\nrun = \"touch {}\"\n",
        marker.display()
    );
    for pkg in ["pkg", "linked"] {
        std::fs::create_dir_all(outside.join(pkg)).unwrap();
        std::fs::write(outside.join(pkg).join("package.json"), r#"{ "name": "x" }"#).unwrap();
        std::fs::write(outside.join(pkg).join("hookctl.toml"), &job).unwrap();
    }
    // Both a pattern that climbs out and a folder that links out.
    std::os::unix::fs::symlink(&outside, r.path("vendor")).unwrap();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["../outside/*", "vendor/*", "packages/*"] }"#,
    )
    .write("packages/inside/package.json", r#"{ "name": "inside" }"#)
    .write(
        "packages/inside/hookctl.toml",
        "[pre-commit]\n[[pre-commit.jobs]]\nname = \"inside\"\nrun = \"true\"\n",
    )
    .write("a.ts", "export const a = 1;\n");
    r.git(&["add", "a.ts", "package.json", "packages"]).ok();
    let run = r.hookctl(&["run", "pre-commit", "--all-files"]);
    run.ok();
    assert!(
        !marker.exists(),
        "a config outside the repository ran\n{}",
        run.all()
    );
    // The valid twin: the package inside the repository still adds its job.
    cmd_snapshot!(r, "verdicts_a_package_inside_still_adds_its_job", run);
}

#[test]
fn config_errors_that_used_to_surface_late_fail_at_load_with_their_line() {
    let r = Repo::new();
    for (name, toml) in [
        (
            "nul_in_run",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"a\"\nrun = \"echo \\u0000 x\"\n",
        ),
        (
            "nul_in_env",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"a\"\nrun = \"echo\"\nenv = { TOKEN = \"a\\u0000b\" }\n",
        ),
        ("bad_pattern", "[env.vars.API_URL]\npattern = \"(unclosed\"\n"),
        (
            "bad_pattern_per_environment",
            "[env.vars.API_URL.environments.production]\npattern = \"[z-a]\"\n",
        ),
    ] {
        r.write("hookctl.toml", toml);
        let run = r.hookctl(&["check"]);
        cmd_snapshot!(r, format!("verdicts_config_errors_at_load_{name}"), run);
    }
    // The valid twin.
    r.write(
        "hookctl.toml",
        "[env.vars.API_URL]\npattern = \"^https://\"\n[pre-commit]\n[[pre-commit.jobs]]\nname = \"a\"\nrun = \"echo ok\"\nenv = { TOKEN = \"ab\" }\n",
    );
    r.hookctl(&["check"]).ok();
}

#[test]
fn init_in_a_bare_repository_says_what_to_do() {
    let r = Repo::new();
    let bare = r.bare_remote();
    let run = r.hookctl_in(&bare, &["init"], None);
    cmd_snapshot!(r, "verdicts_init_in_a_bare_repository", run);
    assert!(!bare.join("hookctl.toml").exists());
}

#[test]
fn migrate_names_lefthook_globs_it_cannot_carry_over() {
    let r = Repo::new();
    r.write(
        "lefthook.yml",
        "pre-commit:\n  commands:\n    lint:\n      glob: [1, \"*.ts\"]\n      run: eslint {staged_files}\n    format:\n      glob: [true, 2]\n      run: prettier --write {staged_files}\n",
    );
    let run = r.hookctl(&["migrate"]);
    cmd_snapshot!(
        r,
        "verdicts_migrate_names_lefthook_globs_it_cannot_carry_over",
        run
    );
    let written = r.read("hookctl.toml");
    // `format` had no readable glob: left out rather than run on every file; `lint` keeps the
    // glob it could read.
    snapshot!(r, "verdicts_migrate_lefthook_globs_toml", written);
}

#[test]
fn migrate_never_runs_lint_staged_twice_from_a_script_with_control_flow() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "app", "scripts": { "prepare": "husky" }, "lint-staged": { "*.ts": "eslint --fix" } }"#,
    )
    .write(
        ".husky/pre-commit",
        "if [ -z \"$SKIP_LINT\" ]; then\n  npx lint-staged\nfi\n",
    );
    let run = r.hookctl(&["migrate"]);
    cmd_snapshot!(r, "verdicts_migrate_lint_staged_inside_control_flow", run);
    let written = r.read("hookctl.toml");
    let config: String = written
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    // lint-staged runs once, from the script; its commands are not jobs too.
    assert_eq!(config.matches("lint-staged").count(), 1, "{written}");
    snapshot!(
        r,
        "verdicts_migrate_lint_staged_inside_control_flow_toml",
        written
    );
}

#[test]
fn a_file_staged_then_deleted_is_never_told_to_git_add() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"fix\"\nrun = \"for f in {files}; do echo x >> $f; done\"\nglob = \"*.ts\"\n",
    )
    .write("a.ts", "export const a = 1;\n")
    .commit_all("init");
    // `a.ts` partially staged (so jobs see a staged view), `b.ts` staged then deleted.
    r.write("a.ts", "export const a = 2;\n").add(&["a.ts"]);
    r.write("a.ts", "export const a = 3;\n");
    r.write("b.ts", "export const b = 1;\n").add(&["b.ts"]);
    r.remove("b.ts");
    let run = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(
        r,
        "verdicts_a_file_staged_then_deleted_is_never_told_to_git_add",
        run
    );
    // The staged content is still there, and the hint's fix restores it.
    r.git(&["restore", "b.ts"]).ok();
    assert_eq!(r.read("b.ts"), "export const b = 1;\n");
}

// ------------------------------------------------------------------ UTF-16 source files

/// `text` in UTF-16, little or big endian, with or without a BOM.
fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little { b"\xFF\xFE" } else { b"\xFE\xFF" });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if little { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

/// A source file saved as UTF-16 (Windows editors, PowerShell's `>`; tsc reads it) is read for
/// imports and env reads like its UTF-8 twin, at the same lines and columns, with the same
/// source lines shown: not skipped as binary. Each encoding a row.
#[test]
fn utf16_source_files_are_read_like_their_utf8_twin() {
    let src =
        "// é\nimport local from \"./local-only\";\nexport const k = [local, process.env.UNDECLARED_U];\n";
    let findings = |bytes: &[u8]| {
        let r = Repo::new();
        r.write("package.json", r#"{"name":"app"}"#)
            .write(".env.example", "DECLARED=\n")
            .commit_all("init");
        r.write("src/app.ts", bytes).add(&["src/app.ts"]);
        r.write("src/local-only.ts", "export default 1;\n");
        let json = r.hookctl(&["check", "--all-findings", "--format", "json"]).json();
        let list: Vec<String> = json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!(
                    "{} {}:{}:{} {}",
                    f["rule"], f["path"], f["line"], f["column"], f["message"]
                )
            })
            .collect();
        let human = r.hookctl(&["check", "--all-findings"]).stdout;
        let human = regex::Regex::new(r"in \d+ ms")
            .unwrap()
            .replace(&human, "in [TIME] ms")
            .into_owned();
        (r, list, human)
    };
    let (first, utf8, utf8_human) = findings(src.as_bytes());
    snapshot!(first, "verdicts_utf16_source_utf8_findings", utf8.join("\n"));
    for (name, little, bom) in [
        ("le_bom", true, true),
        ("be_bom", false, true),
        ("le", true, false),
        ("be", false, false),
    ] {
        let (r, list, human) = findings(&utf16(src, little, bom));
        assert_eq!(list, utf8, "{name}");
        assert_eq!(human, utf8_human, "{name}");
        if name == "le_bom" {
            crate::snapshot!(r, "verdicts_utf16_source", human);
        }
    }
}
