//! Verdicts kept per folder, keyed by the folder's cache-tree id (as [`super::special`] keeps
//! special-path lists): a tree id names exactly the paths, modes and blobs below the folder, so
//! what a rule concludes from those alone (and from the folder's own path, and its settings)
//! holds for any index whose cache tree gives the folder the same id. A full check asks one
//! question per valid folder instead of one per file, and walks files only in the folders git
//! invalidated or that no verdict vouches for.
//!
//! [`walk`] splits an index's rows: the rows to judge one by one, and the valid folders among
//! them (their verdict can be kept once every file below them is judged).

use std::ops::Range;

use super::index_file::TreeNode;
use super::special::{slash_cmp, subfolder_end};
use super::table::Table;

/// A folder the cache tree gives a valid tree id, walked because no kept verdict vouched for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folder {
    /// Its path and a `/` (empty for the root).
    pub prefix: String,
    /// Its tree id.
    pub id: git2::Oid,
    /// Its rows in the snapshot's table.
    pub rows: Range<usize>,
}

/// What [`walk`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Walk {
    /// The rows no kept verdict vouches for, in order.
    pub rows: Vec<Range<usize>>,
    /// The valid folders among them, each before its subfolders.
    pub folders: Vec<Folder>,
}

/// The rows of `table` (an index) that the folders `vouched` accepts (asked with each valid
/// folder's prefix and tree id, outermost first) do not cover.
pub fn walk(
    table: &Table,
    root: Option<TreeNode<'_>>,
    vouched: &mut dyn FnMut(&str, &git2::Oid) -> bool,
) -> Walk {
    let mut out = Walk::default();
    match root {
        Some(root) => folder(table, root, "", 0..table.len(), vouched, &mut out),
        None => push_rows(&mut out, 0..table.len()),
    }
    out
}

fn push_rows(out: &mut Walk, rows: Range<usize>) {
    if rows.is_empty() {
        return;
    }
    match out.rows.last_mut() {
        Some(last) if last.end == rows.start => last.end = rows.end,
        _ => out.rows.push(rows),
    }
}

fn folder(
    table: &Table,
    node: TreeNode<'_>,
    prefix: &str,
    rows: Range<usize>,
    vouched: &mut dyn FnMut(&str, &git2::Oid) -> bool,
    out: &mut Walk,
) {
    // An id is trusted only when its entry count is the folder's row count (an entry the
    // snapshot leaves out, `git add -N`, would make the tree another one).
    let id = node
        .id()
        .filter(|_| node.entries() as usize == rows.len())
        .and_then(|id| git2::Oid::from_bytes(id).ok());
    if let Some(id) = id {
        if vouched(prefix, &id) {
            return;
        }
        out.folders.push(Folder {
            prefix: prefix.to_string(),
            id,
            rows: rows.clone(),
        });
    }
    let mut children: Vec<TreeNode<'_>> = node.children().collect();
    children.sort_unstable_by(|a, b| slash_cmp(a.name(), b.name()));
    let mut next_child = 0;
    let mut i = rows.start;
    while i < rows.end {
        let (path, _) = table.at(i);
        let rest = path.get(prefix.len()..).unwrap_or_default();
        let Some(slash) = rest.find('/') else {
            push_rows(out, i..i + 1);
            i += 1;
            continue;
        };
        let name = &rest[..slash];
        let below = &path[..=prefix.len() + slash];
        while children
            .get(next_child)
            .is_some_and(|c| slash_cmp(c.name(), name.as_bytes()).is_lt())
        {
            next_child += 1;
        }
        let child = children.get(next_child).filter(|c| c.name() == name.as_bytes());
        let end = subfolder_end(table, i, rows.end, below, child.map_or(0, TreeNode::entries));
        match child {
            Some(child) => folder(table, *child, below, i..end, vouched, out),
            None => push_rows(out, i..end),
        }
        i = end;
    }
}

/// Whether none of `dirty` (sorted paths) lies below `prefix` (a folder's path and `/`, or
/// empty for the root).
pub fn none_below(dirty: &[&str], prefix: &str) -> bool {
    let at = dirty.partition_point(|p| *p < prefix);
    dirty.get(at).is_none_or(|p| !p.starts_with(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::snapshot::tests::git;
    use crate::snapshot::{Files, Snapshot};

    fn index(dir: &std::path::Path) -> Snapshot {
        let (repo, paths) = crate::git::discover_at(dir).unwrap();
        Snapshot::index(repo, &paths).unwrap()
    }

    /// The rows left to judge plus the rows of the folders vouched for are every row, once; each
    /// folder walked is one the cache tree holds, with exactly its own rows; an edit staged
    /// since the last tree leaves its folders (and theirs above) without an id.
    #[test]
    fn the_rows_left_and_the_folders_vouched_for_cover_every_row_once() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q"]);
        for p in [
            "a.ts", "a.b/x.ts", "a/x.ts", "a/b/y.ts", "a/b/z.ts", "a-c/w.ts", "z/q.ts",
        ] {
            let full = dir.join(p);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, p).unwrap();
        }
        // Files older than the index: a later `git add` does not add them again as racily
        // clean (which invalidates their folders).
        std::thread::sleep(std::time::Duration::from_millis(1100));
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "one"]);
        let snap = index(dir);
        let Files::Own(table) = &snap.files else {
            unreachable!()
        };
        // Nothing vouched for: every row is left, every folder (the root included) is walked.
        let all = snap.folder_walk(&mut |_, _| false).unwrap();
        assert_eq!(all.rows, vec![0..table.len()]);
        let prefixes: Vec<&str> = all.folders.iter().map(|f| f.prefix.as_str()).collect();
        assert_eq!(prefixes, ["", "a-c/", "a.b/", "a/", "a/b/", "z/"]);
        for f in &all.folders {
            assert_eq!(f.rows, table.prefixed_rows(&f.prefix), "{}", f.prefix);
        }
        // `a/` vouched for: its rows are not left, and its subfolder is not asked about.
        let mut asked = Vec::new();
        let some = snap
            .folder_walk(&mut |p, _| {
                asked.push(p.to_string());
                p == "a/"
            })
            .unwrap();
        assert!(!asked.contains(&"a/b/".to_string()));
        let a = table.prefixed_rows("a/");
        let left: Vec<usize> = some.rows.iter().flat_map(Clone::clone).collect();
        let expect: Vec<usize> = (0..table.len()).filter(|i| !a.contains(i)).collect();
        assert_eq!(left, expect);
        // The root vouched for: nothing is left.
        assert_eq!(
            snap.folder_walk(&mut |p, _| p.is_empty()).unwrap(),
            Walk::default()
        );
        // A staged edit in `a/b/`: that folder, `a/` and the root have no id any more.
        std::fs::write(dir.join("a/b/y.ts"), "changed").unwrap();
        git(dir, &["add", "-A"]);
        let snap = index(dir);
        let walked = snap.folder_walk(&mut |_, _| false).unwrap();
        let prefixes: Vec<&str> = walked.folders.iter().map(|f| f.prefix.as_str()).collect();
        assert_eq!(prefixes, ["a-c/", "a.b/", "z/"]);
        assert_eq!(snap.root_tree(), None);
    }

    #[test]
    fn none_below_a_folder() {
        let dirty = ["a.b/x", "a/b/y", "z"];
        assert!(!none_below(&dirty, "a/"));
        assert!(!none_below(&dirty, "a/b/"));
        assert!(none_below(&dirty, "a/c/"));
        assert!(!none_below(&dirty, ""));
        assert!(none_below(&[], ""));
        assert!(none_below(&dirty, "b/"));
    }
}
