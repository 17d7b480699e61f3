//! A cache never changes an answer (issue 9, item 6): random sequences of edits to every kind of
//! input a verdict depends on — source text, tsconfig `paths`, a base config of another name in
//! a shared package, a base under an installed `node_modules`, a directory symlink's target,
//! renames, removals from the index, package.json dependencies — and after each edit the warm
//! run (cache kept from every earlier run) reports exactly what a cold run (no cache) reports.
//!
//! Issue 22's caches too: the `secrets/in-source` verdicts of files it does not read (binary,
//! over `[scan] max_file_size`), kept by (path, blob) under a context holding the size limit,
//! and the clean sets of several contexts kept side by side (two branches checked in turn).
//! Each key part matters: a verdict kept without the blob id (`Blob`), without the size limit
//! (`MaxSize`) or without the context (`Branch`) makes a warm run differ from a cold one.

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
    /// `docs/notes.txt`: one of [`BLOBS`] (a secret as text, behind a NUL, padded past 1 KiB,
    /// or none).
    Blob(usize),
    /// `hookctl.toml`'s `[scan] max_file_size`: 1 KiB, or the default.
    MaxSize(bool),
    /// Check out the other branch (`other` moves `apps/web/local.ts` and drops a dependency),
    /// or back: the same cache folder sees two resolution contexts in turn.
    Branch(bool),
}

/// What `docs/notes.txt` holds for [`Edit::Blob`].
const BLOBS: &[&str] = &["secret", "binary", "large", "none"];

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
        (0..BLOBS.len()).prop_map(Edit::Blob),
        any::<bool>().prop_map(Edit::MaxSize),
        any::<bool>().prop_map(Edit::Branch),
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
    r.write("docs/notes.txt", notes("none"));
    r.git(&["add", "-A"]).ok();
    r.git(&["commit", "-q", "-m", "main"]).ok();
    // The other branch: another resolution context (paths and manifests differ).
    r.git(&["checkout", "-q", "-b", "other"]).ok();
    r.git(&["mv", "apps/web/local.ts", "apps/web/elsewhere.ts"]).ok();
    r.write(
        "apps/admin/package.json",
        r#"{ "name": "admin", "version": "2.0.0" }"#,
    );
    r.git(&["add", "-A"]).ok();
    r.git(&["commit", "-q", "-m", "other"]).ok();
    r.git(&["checkout", "-q", "main"]).ok();
    r
}

/// `docs/notes.txt` for each of [`BLOBS`]: the secret is built at run time (no literal here).
fn notes(kind: &str) -> Vec<u8> {
    let secret = ["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dcMARK"].concat();
    match kind {
        "secret" => format!("key = {secret}\n").into_bytes(),
        "binary" => format!("\0key = {secret}\n").into_bytes(),
        "large" => format!("{}\nkey = {secret}\n", "# padding\n".repeat(150)).into_bytes(),
        _ => b"nothing here\n".to_vec(),
    }
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
        Edit::Blob(i) => {
            r.write("docs/notes.txt", notes(BLOBS[*i]));
        }
        Edit::MaxSize(small) => {
            let text = if *small {
                "[scan]\nmax_file_size = \"1 KiB\"\n"
            } else {
                "[scan]\n"
            };
            r.write("hookctl.toml", text);
        }
        Edit::Branch(other) => {
            // Work in progress is committed first, so the checkout always succeeds.
            r.git(&["add", "-A"]).ok();
            let _ = r.git(&["commit", "-q", "--no-verify", "-m", "wip"]);
            let _ = r.git(&["checkout", "-q", if *other { "other" } else { "main" }]);
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

/// Apply `edits` one by one; after each, the warm run (the cache of every earlier run) reports
/// what a cold run reports.
fn warm_equals_cold(edits: &[Edit]) -> Result<(), TestCaseError> {
    let r = setup();
    let _ = findings(&r);
    let cache = r.path(".git/hookctl");
    let aside = r.path(".git/hookctl-warm");
    for e in edits {
        apply(&r, e);
        let warm = findings(&r);
        // Cold: the same run with no cache; then put the warm cache back for the next edit.
        std::fs::rename(&cache, &aside).unwrap();
        let cold = findings(&r);
        std::fs::remove_dir_all(&cache).unwrap();
        std::fs::rename(&aside, &cache).unwrap();
        prop_assert_eq!(&warm, &cold, "after {:?} in {:?}", e, edits);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn warm_runs_equal_cold_runs_after_any_edit(edits in prop::collection::vec(edit(), 1..8)) {
        warm_equals_cold(&edits)?;
    }
}

/// The sequences that need each key part of issue 22's caches, every time (random sequences
/// find them only now and then): the blob id of a verdict of an unread file, the size limit in
/// its context, and the resolution context of each clean set kept side by side.
#[test]
fn each_key_part_of_the_verdict_caches_matters() {
    use Edit::*;
    let blob = |k: &str| Blob(BLOBS.iter().position(|b| *b == k).unwrap());
    for edits in [
        vec![blob("binary"), blob("secret")],
        vec![MaxSize(true), blob("large"), MaxSize(false)],
        vec![Branch(true), Source(0, 4), Branch(false), Branch(true)],
    ] {
        warm_equals_cold(&edits).unwrap();
    }
}
