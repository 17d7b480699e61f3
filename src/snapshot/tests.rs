//! [`super::is_special`] covers every name a filter over [`super::Snapshot::special_paths`]
//! looks for: a name one of those filters matches and `is_special` misses would be a config,
//! env file or manifest silently ignored.

use proptest::prelude::*;

use super::{EntryKind, is_special};

/// Run `git` in `dir` for a unit test (a fixed identity, never the caller's index), failing the
/// test with git's message when it fails.
pub(super) fn git(dir: &std::path::Path, args: &[&str]) {
    let out = crate::git::command(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.invalid"])
        .args(args)
        .env_remove("GIT_INDEX_FILE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every filter that iterates `special_paths` instead of every path, as "does it match".
fn wanted(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let under_modules = path.split('/').any(|c| c == "node_modules");
    if under_modules {
        return Some("under node_modules");
    }
    if name == "package.json" || name == "turbo.json" {
        return Some("package.json / turbo.json");
    }
    if crate::resolve::clean::is_tsconfig_name(name) {
        return Some("tsconfig");
    }
    if [".d.ts", ".d.mts", ".d.cts"].iter().any(|s| name.ends_with(s)) {
        return Some("declaration file");
    }
    if crate::bundler::is_config(name) {
        return Some("bundler or Deno config");
    }
    if crate::env::declarations::env_file_kind(path).is_some() {
        return Some("env file");
    }
    if crate::env::manifests::manifest_kind(path).is_some() {
        return Some("manifest");
    }
    if name == ".gitignore" {
        return Some(".gitignore");
    }
    if crate::rules::node_version::VERSION_FILES.contains(&name) {
        return Some("Node version file");
    }
    if crate::rules::deps_lockfile_drift::LOCKFILES.contains(&name) {
        return Some("lockfile");
    }
    None
}

const WORDS: &[&str] = &[
    "",
    "env",
    "package",
    "tsconfig",
    "jsconfig",
    "app",
    "vite",
    "vitest",
    "next",
    "nuxt",
    "svelte",
    "astro",
    "webpack",
    "vite.config",
    "vitest.config",
    "next.config",
    "nuxt.config",
    "svelte.config",
    "astro.config",
    "webpack.config",
    "test",
    "spec",
    "module",
    "CONFIG",
    "D",
    "ENV",
    "rc",
    "config",
    "base",
    "d",
    "deno",
    "turbo",
    "Dockerfile",
    "dockerfile",
    "Containerfile",
    "docker-compose",
    "compose",
    "example",
    "sample",
    "template",
    "local",
    "production",
    "dev",
    "flaskenv",
    "index",
    "ts",
    "tsx",
    "js",
    "mjs",
    "cjs",
    "mts",
    "cts",
    "json",
    "jsonc",
    "yml",
    "yaml",
    "vue",
    "md",
    "css",
    "node_modules",
    "src",
    "gitignore",
    "nvmrc",
    "node-version",
    "tool-versions",
    "package-lock",
    "npm-shrinkwrap",
    "pnpm-lock",
    "yarn",
    "lock",
];

fn name() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((0..WORDS.len(), 0..4usize), 1..5),
        proptest::bool::ANY,
    )
        .prop_map(|(parts, dot_first)| {
            let mut out = String::new();
            if dot_first {
                out.push('.');
            }
            for (i, (w, sep)) in parts.into_iter().enumerate() {
                if i > 0 {
                    out.push(['.', '-', '_', '.'][sep]);
                }
                out.push_str(WORDS[w]);
            }
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]
    #[test]
    fn every_wanted_name_is_special(dir in proptest::option::of(name()), file in name()) {
        let path = match dir {
            Some(d) if !d.is_empty() => format!("{d}/{file}"),
            _ => file,
        };
        if let Some(why) = wanted(&path) {
            prop_assert!(is_special(&path, EntryKind::File), "{path} ({why}) is not special");
        }
    }
}

/// `is_special` as it was first written, on `str` searches: the byte version must answer alike.
fn special_by_str(path: &str, kind: EntryKind) -> bool {
    if kind != EntryKind::File || path.starts_with("node_modules/") || path.contains("/node_modules/") {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path);
    let (Some((first, _)), Some((rest, ext))) = (name.split_once('.'), name.rsplit_once('.')) else {
        return true;
    };
    first.is_empty()
        || !super::PLAIN_EXTENSIONS.contains(&ext)
        || first.eq_ignore_ascii_case("dockerfile")
        || first.eq_ignore_ascii_case("env")
        || rest
            .split('.')
            .skip(1)
            .any(|w| w.eq_ignore_ascii_case("config") || w.eq_ignore_ascii_case("d"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]
    #[test]
    fn special_on_bytes_answers_as_on_str(
        dir in proptest::option::of(name()),
        file in name(),
        modules in proptest::sample::select(vec!["", "node_modules/", "a/node_modules/", "xnode_modules/", "node_modules"]),
    ) {
        let path = match dir {
            Some(d) if !d.is_empty() => format!("{modules}{d}/{file}"),
            _ => format!("{modules}{file}"),
        };
        for kind in [EntryKind::File, EntryKind::Symlink] {
            prop_assert_eq!(is_special(&path, kind), special_by_str(&path, kind), "{}", path);
        }
    }
}

#[test]
fn plain_sources_are_not_special_and_links_are() {
    for p in [
        "src/app.ts",
        "a/b/Button.tsx",
        "x.mjs",
        "styles/site.scss",
        "docs/intro.mdx",
        "src/app.test.ts",
        "ui/button.module.css",
    ] {
        assert!(!is_special(p, EntryKind::File), "{p}");
        assert!(is_special(p, EntryKind::Symlink), "{p}");
    }
    for p in [
        "package.json",
        "apps/web/tsconfig.json",
        "vite.config.ts",
        "types/env.d.ts",
        ".env",
        "Dockerfile",
        "node_modules/x/index.js",
        "a/node_modules/x/index.js",
        "env.production",
        ".ts",
        "vite.config.test.ts",
        "Dockerfile.ts",
        "x.d.mts",
    ] {
        assert!(is_special(p, EntryKind::File), "{p}");
    }
}

/// An index snapshot's special paths (collected while reading it) and a derived baseline's
/// (the parent's re-judged by the diff) equal the ones filtered from every path.
#[test]
fn collected_special_paths_equal_the_filtered_ones() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let git = |args: &[&str]| {
        let out = crate::git::command(root).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    git(&["init", "-q"]);
    for (p, body) in [
        ("package.json", "{}"),
        ("src/a.ts", "x"),
        ("src/vite.config.ts", "x"),
        ("apps/web/.env.example", "A="),
        ("apps/web/src/b.ts", "x"),
    ] {
        let full = root.join(p);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, body).unwrap();
    }
    git(&["add", "-A"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "one",
    ]);
    std::fs::remove_file(root.join("src/vite.config.ts")).unwrap();
    std::fs::write(root.join("apps/web/tsconfig.json"), "{}").unwrap();
    std::fs::write(root.join("src/c.ts"), "x").unwrap();
    git(&["add", "-A"]);
    let (repo, paths) = crate::git::discover_at(root).unwrap();
    let head = super::head_commit(&repo).unwrap();
    let index = super::Snapshot::index(repo, &paths).unwrap();
    let filtered = |s: &super::Snapshot| -> Vec<String> {
        s.iter()
            .filter(|(p, e)| is_special(p, e.kind))
            .map(|(p, _)| p.to_string())
            .collect()
    };
    assert_eq!(index.special_paths(), filtered(&index).as_slice());
    assert!(
        index
            .special_paths()
            .contains(&"apps/web/tsconfig.json".to_string())
    );
    let base = index
        .derive_commit(crate::git::reopen(&paths.git_dir).unwrap(), &paths, head)
        .unwrap();
    let whole = super::Snapshot::commit(crate::git::reopen(&paths.git_dir).unwrap(), &paths, head).unwrap();
    assert_eq!(base.special_paths(), filtered(&whole).as_slice());
    assert!(base.special_paths().contains(&"src/vite.config.ts".to_string()));
}

/// A snapshot's tree is git's own: the index right after a commit is HEAD's tree, an index
/// with something staged since has none yet (git has not written it), a commit is its tree,
/// and the index after `reset --soft` is still the tree it was (HEAD moved, not the index).
#[test]
fn the_tree_of_a_snapshot_is_the_one_git_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let rev = |spec: &str| {
        let out = crate::git::command(root)
            .args(["rev-parse", spec])
            .output()
            .unwrap();
        git2::Oid::from_str(String::from_utf8_lossy(&out.stdout).trim()).unwrap()
    };
    git(root, &["init", "-q"]);
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(root.join("src/a.ts"), "export const a = 1;\n").unwrap();
    std::fs::write(root.join("package.json"), "{}").unwrap();
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "one"]);
    std::fs::write(root.join("src/a.ts"), "export const a = 2;\n").unwrap();
    git(root, &["commit", "-qam", "two"]);
    let index = |root: &std::path::Path| {
        let (repo, paths) = crate::git::discover_at(root).unwrap();
        super::Snapshot::index(repo, &paths).unwrap()
    };
    assert_eq!(index(root).tree_id(), Some(rev("HEAD^{tree}")));
    let (repo, paths) = crate::git::discover_at(root).unwrap();
    let one = super::Snapshot::commit(repo, &paths, rev("HEAD~1")).unwrap();
    assert_eq!(one.tree_id(), Some(rev("HEAD~1^{tree}")));
    git(root, &["reset", "-q", "--soft", "HEAD~1"]);
    assert_eq!(
        index(root).tree_id(),
        Some(rev("HEAD@{1}^{tree}")),
        "the index, not HEAD"
    );
    std::fs::write(root.join("src/b.ts"), "export const b = 1;\n").unwrap();
    git(root, &["add", "src/b.ts"]);
    assert_eq!(index(root).tree_id(), None, "something staged: no tree yet");
}

/// `read_many` gives each path's staged contents in the order asked, read on the calling
/// thread (a few) or by the pool (many) alike, and an error for a path the snapshot lacks; the
/// staged blob, not the file on disk.
#[test]
fn read_many_reads_the_staged_blobs_in_order_few_or_many() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    let n = super::READ_HERE_MAX * 2 + 3;
    for i in 0..n {
        std::fs::write(root.join(format!("f{i}.ts")), format!("export const v = {i};\n")).unwrap();
    }
    git(root, &["add", "-A"]);
    std::fs::write(root.join("f0.ts"), "unstaged\n").unwrap();
    let (repo, paths) = crate::git::discover_at(root).unwrap();
    let snap = super::Snapshot::index(repo, &paths).unwrap();
    let names: Vec<String> = (0..n).rev().map(|i| format!("f{i}.ts")).collect();
    // With the missing path: 2 and READ_HERE_MAX paths read here, one more and all by the pool.
    for count in [1, super::READ_HERE_MAX - 1, super::READ_HERE_MAX, n] {
        let mut asked: Vec<&str> = names[names.len() - count..].iter().map(String::as_str).collect();
        asked.insert(count / 2, "missing.ts");
        let read = snap.read_many(&asked);
        assert_eq!(read.len(), asked.len());
        for (path, got) in asked.iter().zip(&read) {
            match path.strip_prefix('f').and_then(|p| p.strip_suffix(".ts")) {
                Some(i) => assert_eq!(
                    String::from_utf8(got.as_ref().unwrap().clone()).unwrap(),
                    format!("export const v = {i};\n"),
                    "{count} paths: {path}"
                ),
                None => assert!(got.is_err(), "{count} paths: {path} is not in the snapshot"),
            }
        }
    }
}

/// `is_dir` answers the same from range lookups (the first questions) and from the folder set.
#[test]
fn folder_lookups_equal_the_folder_set() {
    let files = [
        "a/b/c.ts",
        "a/bc.ts",
        "a/b-c/d.ts",
        "ab/x.ts",
        "top.ts",
        "z/y/x/w.ts",
    ];
    let asked = [
        "", "a", "a/b", "a/b-c", "ab", "a/bc.ts", "a/b/c", "a/", "b", "z", "z/y", "z/y/x", "top.ts", "zz",
    ];
    let snap = super::Snapshot::from_files("/r", files.iter().map(|p| (*p, "x")));
    let by_range: Vec<bool> = asked.iter().map(|p| snap.is_dir(p)).collect();
    assert!(
        snap.dirs.get().is_none(),
        "the folder set was built for a few questions"
    );
    let set: Vec<&String> = snap.dirs().collect();
    assert!(!set.is_empty());
    let by_set: Vec<bool> = asked.iter().map(|p| snap.is_dir(p)).collect();
    assert_eq!(by_range, by_set);
    assert_eq!(
        by_set,
        [
            true, true, true, true, true, false, false, false, false, true, true, true, false, false
        ]
    );
}

/// Paths from a small alphabet, so that prefixes, folders and near neighbours (`a/b` and
/// `a-b`, `a/` and `a0`) collide often.
fn short_path() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        proptest::sample::select(vec!["a", "b", "/", ".", "-", "0", "é", "ab", "a/"]),
        1..6,
    )
    .prop_map(|parts| parts.concat())
}

fn entry(i: usize) -> super::Entry {
    super::Entry {
        oid: git2::Oid::from_bytes(&[(i % 251) as u8; 20]).unwrap(),
        kind: [EntryKind::File, EntryKind::Symlink, EntryKind::Gitlink][i % 3],
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A snapshot derived from a table by a list of changes (a baseline derived from the index)
    /// answers every question as a `BTreeMap` with the changes applied does: iteration,
    /// lookups, prefixes, folders, length.
    #[test]
    fn a_derived_snapshot_answers_as_a_btreemap_with_its_changes_applied(
        parent in proptest::collection::btree_set(short_path(), 0..30),
        changes in proptest::collection::vec((short_path(), proptest::option::of(0..9usize)), 0..12),
        asked in proptest::collection::vec(short_path(), 0..12),
    ) {
        use std::collections::BTreeMap;
        let parent: BTreeMap<String, super::Entry> =
            parent.into_iter().enumerate().map(|(i, p)| (p, entry(i))).collect();
        let changes: BTreeMap<String, Option<super::Entry>> =
            changes.into_iter().map(|(p, e)| (p, e.map(|i| entry(i + 100)))).collect();
        let mut expected = parent.clone();
        for (p, e) in &changes {
            match e {
                Some(e) => expected.insert(p.clone(), *e),
                None => expected.remove(p),
            };
        }
        let paths = super::RepoPaths {
            root: "/r".into(),
            git_dir: "/r/.git".into(),
            common_dir: "/r/.git".into(),
            bare: false,
        };
        let snap = super::Snapshot::build_with(
            super::Kind::Memory,
            super::Store::Memory(Default::default()),
            &paths,
            super::Files::Derived {
                parent: std::sync::Arc::new(super::Table::from_map(&parent)),
                changes,
            },
        );
        let got: Vec<(&str, &super::Entry)> = snap.iter().collect();
        let want: Vec<(&str, &super::Entry)> = expected.iter().map(|(p, e)| (p.as_str(), e)).collect();
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(snap.len(), expected.len());
        let mut questions: Vec<String> = asked;
        questions.extend(expected.keys().cloned());
        questions.extend(parent.keys().cloned());
        questions.push(String::new());
        for q in &questions {
            prop_assert_eq!(snap.get(q), expected.get(q));
            prop_assert_eq!(snap.get_key_value(q), expected.get_key_value(q).map(|(p, e)| (p.as_str(), e)));
            let prefixed: Vec<(&str, &super::Entry)> = snap.prefixed(q).collect();
            let want: Vec<(&str, &super::Entry)> = expected
                .range::<str, _>((std::ops::Bound::Included(q.as_str()), std::ops::Bound::Unbounded))
                .take_while(|(p, _)| p.starts_with(q.as_str()))
                .map(|(p, e)| (p.as_str(), e))
                .collect();
            prop_assert_eq!(prefixed, want, "prefix {:?}", q);
            let below = format!("{q}/");
            let is_dir = q.is_empty()
                || expected.get(q).is_some_and(|e| e.kind == EntryKind::Gitlink)
                || expected.keys().any(|p| p.starts_with(&below));
            prop_assert_eq!(snap.is_dir(q), is_dir, "folder {:?}", q);
        }
    }
}
