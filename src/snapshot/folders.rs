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
