//! A cache never changes an answer (issue 9, item 6): random sequences of edits to every kind of
//! input a verdict depends on — source text, tsconfig `paths`, a base config of another name in
//! a shared package, a base under an installed `node_modules`, a directory symlink's target,
//! renames, removals from the index, package.json dependencies — and after each edit the warm
//! run (cache kept from every earlier run) reports exactly what a cold run (no cache) reports.
//!
//! Issue 22's caches too: the `declare module` names of each declaration file, kept by blob id
//! (`Ambient`); the `secrets/in-source` verdicts of files it does not read (binary,
//! over `[scan] max_file_size`), kept by (path, blob) under a context holding the size limit,
//! and the clean sets of several contexts kept side by side (two branches checked in turn).
//! Each key part matters: declared names or a verdict kept without the blob id (`Ambient`,
//! `Blob`), without the size limit
//! (`MaxSize`) or without the context (`Branch`) makes a warm run differ from a cold one.
//!
//! A warm full check decodes a cached file's imports only when a rule asks for them: the
//! imports loop (a file not in the clean set), `env/required-by-package` (an import of a package
//! that needs variables: `apps/auth`) and `deps/dev-only-at-runtime` (an import of a package
//! some package.json has in `devDependencies`: `apps/api`). Those files are clean, so leaving
//! out either rule's question makes the first warm run miss its finding (`EnvExample`,
//! `DevDep` edit around them). The files found free of imports `env/required-by-package` asks
//! about are kept by (path, blob): without the blob, `apps/auth/src/auth.ts` importing
//! `next-auth` again (`AuthImport`) is not walked and its finding is missed. A path set found
//! free of case collisions is kept under a hash of the path set: without it, `CaseTwin`'s
//! collision is missed.
//!
//! Verdicts kept per folder by its cache-tree id (`Commit` makes the index's cache tree vouch
//! for every folder again): the folders free of secrets (`secrets-folders`) and of imports
//! `env/required-by-package` asks about (`required-folders`) are keyed by (folder path, tree
//! id) in a context holding the size limit and `[secrets] skip`; the collision-free path set is
//! named by the root tree id. Without the tree id a folder's new secret or import is missed
//! (`Blob`, `AuthImport` then `Commit`); without the path, one tree skipped under `fixtures/` or
//! not source under `node_modules` vouches for its copy elsewhere (`Fixture`, `Kit`); without
//! the size limit or the skip globs in the context, `docs/` unchanged keeps a verdict made
//! under another setting (`MaxSize`, `SkipDocs`). The env files `secrets/env-file` found clean
//! are kept by (path, blob): without the blob the secret `EnvFile` writes is missed.

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
    /// Whether `apps/auth/.env.example` declares `NEXTAUTH_SECRET` (`next-auth` needs it).
    EnvExample(bool),
    /// Whether `apps/auth/src/auth.ts` imports `next-auth` (the same path, another blob: the
    /// set of files with no import `env/required-by-package` asks about is keyed by blob).
    AuthImport(bool),
    /// Whether `apps/web/src/P0.ts` sits beside `apps/web/src/p0.ts` (a case collision: the
    /// verdict kept for a collision-free path set is keyed by the path set).
    CaseTwin(bool),
    /// Whether `apps/api` (started by `node`) has `dotenv` in `devDependencies` (else in
    /// `dependencies`).
    DevDep(bool),
    /// Whether `apps/web/src/routes.d.ts` declares the module `routes-mod`, which
    /// `apps/web/src/routes.ts` imports (else `other-mod`): the declared names are kept by the
    /// declaration file's blob id.
    Ambient(bool),
    /// Check out the other branch (`other` moves `apps/web/local.ts` and drops a dependency),
    /// or back: the same cache folder sees two resolution contexts in turn.
    Branch(bool),
    /// Commit the work in progress: the index's cache tree vouches for every folder again (the
    /// verdicts kept per folder are keyed by its tree id and path).
    Commit,
    /// A secret in `docs/fixtures/keys/key.txt` (skipped by `[secrets] skip`'s default) or the
    /// same folder moved to `docs/keys/`: one tree id, two paths.
    Fixture(bool),
    /// `apps/auth/node_modules/kit/` (not source) or the same folder moved to `apps/auth/kit/`,
    /// its file importing `next-auth`: one tree id, two paths.
    Kit(bool),
    /// `hookctl.toml`'s `[secrets] skip`: `docs/**`, or the default.
    SkipDocs(bool),
    /// What the committed `apps/auth/.env.production` holds: a value of a known secret format
    /// (`secrets/env-file`), or none. An env file found clean is kept by (path, blob): without
    /// the blob, the secret written into the clean file is missed.
    EnvFile(bool),
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
        any::<bool>().prop_map(Edit::EnvExample),
        any::<bool>().prop_map(Edit::AuthImport),
        any::<bool>().prop_map(Edit::CaseTwin),
        any::<bool>().prop_map(Edit::DevDep),
        any::<bool>().prop_map(Edit::Ambient),
        Just(Edit::Commit),
        any::<bool>().prop_map(Edit::Fixture),
        any::<bool>().prop_map(Edit::Kit),
        any::<bool>().prop_map(Edit::SkipDocs),
        any::<bool>().prop_map(Edit::EnvFile),
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
    r.write("apps/web/src/routes.d.ts", ambient(true));
    r.write(
        "apps/web/src/routes.ts",
        "import routes from \"routes-mod\";\nexport default routes;\n",
    );
    r.write(
        "apps/auth/package.json",
        r#"{ "name": "auth", "dependencies": { "next-auth": "^4" } }"#,
    );
    r.write(
        "apps/auth/src/auth.ts",
        "import NextAuth from \"next-auth\";\nexport default NextAuth;\n",
    );
    r.write("apps/api/package.json", api_manifest(true));
    r.write(
        "apps/api/src/server.ts",
        "import \"dotenv/config\";\nexport const port = 1;\n",
    );
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

/// `apps/api/package.json`: a package `node` starts, with `dotenv` only for development or not.
fn api_manifest(dev: bool) -> String {
    let field = if dev { "devDependencies" } else { "dependencies" };
    format!(
        r#"{{ "name": "api", "scripts": {{ "start": "node src/server.js" }}, "{field}": {{ "dotenv": "^16" }} }}"#
    )
}

/// `apps/web/src/routes.d.ts`: declares `routes-mod` (imported beside it) or another module.
fn ambient(declares: bool) -> String {
    let name = if declares { "routes-mod" } else { "other-mod" };
    format!("declare module \"{name}\";\n")
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

/// Sets the modification time of every file under `dir` written in the last few seconds (not
/// `.git`, not symlinks) to five seconds ago. Files older than that keep their times, so git
/// sees no change in their stat data and keeps their cache-tree folders valid.
fn backdate_recent_files(dir: &std::path::Path) {
    let now = std::time::SystemTime::now();
    let past = now - std::time::Duration::from_secs(5);
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if meta.is_dir() && entry.file_name() != ".git" {
            backdate_recent_files(&path);
        } else if meta.is_file() && meta.modified().unwrap() > past {
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(past).unwrap();
        }
    }
}

#[expect(clippy::too_many_lines, reason = "one arm per edit of the property test")]
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
            let skip = read_config(r).contains("skip");
            r.write("hookctl.toml", config(*small, skip));
        }
        Edit::SkipDocs(skip) => {
            let small = read_config(r).contains("max_file_size");
            r.write("hookctl.toml", config(small, *skip));
        }
        Edit::Commit => {
            // Files written in the same second as the index are racily clean: a later `git add`
            // adds them again and invalidates their folders. Dating the files just written a
            // few seconds back makes every file older than the index the commit writes.
            backdate_recent_files(&r.root);
            r.git(&["add", "-A"]).ok();
            let _ = r.git(&["commit", "-q", "--no-verify", "-m", "wip"]);
            return;
        }
        Edit::Fixture(skipped) => {
            let (to, from) = if *skipped {
                ("docs/fixtures/keys/key.txt", "docs/keys/key.txt")
            } else {
                ("docs/keys/key.txt", "docs/fixtures/keys/key.txt")
            };
            let _ = r.git(&["rm", "-q", "--cached", "--ignore-unmatch", from]);
            let _ = std::fs::remove_file(r.path(from));
            r.write(to, notes("secret"));
        }
        Edit::Kit(installed) => {
            let (to, from) = if *installed {
                ("apps/auth/node_modules/kit/auth.ts", "apps/auth/kit/auth.ts")
            } else {
                ("apps/auth/kit/auth.ts", "apps/auth/node_modules/kit/auth.ts")
            };
            let _ = r.git(&["rm", "-q", "--cached", "--ignore-unmatch", from]);
            let _ = std::fs::remove_file(r.path(from));
            r.write(
                to,
                "import NextAuth from \"next-auth\";\nexport default NextAuth;\n",
            );
            // Tracked although `node_modules/` is ignored.
            r.git(&["add", "-f", to]).ok();
        }
        Edit::Branch(other) => {
            // Work in progress is committed first, so the checkout always succeeds.
            r.git(&["add", "-A"]).ok();
            let _ = r.git(&["commit", "-q", "--no-verify", "-m", "wip"]);
            let _ = r.git(&["checkout", "-q", if *other { "other" } else { "main" }]);
        }
        Edit::EnvExample(declared) => {
            let text = if *declared {
                "NEXTAUTH_SECRET=\n"
            } else {
                "OTHER=\n"
            };
            r.write("apps/auth/.env.example", text);
        }
        Edit::EnvFile(secret) => {
            // Built at run time: the source holds no literal that secret scanners flag.
            let value = if *secret {
                ["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"].concat()
            } else {
                "https://example.com".to_string()
            };
            r.write("apps/auth/.env.production", format!("PAYMENT_KEY={value}\n"));
        }
        Edit::DevDep(dev) => {
            r.write("apps/api/package.json", api_manifest(*dev));
        }
        Edit::Ambient(declares) => {
            r.write("apps/web/src/routes.d.ts", ambient(*declares));
        }
        Edit::CaseTwin(present) => {
            if *present {
                r.write("apps/web/src/P0.ts", "export const twin = 1;\n");
            } else {
                let _ = r.git(&["rm", "-q", "--cached", "--ignore-unmatch", "apps/web/src/P0.ts"]);
                let _ = std::fs::remove_file(r.path("apps/web/src/P0.ts"));
            }
        }
        Edit::AuthImport(imports) => {
            let text = if *imports {
                "import NextAuth from \"next-auth\";\nexport default NextAuth;\n"
            } else {
                "export default 1;\n"
            };
            r.write("apps/auth/src/auth.ts", text);
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

/// `hookctl.toml` as [`Edit::MaxSize`] and [`Edit::SkipDocs`] leave it.
fn config(small: bool, skip_docs: bool) -> String {
    let mut text = String::from("[scan]\n");
    if small {
        text.push_str("max_file_size = \"1 KiB\"\n");
    }
    if skip_docs {
        text.push_str("[secrets]\nskip = [\"docs/**\"]\n");
    }
    text
}

fn read_config(r: &Repo) -> String {
    std::fs::read_to_string(r.path("hookctl.toml")).unwrap_or_default()
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
/// its context, the resolution context of each clean set kept side by side, and each rule's
/// question before a cached file's imports are left undecoded.
#[test]
fn each_key_part_of_the_verdict_caches_matters() {
    use Edit::*;
    let blob = |k: &str| Blob(BLOBS.iter().position(|b| *b == k).unwrap());
    for edits in [
        vec![blob("binary"), blob("secret")],
        vec![MaxSize(true), blob("large"), MaxSize(false)],
        vec![Branch(true), Source(0, 4), Branch(false), Branch(true)],
        // The first warm run after setup: clean files whose imports only a rule other than
        // the imports loop reads.
        vec![EnvExample(false), EnvExample(true), DevDep(false), DevDep(true)],
        // The declared names of a declaration file, kept by its blob id.
        vec![Ambient(false), Ambient(true), Ambient(false)],
        // A file found free of such imports (on the run after its edit: its first run
        // decodes its imports for the imports loop), then importing `next-auth` again under
        // the same path.
        vec![
            EnvExample(false),
            AuthImport(false),
            blob("none"),
            AuthImport(true),
        ],
        // A path set found free of case collisions, then one with a collision.
        vec![CaseTwin(false), CaseTwin(true)],
        // The same, each path set named by the index's root tree id (committed).
        vec![CaseTwin(false), Commit, CaseTwin(true), Commit],
        // Folders kept free of secrets, by tree id: `docs/` clean, then with a secret, each
        // committed.
        vec![blob("none"), Commit, blob("secret"), Commit],
        // ... by path: one tree, skipped under `fixtures/`, then elsewhere.
        vec![Fixture(true), Commit, Fixture(false), Commit],
        // ... in a context holding the size limit and the skip globs: `docs/` unchanged.
        vec![MaxSize(true), blob("large"), Commit, MaxSize(false)],
        vec![blob("secret"), SkipDocs(true), Commit, SkipDocs(false)],
        // Folders kept free of imports `env/required-by-package` asks about, by tree id
        // (`apps/auth/src/`: its file found free on the run after its edit, then importing
        // `next-auth` again, each committed) ...
        vec![
            EnvExample(false),
            AuthImport(false),
            blob("none"),
            Commit,
            AuthImport(true),
            Commit,
        ],
        // An env file found clean, kept by (path, blob), then holding a secret.
        vec![EnvFile(false), EnvFile(true), EnvFile(false)],
        // ... and by path: one tree, not source under `node_modules`, then source.
        vec![
            EnvExample(false),
            AuthImport(false),
            Kit(true),
            Commit,
            Kit(false),
            Commit,
        ],
    ] {
        warm_equals_cold(&edits).unwrap();
    }
}

// ------------------------------------------------------------- the import graph (`{affected}`)

/// An edit for the graph property: every kind of input `{affected}` depends on, with aliases
/// that rename what they map (`*-impl`, exact names) so that an added file's name does not say
/// which imports it captures.
#[derive(Debug, Clone)]
enum GraphEdit {
    /// Add or remove a file that some mapping prefers once it exists.
    Late(usize),
    /// `git mv` an early file to its other name, or back.
    Rename(usize),
    /// Importer `i` imports specifier `j`.
    Source(usize, usize),
    /// tsconfig `paths` variant.
    Paths(usize),
    /// `packages/ui-kit` `exports` variant.
    Exports(usize),
}

/// Files present at first, and their other names.
const EARLY: &[(&str, &str)] = &[
    ("src/helpers/format.ts", "src/helpers/fmt.ts"),
    ("src/database/client.ts", "src/database/conn.ts"),
    ("packages/ui-kit/src/button.ts", "packages/ui-kit/src/btn.ts"),
    ("src/lib/index.ts", "src/lib/main.ts"),
];
/// Files that do not exist at first.
const LATE: &[&str] = &[
    "src/lib/format-impl.ts",
    "src/gen/client.ts",
    "packages/ui-kit/src/button-impl.ts",
    "src/lib.ts",
    "src/pre-format.ts",
];
const GRAPH_SPECS: &[&str] = &[
    "@impl/format",
    "@db",
    "@acme/ui/button",
    "./lib",
    "@pre/format",
    "@/helpers/format",
];
const GRAPH_IMPORTERS: &[&str] = &["src/a.ts", "src/b.ts", "src/c/d.ts"];
const GRAPH_PATHS: &[&str] = &[
    r#"{ "@/*": ["./src/*"], "@impl/*": ["./src/lib/*-impl", "./src/helpers/*"], "@db": ["./src/gen/client.ts", "./src/database/client.ts"], "@pre/*": ["./src/pre-*", "./src/helpers/*"] }"#,
    r#"{ "@/*": ["./src/*"], "@impl/*": ["./src/helpers/*"] }"#,
];
const GRAPH_EXPORTS: &[&str] = &[
    r#"{ "./*": ["./src/*-impl.ts", "./src/*.ts"] }"#,
    r#"{ "./*": "./src/*.ts" }"#,
];

fn graph_edit() -> impl Strategy<Value = GraphEdit> {
    prop_oneof![
        3 => (0..LATE.len()).prop_map(GraphEdit::Late),
        1 => (0..EARLY.len()).prop_map(GraphEdit::Rename),
        1 => (0..GRAPH_IMPORTERS.len(), 0..GRAPH_SPECS.len()).prop_map(|(i, j)| GraphEdit::Source(i, j)),
        1 => (0..GRAPH_PATHS.len()).prop_map(GraphEdit::Paths),
        1 => (0..GRAPH_EXPORTS.len()).prop_map(GraphEdit::Exports),
    ]
}

fn graph_tsconfig(paths: &str) -> String {
    format!(r#"{{ "compilerOptions": {{ "moduleResolution": "bundler", "paths": {paths} }} }}"#)
}

fn graph_ui(exports: &str) -> String {
    format!(r#"{{ "name": "@acme/ui", "exports": {exports} }}"#)
}

fn graph_setup() -> Repo {
    let r = Repo::new();
    let out = r.sibling("affected");
    r.write(
        "package.json",
        r#"{ "name": "app", "private": true, "workspaces": ["packages/*"], "dependencies": { "@acme/ui": "*" } }"#,
    )
    .write("packages/ui-kit/package.json", graph_ui(GRAPH_EXPORTS[0]))
    .write("tsconfig.json", graph_tsconfig(GRAPH_PATHS[0]))
    .write(
        "hookctl.toml",
        format!(
            "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"affected\"\nrun = \"printf '%s\\\\n' {{affected}} > {}\"\n",
            out.display()
        ),
    );
    for (f, _) in EARLY {
        r.write(f, "export const v = 1;\n");
    }
    for (i, p) in GRAPH_IMPORTERS.iter().enumerate() {
        r.write(p, source(GRAPH_SPECS[i]));
    }
    r.commit_all("init");
    r
}

fn graph_apply(r: &Repo, e: &GraphEdit) {
    let exists = |p: &str| r.path(p).exists();
    match e {
        GraphEdit::Late(i) => {
            if exists(LATE[*i]) {
                r.git(&["rm", "-q", "-f", LATE[*i]]).ok();
            } else {
                r.write(LATE[*i], "export const v = 2;\n");
            }
        }
        GraphEdit::Rename(i) => {
            let (a, b) = EARLY[*i];
            let (from, to) = if exists(a) { (a, b) } else { (b, a) };
            if exists(from) && !exists(to) {
                r.git(&["mv", from, to]).ok();
            }
        }
        GraphEdit::Source(i, j) => {
            r.write(GRAPH_IMPORTERS[*i], source(GRAPH_SPECS[*j]));
        }
        GraphEdit::Paths(v) => {
            r.write("tsconfig.json", graph_tsconfig(GRAPH_PATHS[*v]));
        }
        GraphEdit::Exports(v) => {
            r.write("packages/ui-kit/package.json", graph_ui(GRAPH_EXPORTS[*v]));
        }
    }
    r.git(&["add", "-A"]).ok();
}

/// `{affected}` of each seed group: the files that appear later, and those present at first.
fn affected_sets(r: &Repo) -> Vec<Vec<String>> {
    let late: Vec<&str> = LATE
        .iter()
        .copied()
        .chain(EARLY.iter().map(|(_, b)| *b))
        .filter(|p| r.path(p).exists())
        .collect();
    let early: Vec<&str> = EARLY
        .iter()
        .map(|(a, _)| *a)
        .filter(|p| r.path(p).exists())
        .collect();
    let mut sets = Vec::new();
    for seeds in [late, early] {
        if seeds.is_empty() {
            sets.push(Vec::new());
            continue;
        }
        let mut args = vec!["run", "pre-commit", "--files"];
        args.extend(seeds);
        r.hookctl(&args).ok();
        let text = std::fs::read_to_string(r.sibling("affected")).unwrap();
        let mut set: Vec<String> = text.lines().map(str::to_string).collect();
        set.sort();
        sets.push(set);
    }
    sets
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, max_shrink_iters: 20, ..ProptestConfig::default() })]

    /// The stored import graph never changes `{affected}`: after any sequence of additions,
    /// renames and edits, a warm run equals a run without the stored graph.
    #[test]
    fn warm_affected_equals_cold_affected_after_any_edit(edits in prop::collection::vec(graph_edit(), 1..8)) {
        let r = graph_setup();
        let _ = affected_sets(&r);
        let graph = r.path(".git/hookctl/graph.bin");
        let aside = r.path(".git/hookctl/graph.warm");
        for e in &edits {
            graph_apply(&r, e);
            let warm = affected_sets(&r);
            std::fs::rename(&graph, &aside).unwrap();
            let cold = affected_sets(&r);
            std::fs::rename(&aside, &graph).unwrap();
            prop_assert_eq!(&warm, &cold, "after {:?}", e);
        }
    }
}

// ------------------------------------------------------------- bounded verdict sets

/// The verdict sets keyed by blob or tree id under a context of settings alone (secrets per
/// file and per folder, env files, imports free of needing packages per file and per folder)
/// gain an entry with every edit and never lose one to a new context: a save past twice the
/// live entries (plus the slack, 0 here) keeps only the snapshot's own and the run's. One file
/// edited and committed 30 times leaves each set within that bound, and the last warm run
/// answers as a cold one.
#[test]
fn verdict_sets_stay_bounded_as_a_file_is_edited_commit_after_commit() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "app", "dependencies": { "next-auth": "4" } }"#,
    );
    r.write(".env.example", "NEXTAUTH_SECRET=\n");
    r.write(".env.production", "API_URL=https://example.com\n");
    for i in 0..8 {
        r.write(&format!("src/m{i}.ts"), format!("export const m{i} = {i};\n"));
    }
    r.write(
        "src/auth.ts",
        "import NextAuth from 'next-auth';\nexport default NextAuth;\n",
    );
    r.commit_all("init");
    let slack = [("HOOKCTL_CLEAN_SLACK", "0")];
    let files = r.git(&["ls-files"]).stdout.lines().count();
    let entries = |stem: &str| -> Vec<usize> {
        std::fs::read_dir(r.path(".git/hookctl"))
            .unwrap()
            .flatten()
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.starts_with(&format!("{stem}.")) && name.ends_with(".bin")
            })
            .map(|e| (e.metadata().unwrap().len() as usize - 32) / 28)
            .collect()
    };
    for i in 0..30 {
        r.write("src/m0.ts", format!("export const m0 = {i};\n"));
        r.write(".env.production", format!("API_URL=https://example.com/{i}\n"));
        r.commit_all(&format!("edit {i}"));
        r.hookctl_env(&["check"], &slack, None);
    }
    for stem in [
        "secrets-clean",
        "secrets-folders",
        "secrets-env-clean",
        "required-imports",
        "required-folders",
    ] {
        let sizes = entries(stem);
        assert!(!sizes.is_empty(), "no {stem} set was written");
        for n in sizes {
            // At most twice the live pairs, and the last run's (2 folders and 3 files at most).
            assert!(n <= 2 * files + 3, "{stem}: {n} entries for {files} files");
        }
    }
    let warm = r
        .hookctl_env(&["check", "--all-findings", "--format", "json"], &slack, None)
        .json();
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    let cold = r
        .hookctl_env(&["check", "--all-findings", "--format", "json"], &slack, None)
        .json();
    assert_eq!(warm["findings"], cold["findings"]);
}

/// A cold full check leaves nothing for the next one to learn: every verdict set it writes is
/// the one a warm run would (the sets a fresh clone downloads in the context bundle are the cold
/// run's, so a set left short there is work every fresh clone does again). A second run,
/// warm, writes no file of the cache folder anew.
#[test]
fn a_cold_check_leaves_nothing_for_a_warm_one_to_learn() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{ "name": "app", "dependencies": { "next-auth": "4", "left-pad": "1" } }"#,
    );
    r.write(".env.example", "NEXTAUTH_SECRET=\n");
    for i in 0..40 {
        let dir = if i % 2 == 0 { "src/a" } else { "src/b" };
        r.write(
            &format!("{dir}/m{i}.ts"),
            format!("import pad from 'left-pad';\nexport const m{i} = pad('{i}', 3);\n"),
        );
    }
    r.write(
        "src/auth.ts",
        "import NextAuth from 'next-auth';\nexport default NextAuth;\n",
    );
    r.commit_all("init");
    // Saves in place (none detached), to read the folder right after each run.
    let env = [("HOOKCTL_DETACH_SAVE_BYTES", "1000000000")];
    let files = || -> std::collections::BTreeMap<String, Vec<u8>> {
        std::fs::read_dir(r.path(".git/hookctl"))
            .unwrap()
            .flatten()
            .map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect()
    };
    let cold = r.hookctl_env(&["check", "--all-findings", "--format", "json"], &env, None);
    let after_cold = files();
    assert!(
        after_cold.keys().any(|n| n.starts_with("required-imports.")),
        "{:?}",
        after_cold.keys()
    );
    let warm = r.hookctl_env(&["check", "--all-findings", "--format", "json"], &env, None);
    assert_eq!(warm.json()["findings"], cold.json()["findings"]);
    let after_warm = files();
    let learnt: Vec<&String> = after_warm
        .iter()
        .filter(|(n, b)| after_cold.get(*n) != Some(b))
        .map(|(n, _)| n)
        .collect();
    assert!(learnt.is_empty(), "the warm run wrote {learnt:?}");
}
