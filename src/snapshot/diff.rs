//! What differs between a snapshot and a commit, found without walking the commit's whole tree.
//!
//! The index against a tree ([`index_against_tree`]) is compared as git compares them: a folder
//! whose cache-tree id (the index's `TREE` extension, kept valid by git for folders nothing was
//! staged in) equals the commit's tree id for that folder is skipped whole; any other folder is
//! compared entry by entry, its subfolders in turn. A commit against another commit asks
//! `git diff-tree`, which skips equal tree ids the same way.

use std::collections::BTreeMap;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};
use rustc_hash::FxHashMap;

use super::index_file::TreeNode;
use super::{Entry, Table, kind_of_mode, special};

/// Changed path -> its entry in the commit (`None`: the commit lacks it).
pub type Changes = BTreeMap<String, Option<Entry>>;

/// Every path where `entries` (an index) and the tree `tree` differ, into `out`: for each, the
/// tree's entry. `cache` is the index's cache tree (its root), if it has one.
pub fn index_against_tree(
    repo: &Repository,
    entries: &Table,
    cache: Option<TreeNode<'_>>,
    tree: Oid,
    out: &mut Changes,
) -> Result<(), git2::Error> {
    folder(repo, entries, Some(tree), cache, "", out)
}

/// Compare one folder (`prefix` is empty or ends with `/`).
fn folder(
    repo: &Repository,
    entries: &Table,
    tree: Option<Oid>,
    cache: Option<TreeNode<'_>>,
    prefix: &str,
    out: &mut Changes,
) -> Result<(), git2::Error> {
    if let (Some(tree), Some(cache)) = (tree, cache)
        && cache.id().is_some_and(|id| id.as_slice() == tree.as_bytes())
    {
        return Ok(());
    }
    // The commit's side of this folder.
    let mut tree_files: FxHashMap<String, Entry> = FxHashMap::default();
    let mut tree_dirs: FxHashMap<String, Oid> = FxHashMap::default();
    if let Some(tree) = tree {
        for e in &repo.find_tree(tree)? {
            let name = String::from_utf8_lossy(e.name_bytes()).into_owned();
            if e.kind() == Some(ObjectType::Tree) {
                tree_dirs.insert(name, e.id());
            } else {
                tree_files.insert(
                    name,
                    Entry {
                        oid: e.id(),
                        kind: kind_of_mode(e.filemode() as u32),
                    },
                );
            }
        }
    }
    // The index's side: its files here, and the names of its subfolders. A subfolder's rows
    // are stepped over whole: by the cache tree's entry count when it has one for the folder
    // (and the rows agree), else by one range lookup.
    let mut index_files: Vec<(&str, &Entry)> = Vec::new();
    let mut index_dirs: Vec<&str> = Vec::new();
    let mut children: Vec<TreeNode<'_>> = cache.map(|c| c.children().collect()).unwrap_or_default();
    children.sort_unstable_by(|a, b| special::slash_cmp(a.name(), b.name()));
    let mut next_child = 0;
    let rows = entries.prefixed_rows(prefix);
    let mut i = rows.start;
    while i < rows.end {
        let (key, entry) = entries.at(i);
        let rest = &key[prefix.len()..];
        let Some(slash) = rest.find('/') else {
            index_files.push((rest, entry));
            i += 1;
            continue;
        };
        let name = &rest[..slash];
        index_dirs.push(name);
        while children
            .get(next_child)
            .is_some_and(|c| special::slash_cmp(c.name(), name.as_bytes()).is_lt())
        {
            next_child += 1;
        }
        let count = children
            .get(next_child)
            .filter(|c| c.name() == name.as_bytes())
            .map_or(0, TreeNode::entries);
        i = special::subfolder_end(entries, i, rows.end, &key[..=prefix.len() + slash], count);
    }
    for (name, entry) in index_files {
        match tree_files.remove(name) {
            Some(t) if t == *entry => {}
            other => {
                out.insert(format!("{prefix}{name}"), other);
            }
        }
    }
    for (name, entry) in tree_files {
        out.insert(format!("{prefix}{name}"), Some(entry));
    }
    let child = |name: &str| cache.and_then(|c| c.child(name.as_bytes()));
    for name in index_dirs {
        let sub = tree_dirs.remove(name);
        folder(repo, entries, sub, child(name), &format!("{prefix}{name}/"), out)?;
    }
    for (name, sub) in tree_dirs {
        folder(repo, entries, Some(sub), None, &format!("{prefix}{name}/"), out)?;
    }
    Ok(())
}

/// Paths where commit `tip` and commit `base` differ (`git diff-tree`), with `base`'s entries.
pub fn commit_against(paths: &super::RepoPaths, tip: Oid, base: Oid) -> Option<Changes> {
    let (base_hex, tip_hex) = (base.to_string(), tip.to_string());
    let out = crate::git::command(Path::new(&paths.root))
        .args(["-c", "core.quotePath=false"])
        .args([
            "diff-tree",
            "-r",
            "-z",
            "--raw",
            "--no-renames",
            "--no-abbrev",
            &base_hex,
            &tip_hex,
            "--",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let mut changes = Changes::new();
    for change in crate::git::parse_raw_diff_changes(&out.stdout).ok()? {
        let old = if change.old_mode == 0 {
            None
        } else {
            Some(Entry {
                oid: Oid::from_str(&change.old_oid).ok()?,
                kind: kind_of_mode(change.old_mode),
            })
        };
        changes.insert(change.path_lossy(), old);
    }
    Some(changes)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::snapshot::{Snapshot, head_commit};

    use crate::snapshot::tests::git;

    fn write(dir: &Path, path: &str, text: &str) {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, text).unwrap();
    }

    /// The baseline derived from the index equals HEAD's whole tree, and its changed paths are
    /// exactly those `git diff-index --cached HEAD` lists.
    fn check(dir: &Path) {
        let (repo, paths) = crate::git::discover_at(dir).unwrap();
        let head = head_commit(&repo).unwrap();
        let index = Snapshot::index(repo, &paths).unwrap();
        let derived = index
            .derive_commit(crate::git::reopen(&paths.git_dir).unwrap(), &paths, head)
            .unwrap();
        let whole = Snapshot::commit(crate::git::reopen(&paths.git_dir).unwrap(), &paths, head).unwrap();
        assert_eq!(
            derived.iter().collect::<Vec<_>>(),
            whole.iter().collect::<Vec<_>>()
        );
        assert_eq!(derived.len(), whole.len());
        for p in whole.paths() {
            assert_eq!(derived.get(p), whole.get(p), "{p}");
            let mut d = p;
            while let Some((parent, _)) = d.rsplit_once('/') {
                assert!(derived.is_dir(parent), "{parent}");
                d = parent;
            }
        }
        let out = crate::git::command(dir)
            .args([
                "diff-index",
                "--cached",
                "--name-only",
                "-z",
                "--no-renames",
                "HEAD",
            ])
            .env_remove("GIT_INDEX_FILE")
            .output()
            .unwrap();
        let mut listed: Vec<String> = out
            .stdout
            .split(|b| *b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        listed.sort();
        let mut changed = derived.derived_changes.clone().unwrap();
        changed.sort();
        assert_eq!(changed, listed);
    }

    #[test]
    fn index_diff_against_head_matches_git_whatever_the_cache_tree_says() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q"]);
        for p in [
            "a.ts",
            "a-b/x.ts",
            "a/b/c.ts",
            "a/b/d.ts",
            "a/e.ts",
            "a.c/f.ts",
            "z/y/x/w.ts",
            "gone/one.ts",
            "gone/deep/two.ts",
            "becomes_dir",
            "dir_becomes_file/inner.ts",
        ] {
            write(dir, p, p);
        }
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "one"]);
        // A fresh commit: the cache tree is whole and equal to HEAD, nothing differs.
        check(dir);
        git(dir, &["read-tree", "HEAD"]); // the cache tree dropped: compared entry by entry
        check(dir);
        write(dir, "a/b/c.ts", "changed");
        write(dir, "a/new/n.ts", "new");
        write(dir, "a0.ts", "new");
        std::fs::remove_file(dir.join("becomes_dir")).unwrap();
        write(dir, "becomes_dir/now.ts", "x");
        std::fs::remove_dir_all(dir.join("dir_becomes_file")).unwrap();
        write(dir, "dir_becomes_file", "x");
        git(
            dir,
            &["add", "-A", "a", "a0.ts", "becomes_dir", "dir_becomes_file"],
        );
        git(dir, &["rm", "-q", "-r", "--cached", "gone"]);
        check(dir);
        git(dir, &["commit", "-q", "-m", "two"]);
        check(dir);
        // Staged, then put back as it was: the cache tree is invalid where HEAD is equal.
        write(dir, "z/y/x/w.ts", "other");
        git(dir, &["add", "z"]);
        write(dir, "z/y/x/w.ts", "z/y/x/w.ts");
        git(dir, &["add", "z"]);
        check(dir);
        // HEAD moved back under a whole cache tree: valid folders whose ids differ from HEAD's.
        git(dir, &["commit", "-q", "-m", "three", "--allow-empty"]);
        git(dir, &["reset", "-q", "--soft", "HEAD~2"]);
        check(dir);
    }
}
