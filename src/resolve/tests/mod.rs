//! Table tests of resolution over in-memory snapshots ([`Snapshot::from_files`]), in the style
//! of oxc-resolver's `src/tests/`: each test lays out a few files and checks a table of
//! `(importer, specifier, expected verdict)`. No git, no disk: the root is an empty temporary
//! folder, so the overlay of files on disk sees nothing.

mod absent;
mod css;
mod packages;
mod paths;
mod relative;
mod special;

use std::sync::Arc;

use super::{Resolver, Verdict};
use crate::config::ImportsConfig;
use crate::scan::{Import, ImportKind, Span};

/// An import of `spec` of `kind` at 1:1 (the tables' imports).
fn import(spec: &str, kind: ImportKind) -> Import {
    Import {
        specifier: spec.to_string(),
        kind,
        type_only: false,
        guarded: false,
        span: Span {
            line: 1,
            column: 1,
            start: 0,
            end: 0,
        },
    }
}
use crate::snapshot::{MemFile, Snapshot};

/// A resolver over `files`, with the findings and notes its setup produced.
struct Case {
    resolver: Resolver,
    unreadable: Vec<crate::diagnostic::Finding>,
    _root: tempfile::TempDir,
}

fn case<P: Into<String>, F: Into<MemFile>>(files: impl IntoIterator<Item = (P, F)>) -> Case {
    let root = tempfile::tempdir().expect("temp dir");
    let path = root.path().canonicalize().expect("canonical temp dir");
    let snap = Arc::new(Snapshot::from_files(path, files));
    let mut unreadable = Vec::new();
    let mut notes = Vec::new();
    let resolver = Resolver::new(snap, &ImportsConfig::default(), &mut unreadable, &mut notes);
    Case {
        resolver,
        unreadable,
        _root: root,
    }
}

impl Case {
    /// Resolve each `(importer, specifier)` as a static `import` and compare the whole table at
    /// once, so a failure shows every row that differs.
    fn check(&self, table: &[(&str, &str, Verdict)]) {
        assert!(
            self.unreadable.is_empty(),
            "setup found unreadable files: {:?}",
            self.unreadable
        );
        let got: Vec<(&str, &str, Verdict)> = table
            .iter()
            .map(|(importer, spec, _)| (*importer, *spec, self.resolve(importer, spec)))
            .collect();
        assert_eq!(got, table.to_vec());
    }

    fn resolve(&self, importer: &str, spec: &str) -> Verdict {
        self.resolver
            .resolve_import(importer, &import(spec, ImportKind::Static))
    }
}

fn file(rel: &str) -> Verdict {
    Verdict::File(rel.to_string())
}

#[test]
fn an_in_memory_snapshot_serves_files_folders_links_and_case() {
    let root = std::path::PathBuf::from("/nowhere/repo");
    let snap = Snapshot::from_files(
        root.clone(),
        [
            ("src/App.ts", MemFile::from("export {}")),
            ("link", MemFile::link("src")),
        ],
    );
    assert_eq!(snap.read("src/App.ts").unwrap(), b"export {}");
    assert_eq!(snap.read("link").unwrap(), b"src");
    assert!(snap.read("src/missing.ts").is_err());
    assert!(snap.is_file("src/App.ts") && !snap.is_file("src"));
    assert!(snap.is_dir("src") && snap.is_dir("") && !snap.is_dir("src/App.ts"));
    assert_eq!(
        snap.case_insensitive("SRC/app.ts"),
        vec!["src/App.ts".to_string()]
    );
    assert_eq!(snap.abs("src/App.ts"), root.join("src/App.ts"));
    assert_eq!(snap.rel(&root.join("src/App.ts")).as_deref(), Some("src/App.ts"));
    assert_eq!(snap.with_repo(|_| ()), None);
    assert_eq!(snap.len(), 2);
    assert_eq!(
        snap.read_many(&["src/App.ts", "link"])
            .into_iter()
            .map(Result::unwrap)
            .collect::<Vec<_>>(),
        vec![b"export {}".to_vec(), b"src".to_vec()]
    );
}
