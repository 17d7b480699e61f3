//! A cache never changes an answer (issue 9, item 6): random sequences of edits to every kind of
//! input a verdict depends on — source text, tsconfig `paths`, a base config of another name in
//! a shared package, a base under an installed `node_modules`, a directory symlink's target,
//! renames, removals from the index, package.json dependencies — and after each edit the warm
//! run (cache kept from every earlier run) reports exactly what a cold run (no cache) reports.

use proptest::prelude::*;

use crate::common::*;

#[derive(Debug, Clone)]
enum Edit {
    /// Rewrite `src/p<i>.ts` to import specifier `j` (each file imports one specifier, so each
    /// file's verdict is cached or not on its own).
    Source(usize, usize),
    /// `apps/web/tsconfig.json`'s `baseUrl` folder.
    AppPaths(usize),
    /// The shared base `packages/tsconfig/base.json`'s `@lib/*` target folder.
    BasePaths(usize),
    /// The installed base `node_modules/@tsconfig/strict/tsconfig.json`'s `~/*` target folder
    /// (`apps/admin` extends it).
    InstalledBase(usize),
    /// `apps/web/linked` -> one of the folders.
    Symlink(usize),
    /// `git mv` a module file to another name, or back.
    Rename(bool),
    /// Remove a module from the index (the file stays on disk), or add it back.
    Unstage(bool),
    /// Whether `apps/web/package.json` declares `zod`.
    Dependency(bool),
}

const SPECS: &[&str] = &[
    "button",
    "@lib/util",
    "~/helper",
    "../linked/mod",
    "../local",
    "zod",
    "../../../packages/lib/util",
];
const FOLDERS: &[&str] = &["ui", "components", "lib", "nowhere"];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..SPECS.len(), 0..SPECS.len()).prop_map(|(i, j)| Edit::Source(i, j)),
        (0..FOLDERS.len()).prop_map(Edit::AppPaths),
        (0..FOLDERS.len()).prop_map(Edit::BasePaths),
        (0..FOLDERS.len()).prop_map(Edit::InstalledBase),
        (0..FOLDERS.len()).prop_map(Edit::Symlink),
        any::<bool>().prop_map(Edit::Rename),
        any::<bool>().prop_map(Edit::Unstage),
        any::<bool>().prop_map(Edit::Dependency),
    ]
}

fn app_tsconfig(folder: &str) -> String {
    format!(
        r#"{{ "extends": "tsconfig/base.json", "compilerOptions": {{ "moduleResolution": "bundler", "baseUrl": "./{folder}" }} }}"#
    )
}

fn base(folder: &str) -> String {
    format!(
        r#"{{ "compilerOptions": {{ "paths": {{ "@lib/*": ["../../apps/web/{folder}/*"] }} }}, "include": ["src"] }}"#
    )
}

fn installed(folder: &str) -> String {
    format!(r#"{{ "compilerOptions": {{ "paths": {{ "~/*": ["../../../apps/web/{folder}/*"] }} }} }}"#)
}

fn source(spec: &str) -> String {
    format!("import * as m from \"{spec}\";\nexport default m;\n")
}

fn setup() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "root", "private": true, "workspaces": ["apps/*", "packages/*"] }"#,
    );
    r.write(".gitignore", "node_modules/\n");
    r.write(
        "packages/tsconfig/package.json",
        r#"{ "name": "tsconfig", "version": "1.0.0" }"#,
    );
    r.write("packages/tsconfig/base.json", base("lib"));
    r.write("packages/lib/util.ts", "export const u = 1;\n");
    r.write(
        "apps/web/package.json",
        r#"{ "name": "web", "dependencies": { "tsconfig": "workspace:*" } }"#,
    );
    r.write("apps/web/tsconfig.json", app_tsconfig("ui"));
    r.write("apps/admin/package.json", r#"{ "name": "admin" }"#);
    r.write(
        "apps/admin/tsconfig.json",
        r#"{ "extends": "@tsconfig/strict/tsconfig.json", "compilerOptions": { "moduleResolution": "bundler" } }"#,
    );
    r.write(
        "node_modules/@tsconfig/strict/package.json",
        r#"{ "name": "@tsconfig/strict" }"#,
    );
    r.write("node_modules/@tsconfig/strict/tsconfig.json", installed("lib"));
    for folder in FOLDERS.iter().take(3) {
        r.write(&format!("apps/web/{folder}/button.ts"), "export const b = 1;\n");
        r.write(&format!("apps/web/{folder}/util.ts"), "export const u = 1;\n");
        r.write(&format!("apps/web/{folder}/helper.ts"), "export const h = 1;\n");
        r.write(&format!("apps/web/{folder}/mod.ts"), "export const m = 1;\n");
    }
    r.write("apps/web/local.ts", "export const l = 1;\n");
    std::os::unix::fs::symlink("ui", r.path("apps/web/linked")).unwrap();
    for (i, spec) in SPECS.iter().enumerate() {
        r.write(&format!("apps/web/src/p{i}.ts"), source(spec));
        r.write(&format!("apps/admin/src/p{i}.ts"), source(spec));
    }
    r.git(&["add", "-A"]).ok();
    r
}

fn apply(r: &Repo, e: &Edit) {
    match e {
        Edit::Source(i, j) => {
            r.write(&format!("apps/web/src/p{i}.ts"), source(SPECS[*j]));
        }
        Edit::AppPaths(f) => {
            r.write("apps/web/tsconfig.json", app_tsconfig(FOLDERS[*f]));
        }
        Edit::BasePaths(f) => {
            r.write("packages/tsconfig/base.json", base(FOLDERS[*f]));
        }
        Edit::InstalledBase(f) => {
            r.write(
                "node_modules/@tsconfig/strict/tsconfig.json",
                installed(FOLDERS[*f]),
            );
        }
        Edit::Symlink(f) => {
            let _ = std::fs::remove_file(r.path("apps/web/linked"));
            std::os::unix::fs::symlink(FOLDERS[*f], r.path("apps/web/linked")).unwrap();
        }
        Edit::Rename(away) => {
            let (from, to) = if *away {
                ("apps/web/local.ts", "apps/web/moved.ts")
            } else {
                ("apps/web/moved.ts", "apps/web/local.ts")
            };
            if r.path(from).exists() {
                r.git(&["mv", from, to]).ok();
            }
        }
        Edit::Unstage(unstage) => {
            if *unstage {
                let _ = r.git(&[
                    "rm",
                    "-q",
                    "--cached",
                    "--ignore-unmatch",
                    "apps/web/ui/button.ts",
                ]);
                return; // not `git add -A`: the file stays untracked on disk
            }
        }
        Edit::Dependency(declared) => {
            let deps = if *declared {
                r#"{ "tsconfig": "workspace:*", "zod": "^3" }"#
            } else {
                r#"{ "tsconfig": "workspace:*" }"#
            };
            r.write(
                "apps/web/package.json",
                format!(r#"{{ "name": "web", "dependencies": {deps} }}"#),
            );
        }
    }
    r.git(&["add", "-A"]).ok();
}

fn findings(r: &Repo) -> String {
    let run = r.hookctl(&["check", "--all-findings", "--format", "json"]);
    assert!(run.code == 0 || run.code == 1, "{}", run.all());
    let json = run.json();
    serde_json::to_string_pretty(&json["findings"]).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn warm_runs_equal_cold_runs_after_any_edit(edits in prop::collection::vec(edit(), 1..8)) {
        let r = setup();
        let _ = findings(&r);
        let cache = r.path(".git/hookctl");
        let aside = r.path(".git/hookctl-warm");
        for e in &edits {
            apply(&r, e);
            let warm = findings(&r);
            // Cold: the same run with no cache; then put the warm cache back for the next edit.
            std::fs::rename(&cache, &aside).unwrap();
            let cold = findings(&r);
            std::fs::remove_dir_all(&cache).unwrap();
            std::fs::rename(&aside, &cache).unwrap();
            prop_assert_eq!(&warm, &cold, "after {:?}", e);
        }
    }
}
