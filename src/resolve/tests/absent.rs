//! Relative imports of nothing are answered without probing ([`crate::resolve::absent`]): the
//! answer must be the one full resolution gives, with the files on disk and without, in every
//! shape. Each row also says whether the shortcut decides it, so a row that only ever takes the
//! full path cannot pass for a test of the shortcut.

use std::sync::Arc;

use proptest::prelude::*;

use super::import;
use crate::config::ImportsConfig;
use crate::resolve::{Resolver, Verdict};
use crate::scan::ImportKind;
use crate::snapshot::{MemFile, Snapshot};

/// Resolvers over the same snapshot and the same disk: with the shortcut, without it, and
/// without it dropping `oxc_resolver`'s caches after every resolution of nothing.
struct Pair {
    quick: Resolver,
    full: Resolver,
    cleared: Resolver,
    root: tempfile::TempDir,
}

fn pair<P: Into<String>, F: Into<MemFile>>(files: impl IntoIterator<Item = (P, F)>, disk: &[&str]) -> Pair {
    let root = tempfile::tempdir().expect("temp dir");
    let path = root.path().canonicalize().expect("canonical temp dir");
    for rel in disk {
        let abs = path.join(rel);
        // (A random layout may ask for a file where a folder is: that file is left out.)
        let _ = std::fs::create_dir_all(abs.parent().unwrap());
        let _ = std::fs::write(&abs, "export {};\n");
    }
    let snap = Arc::new(Snapshot::from_files(path, files));
    let make = || {
        let (mut unreadable, mut notes) = (Vec::new(), Vec::new());
        let r = Resolver::new(
            snap.clone(),
            &ImportsConfig::default(),
            &mut unreadable,
            &mut notes,
        );
        assert!(unreadable.is_empty(), "{unreadable:?}");
        r
    };
    let quick = make();
    let mut full = make();
    full.shortcut = false;
    let mut cleared = make();
    cleared.shortcut = false;
    cleared.clear_every = 1;
    Pair {
        quick,
        full,
        cleared,
        root,
    }
}

impl Pair {
    /// `(importer, specifier, verdict, decided without probing)` for every row, by both
    /// resolvers; the whole table is compared at once.
    fn check(&self, table: &[(&str, &str, Verdict, bool)]) {
        let got: Vec<(&str, &str, Verdict, bool)> = table
            .iter()
            .map(|(importer, spec, _, _)| {
                let quick = self
                    .quick
                    .resolve_import(importer, &import(spec, ImportKind::Static));
                let full = self
                    .full
                    .resolve_import(importer, &import(spec, ImportKind::Static));
                assert_eq!(
                    quick, full,
                    "{importer} imports {spec}: shortcut vs full resolution"
                );
                let cleared = self
                    .cleared
                    .resolve_import(importer, &import(spec, ImportKind::Static));
                assert_eq!(cleared, full, "{importer} imports {spec}: caches dropped vs kept");
                let skipped = self
                    .quick
                    .nothing_there(importer, &crate::resolve::specifier::clean_specifier(spec));
                (*importer, *spec, quick, skipped)
            })
            .collect();
        assert_eq!(got, table.to_vec());
    }
}

fn file(rel: &str) -> Verdict {
    Verdict::File(rel.to_string())
}

#[test]
#[expect(clippy::too_many_lines, reason = "one table of every shape")]
fn the_shortcut_gives_the_resolvers_answer_in_every_shape() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("far.ts"), "").unwrap();
    let p = pair(
        [
            ("package.json", MemFile::from(r#"{ "name": "app" }"#)),
            (".gitignore", "scratch/\n".into()),
            ("src/a.ts", "".into()),
            ("src/util.ts", "".into()),
            ("src/Button.tsx", "".into()),
            ("src/lib/index.ts", "".into()),
            ("src/multi.ts", "".into()),
            ("src/multi.js", "".into()),
            ("src/jquery.min.js", "".into()),
            ("src/Card.gts", "".into()),
            ("src/App.vue", "".into()),
            ("src/pkg/package.json", r#"{ "main": "./main.js" }"#.into()),
            ("src/pkg/main.js", "".into()),
            ("src/linked", MemFile::link("../shared")),
            ("shared/x.ts", "".into()),
            ("vendor/bundle.js", "".into()),
        ],
        &[
            "src/untracked.ts",
            "src/newdir/index.ts",
            "src/Other.gts",
            "vendor/side.js",
        ],
    );
    std::os::unix::fs::symlink(outside.path(), p.root.path().join("src/away")).unwrap();
    p.check(&[
        // Present: a file, a folder's index, a package folder's `main`, several candidates.
        ("src/a.ts", "./util", file("src/util.ts"), false),
        ("src/a.ts", "./lib", file("src/lib/index.ts"), false),
        ("src/a.ts", "./lib/", file("src/lib/index.ts"), false),
        ("src/a.ts", "./pkg", file("src/pkg/main.js"), false),
        ("src/a.ts", "./multi", file("src/multi.ts"), false),
        ("src/a.ts", "./multi.js", file("src/multi.ts"), false),
        ("src/a.ts", "./util?raw", file("src/util.ts"), false),
        ("src/a.ts", "./jquery.min", file("src/jquery.min.js"), false),
        ("src/lib/index.ts", "../util", file("src/util.ts"), false),
        // Missing, in every spelling: nothing with that head anywhere, no probe.
        ("src/a.ts", "./gone", Verdict::Unresolved, true),
        ("src/a.ts", "./gone.js", Verdict::Unresolved, true),
        ("src/a.ts", "./gone/", Verdict::Unresolved, true),
        ("src/a.ts", "./gone?raw", Verdict::Unresolved, true),
        ("src/a.ts", "./q.b.c", Verdict::Unresolved, true),
        ("src/a.ts", "../nope", Verdict::Unresolved, true),
        ("src/a.ts", "../src/../src/nope.js", Verdict::Unresolved, true),
        ("src/a.ts", "./nowhere/deep/x", Verdict::Unresolved, true),
        ("vendor/bundle.js", "./m5", Verdict::Unresolved, true),
        // Missing, but a name with the same head is there: full resolution decides.
        ("src/a.ts", "./jquery.max", Verdict::Unresolved, false),
        ("src/a.ts", "./util.css", Verdict::Unresolved, false),
        // Only on disk: untracked, a file or a folder's index, or a sibling extension.
        (
            "src/a.ts",
            "./untracked",
            Verdict::Untracked("src/untracked.ts".into()),
            false,
        ),
        (
            "src/a.ts",
            "./newdir",
            Verdict::Untracked("src/newdir/index.ts".into()),
            false,
        ),
        (
            "src/a.ts",
            "./Other",
            Verdict::Untracked("src/Other.gts".into()),
            false,
        ),
        (
            "vendor/bundle.js",
            "./side",
            Verdict::Untracked("vendor/side.js".into()),
            false,
        ),
        // Case: a file and a folder spelled in another case.
        (
            "src/a.ts",
            "./button",
            Verdict::CaseMismatch {
                written: "src/button.tsx".into(),
                real: "src/Button.tsx".into(),
            },
            false,
        ),
        (
            "src/a.ts",
            "../SRC/util",
            Verdict::CaseMismatch {
                written: "SRC/util.ts".into(),
                real: "src/util.ts".into(),
            },
            false,
        ),
        ("src/a.ts", "../SRC/nope", Verdict::Unresolved, true),
        // Extensions only a bundler probes.
        (
            "src/a.ts",
            "./Card",
            Verdict::OtherExtension {
                found: "src/Card.gts".into(),
                ext: ".gts".into(),
            },
            false,
        ),
        (
            "src/a.ts",
            "./App",
            Verdict::OtherExtension {
                found: "src/App.vue".into(),
                ext: ".vue".into(),
            },
            false,
        ),
        // Through a snapshot symlink, through a symlink on disk out of the root.
        ("src/a.ts", "./linked/x", file("shared/x.ts"), false),
        ("src/a.ts", "./linked/nope", Verdict::Unresolved, false),
        (
            "src/a.ts",
            "./away/far",
            Verdict::Untracked("src/away/far.ts".into()),
            false,
        ),
        // Escaping the root, dot names, node_modules: not judged by the shortcut.
        ("src/a.ts", "../../x", Verdict::Unresolved, false),
        ("src/a.ts", "./.hidden", Verdict::Unresolved, false),
        ("src/a.ts", "./node_modules/x", Verdict::Unresolved, false),
        // What the path alone says: ignored build output, generated folders, typegen.
        (
            "src/a.ts",
            "../scratch/x",
            Verdict::Ignored("scratch/x.d.ts".into()),
            true,
        ),
        (
            "src/a.ts",
            "./generated/client",
            Verdict::Generated("src/generated/client".into()),
            true,
        ),
        (
            "src/a.ts",
            "./$types",
            Verdict::Generated("src/$types".into()),
            true,
        ),
    ]);
}

/// Names that collide in head or case, with and without extensions, files and folders.
fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "A", "ab", "a.b", "b", "B", "m1", "m10", "M1", "x.min", "index",
    ])
    .prop_map(str::to_string)
}

fn ext() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "", ".ts", ".tsx", ".js", ".d.ts", ".json", ".mjs", ".vue", ".gts", ".css", ".txt",
    ])
    .prop_map(str::to_string)
}

fn dir() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["src", "src/a", "src/A", "Src", "lib", "src/a/b"]).prop_map(str::to_string)
}

fn path() -> impl Strategy<Value = String> {
    (dir(), name(), ext(), prop::bool::weighted(0.2)).prop_map(|(d, n, e, index)| {
        if index {
            format!("{d}/{n}/index{e}")
        } else {
            format!("{d}/{n}{e}")
        }
    })
}

fn spec() -> impl Strategy<Value = String> {
    let up = prop::sample::select(vec![
        "./",
        "../",
        "../../",
        "./a/",
        "../A/",
        "../src/a/",
        "./b/../",
    ]);
    (up, name(), ext(), prop::sample::select(vec!["", "/", "?raw"]))
        .prop_map(|(u, n, e, tail)| format!("{u}{n}{e}{tail}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
    /// Random snapshots, random files on disk only, random relative specifiers: the shortcut's
    /// answer is full resolution's, for static imports and `require` calls alike.
    #[test]
    fn the_shortcut_agrees_with_full_resolution(
        snapshot in prop::collection::btree_set(path(), 0..12),
        disk in prop::collection::btree_set(path(), 1..8),
        specs in prop::collection::vec((dir(), spec()), 1..24),
    ) {
        let mut files: Vec<(String, MemFile)> = vec![("src/main.ts".into(), "".into())];
        // A path cannot be both a file and a folder.
        let folders: Vec<String> = snapshot.iter().flat_map(|p| {
            p.match_indices('/').map(|(i, _)| p[..i].to_string()).collect::<Vec<_>>()
        }).collect();
        files.extend(snapshot.iter().filter(|p| !folders.contains(p)).map(|p| (p.clone(), MemFile::from(""))));
        let disk: Vec<&str> = disk.iter().map(String::as_str)
            .filter(|d| !folders.iter().any(|f| f == d) && !snapshot.iter().any(|p| p.starts_with(&format!("{d}/"))))
            .collect();
        let p = pair(files, &disk);
        for (importer_dir, spec) in &specs {
            let importer = format!("{importer_dir}/main.ts");
            for kind in [ImportKind::Static, ImportKind::Require] {
                let quick = p.quick.resolve_import(&importer, &import(spec, kind));
                let full = p.full.resolve_import(&importer, &import(spec, kind));
                let cleared = p.cleared.resolve_import(&importer, &import(spec, kind));
                prop_assert_eq!(&quick, &full, "{} imports {} ({:?})", importer, spec, kind);
                prop_assert_eq!(&cleared, &full, "{} imports {} ({:?}), caches dropped", importer, spec, kind);
            }
        }
    }
}
