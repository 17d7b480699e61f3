//! An index's special paths ([`super::Snapshot::special_paths`]) without judging every path:
//! folders the index's cache tree holds a valid tree id for keep their list in a small cache
//! file, keyed by that id. A tree id names exactly the paths (and modes) below the folder, and
//! whether a path is special depends only on its name and kind, below the folder, and on
//! whether the folder lies under a `node_modules` folder, where every path is special: no list
//! is kept for such a folder. So a kept list is the list a pass over the folder's paths would
//! make, whatever the folder is called and wherever it is. A hook after a small edit judges the
//! paths of the few folders git invalidated and reads the other folders' lists.
//!
//! The file (`<git common dir>/hookctl/special-paths.bin`, [`crate::cache::frame`]'s framing,
//! its fingerprint naming [`is_special`]'s definition):
//!
//! ```text
//! count u32, then count records sorted by id: tree id [20], offset u32 (of its list in the
//! lists below), then the lists: path count u32, then per path its length u32 and its bytes
//! (relative to the folder)
//! ```

use std::ops::Range;
use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;

use super::index_file::TreeNode;
use super::table::Table;
use super::{PLAIN_EXTENSIONS, is_special};
use crate::cache::frame::Frame;

const FRAME: Frame = Frame {
    magic: b"hkspecl\0",
    format: 1,
};

/// The cache file, in the cache folder.
pub const FILE: &str = "special-paths.bin";

/// Folders with fewer paths below them are judged path by path (cheaper than a list kept).
pub const MIN_ENTRIES: u32 = 256;

/// The file stops taking lists not used by the run that writes it past this size.
const KEEP_BYTES: usize = 4 << 20;

/// Bump when [`is_special`] changes what it answers (its extension list is in the fingerprint
/// already).
const RULES_VERSION: u64 = 1;

type Id = [u8; 20];

/// The fingerprint: which definition of "special" the lists were made with.
fn fingerprint() -> u64 {
    let mut text = format!("special paths v{RULES_VERSION}:");
    for ext in PLAIN_EXTENSIONS {
        text.push_str(ext);
        text.push(',');
    }
    xxhash_rust::xxh3::xxh3_64(text.as_bytes())
}

/// The kept lists of one run: those read from the file, those made by this run.
pub struct Lists {
    file: Option<PathBuf>,
    /// The file's bytes (its body: the records, then the lists).
    body: Vec<u8>,
    /// Records in `body`: how many, and where the lists start.
    count: usize,
    /// Lists made by this run, by tree id (relative paths).
    made: FxHashMap<Id, Vec<String>>,
    /// Ids of kept lists this run used.
    used: Vec<Id>,
    /// Folders of at least this many paths keep a list.
    min_entries: u32,
}

impl Lists {
    /// The lists kept in `dir` (the cache folder; `None`: none kept, none saved).
    pub fn load(dir: Option<&Path>, min_entries: u32) -> Lists {
        let file = dir.map(|d| d.join(FILE));
        if let Some(f) = &file {
            crate::cache::later::flush_for(f);
        }
        let body = file
            .as_deref()
            .and_then(|f| std::fs::read(f).ok())
            .and_then(|bytes| FRAME.body(&bytes, fingerprint()).map(<[u8]>::to_vec))
            .unwrap_or_default();
        let count = u32_at(&body, 0).map_or(0, |n| n as usize);
        let count = if count
            .checked_mul(24)
            .and_then(|n| n.checked_add(4))
            .is_some_and(|end| end <= body.len())
        {
            count
        } else {
            0
        };
        Lists {
            file,
            body,
            count,
            made: FxHashMap::default(),
            used: Vec::new(),
            min_entries,
        }
    }

    fn record(&self, i: usize) -> (&[u8], usize) {
        let at = 4 + i * 24;
        let offset = u32_at(&self.body, at + 20).unwrap_or(u32::MAX) as usize;
        (&self.body[at..at + 20], offset)
    }

    /// The kept list of tree `id`, its paths handed to `each`; `false` when none is kept (or
    /// the file is damaged there).
    fn kept(&self, id: &Id, mut each: impl FnMut(&str)) -> bool {
        let mut lo = 0;
        let mut hi = self.count;
        while lo < hi {
            let mid = usize::midpoint(lo, hi);
            let (key, offset) = self.record(mid);
            match key.cmp(id.as_slice()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let Some(paths) = self.decode(4 + self.count * 24 + offset) else {
                        return false;
                    };
                    for p in paths {
                        each(p);
                    }
                    return true;
                }
            }
        }
        false
    }

    /// The list at `at` of the body, whole and UTF-8, else `None`.
    fn decode(&self, at: usize) -> Option<Vec<&str>> {
        let n = u32_at(&self.body, at)? as usize;
        let mut pos = at + 4;
        let mut out = Vec::with_capacity(n.min(self.body.len() / 4));
        for _ in 0..n {
            let len = u32_at(&self.body, pos)? as usize;
            let bytes = self.body.get(pos + 4..pos.checked_add(4 + len)?)?;
            out.push(std::str::from_utf8(bytes).ok()?);
            pos += 4 + len;
        }
        Some(out)
    }

    /// Save the lists used or made by this run (and others while the file stays small), when
    /// this run made one. Best effort: a cache that cannot be written is recomputed next time.
    pub fn save(self) {
        let Some(file) = &self.file else {
            return;
        };
        if self.made.is_empty() {
            return;
        }
        let mut lists: Vec<(Id, Vec<&str>)> = Vec::new();
        let mut size = 0;
        let mut seen = rustc_hash::FxHashSet::default();
        for (id, paths) in &self.made {
            seen.insert(*id);
            size += paths.iter().map(|p| p.len() + 28).sum::<usize>();
            lists.push((*id, paths.iter().map(String::as_str).collect()));
        }
        let used: rustc_hash::FxHashSet<Id> = self.used.iter().copied().collect();
        // Used first, then the others while the file stays small.
        let mut old: Vec<(bool, usize)> = (0..self.count)
            .map(|i| {
                let key: Id = self.record(i).0.try_into().unwrap_or([0; 20]);
                (!used.contains(&key), i)
            })
            .collect();
        old.sort_unstable();
        for (_, i) in old {
            let (key, offset) = self.record(i);
            let Ok(key) = Id::try_from(key) else { continue };
            if !seen.insert(key) {
                continue;
            }
            let Some(paths) = self.decode(4 + self.count * 24 + offset) else {
                continue;
            };
            let bytes: usize = paths.iter().map(|p| p.len() + 28).sum();
            if size + bytes > KEEP_BYTES && !used.contains(&key) {
                continue;
            }
            size += bytes;
            lists.push((key, paths));
        }
        lists.sort_unstable_by_key(|a| a.0);
        let mut body = Vec::new();
        push_u32(&mut body, lists.len());
        let mut offset = 0;
        for (id, paths) in &lists {
            body.extend_from_slice(id);
            push_u32(&mut body, offset);
            offset += 4 + paths.iter().map(|p| 4 + p.len()).sum::<usize>();
        }
        for (_, paths) in &lists {
            push_u32(&mut body, paths.len());
            for p in paths {
                push_u32(&mut body, p.len());
                body.extend_from_slice(p.as_bytes());
            }
        }
        if u32::try_from(offset).is_err() {
            return;
        }
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        // Once the answer is out: the snapshot is read before anything else, and its first
        // read in a fresh clone should not wait for a write and its `fsync`.
        crate::cache::later::file(file.clone(), FRAME.encode(fingerprint(), &body));
    }
}

fn u32_at(bytes: &[u8], at: usize) -> Option<u32> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn push_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&u32::try_from(n).unwrap_or(u32::MAX).to_le_bytes());
}

/// The special paths of `table` (an index's rows), in byte order: judged path by path in the
/// folders `root` (the index's cache tree) does not vouch for, read from `lists` for the others.
pub fn paths(table: &Table, root: Option<TreeNode<'_>>, lists: &mut Lists) -> Vec<String> {
    let mut out = Vec::new();
    match root {
        Some(root) => folder(table, root, "", 0..table.len(), false, lists, &mut out),
        None => judge(table, 0..table.len(), &mut out),
    }
    out
}

/// `a` and `b` compared as `a/` and `b/` (how git orders a folder's rows).
pub(super) fn slash_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    a.iter().chain(b"/").cmp(b.iter().chain(b"/"))
}

/// Where the rows of subfolder `below` (its path and a `/`), starting at row `i`, end (before
/// `end`): after `entries` rows when the cache tree says so and the rows agree, else found by
/// a search.
pub(super) fn subfolder_end(table: &Table, i: usize, end: usize, below: &str, entries: u32) -> usize {
    let last = i + entries as usize;
    if entries > 0
        && last <= end
        && table.at(last - 1).0.starts_with(below)
        && (last == end || !table.at(last).0.starts_with(below))
    {
        return last;
    }
    table.prefixed_rows(below).end.clamp(i + 1, end)
}

/// Each special path of rows `rows`, judged.
fn judge(table: &Table, rows: Range<usize>, out: &mut Vec<String>) {
    for (p, e) in table.iter_rows(rows) {
        if is_special(p, e.kind) {
            out.push(p.to_string());
        }
    }
}

/// The special paths of folder `node` (`prefix`: its path and a `/`, or empty for the root),
/// whose rows are `rows`; `modules`: it lies under a `node_modules` folder.
fn folder(
    table: &Table,
    node: TreeNode<'_>,
    prefix: &str,
    rows: Range<usize>,
    modules: bool,
    lists: &mut Lists,
    out: &mut Vec<String>,
) {
    let keep = match node.id() {
        Some(id) if !modules && node.entries() >= lists.min_entries => Some(*id),
        _ => None,
    };
    if let Some(id) = keep {
        if let Some(kept) = lists.made.get(&id) {
            out.extend(kept.iter().map(|p| format!("{prefix}{p}")));
            return;
        }
        if lists.kept(&id, |p| out.push(format!("{prefix}{p}"))) {
            lists.used.push(id);
            return;
        }
    }
    let start = out.len();
    // The subfolders git recorded, in the rows' order (a folder's rows sort as `<name>/...`).
    let mut children: Vec<TreeNode<'_>> = node.children().collect();
    children.sort_unstable_by(|a, b| slash_cmp(a.name(), b.name()));
    let mut next_child = 0;
    let mut i = rows.start;
    while i < rows.end {
        let (path, entry) = table.at(i);
        let rest = path.get(prefix.len()..).unwrap_or_default();
        // memchr: `str::find` sets up a searcher per call, once per row of a fresh clone.
        let Some(slash) = memchr::memchr(b'/', rest.as_bytes()) else {
            if is_special(path, entry.kind) {
                out.push(path.to_string());
            }
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
            Some(child) => {
                let under = modules || name == "node_modules";
                folder(table, *child, below, i..end, under, lists, out);
            }
            None => judge(table, i..end, out),
        }
        i = end;
    }
    if let Some(id) = keep {
        let made = out[start..]
            .iter()
            .map(|p| p[prefix.len()..].to_string())
            .collect();
        lists.made.insert(id, made);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;

    use super::*;
    use crate::snapshot::{Files, Snapshot};

    use crate::snapshot::tests::git;

    /// Folders whose trees are alike: `lib/a` is a copy of `src/a` (one tree id, two places)
    /// and so is `node_modules/a` (the same id, where every path is special).
    const FOLDERS: &[&str] = &["src/a", "lib/a", "node_modules/a", "src/b/deep", "src", ""];
    const NAMES: &[&str] = &["x.ts", "package.json", ".env", "y.d.ts", "z.tsx"];

    #[derive(Debug, Clone)]
    enum Edit {
        /// Write (or remove) `NAMES[name]` in `FOLDERS[folder]`, and stage it.
        File {
            folder: usize,
            name: usize,
            remove: bool,
        },
        /// The same edit in `src/a`, `lib/a` and `node_modules/a`: their trees stay alike.
        Alike {
            name: usize,
            remove: bool,
        },
        Commit,
        /// `git read-tree HEAD`: a new cache tree.
        ReadTree,
    }

    fn edit() -> impl Strategy<Value = Edit> {
        prop_oneof![
            (0..FOLDERS.len(), 0..NAMES.len(), any::<bool>()).prop_map(|(folder, name, remove)| Edit::File {
                folder,
                name,
                remove
            }),
            (0..NAMES.len(), any::<bool>()).prop_map(|(name, remove)| Edit::Alike { name, remove }),
            Just(Edit::Commit),
            Just(Edit::ReadTree),
        ]
    }

    fn write(dir: &Path, folder: &str, name: &str, remove: bool) {
        let rel = if folder.is_empty() {
            name.to_string()
        } else {
            format!("{folder}/{name}")
        };
        let full = dir.join(&rel);
        if remove {
            let _ = std::fs::remove_file(&full);
        } else {
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, "x").unwrap();
        }
        git(dir, &["add", "-A"]);
    }

    fn setup() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        git(dir, &["init", "-q"]);
        for folder in FOLDERS {
            for name in ["keep.ts", "tsconfig.json"] {
                write(dir, folder, name, false);
            }
        }
        write(dir, "src/b", ".env.local", false);
        git(dir, &["commit", "-q", "-m", "one"]);
        tmp
    }

    /// The special paths of the repository's index, with the lists kept in `cache` (every
    /// folder keeps one: `min_entries` 1), and judged path by path.
    fn warm_and_cold(dir: &Path, cache: &Path) -> (Vec<String>, Vec<String>) {
        let (repo, paths) = crate::git::discover_at(dir).unwrap();
        let snap = Snapshot::index(repo, &paths).unwrap();
        let Files::Own(table) = &snap.files else {
            unreachable!()
        };
        let root = snap
            .cache_tree
            .as_ref()
            .and_then(super::super::index_file::CacheTree::root);
        let mut lists = Lists::load(Some(cache), 1);
        let warm = super::paths(table, root, &mut lists);
        lists.save();
        let mut cold = Vec::new();
        judge(table, 0..table.len(), &mut cold);
        (warm, cold)
    }

    fn warm_equals_cold(edits: &[Edit]) -> Result<(), TestCaseError> {
        let tmp = setup();
        let dir = tmp.path();
        let cache = tempfile::tempdir().unwrap();
        let (warm, cold) = warm_and_cold(dir, cache.path());
        prop_assert_eq!(warm, cold);
        for e in edits {
            match e {
                Edit::File { folder, name, remove } => write(dir, FOLDERS[*folder], NAMES[*name], *remove),
                Edit::Alike { name, remove } => {
                    for folder in ["src/a", "lib/a", "node_modules/a"] {
                        write(dir, folder, NAMES[*name], *remove);
                    }
                }
                Edit::Commit => git(dir, &["commit", "-q", "--allow-empty", "-m", "next"]),
                Edit::ReadTree => git(dir, &["read-tree", "HEAD"]),
            }
            // Twice: the first run may make lists, the second reads them.
            for _ in 0..2 {
                let (warm, cold) = warm_and_cold(dir, cache.path());
                prop_assert_eq!(warm, cold, "after {:?}", e);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        /// Kept lists never change the answer: after any edits, the special paths read with the
        /// lists kept by every earlier run equal those judged path by path.
        #[test]
        fn kept_lists_equal_judging_every_path(edits in proptest::collection::vec(edit(), 1..6)) {
            warm_equals_cold(&edits)?;
        }
    }

    /// The sequences that need each key part every time: the tree id (a special file added in
    /// a folder whose list was kept) and the `node_modules` exclusion (`node_modules/a` has the
    /// tree id of `src/a`, where a plain file is not special).
    #[test]
    fn each_key_part_matters() {
        for edits in [
            vec![
                Edit::Commit,
                Edit::File {
                    folder: 0,
                    name: 1,
                    remove: false,
                },
                Edit::Commit,
            ],
            vec![
                Edit::Alike {
                    name: 0,
                    remove: false,
                },
                Edit::Commit,
            ],
        ] {
            warm_equals_cold(&edits).unwrap();
        }
    }

    /// A damaged or foreign file is not read: the lists are made again.
    #[test]
    fn a_damaged_file_is_ignored() {
        let tmp = setup();
        let cache = tempfile::tempdir().unwrap();
        let (warm, cold) = warm_and_cold(tmp.path(), cache.path());
        assert_eq!(warm, cold);
        let file = cache.path().join(FILE);
        // Saved once the answer is out ([`crate::cache::later`]): now, here.
        crate::cache::later::flush_for(&file);
        let mut bytes = std::fs::read(&file).unwrap();
        assert!(
            bytes.len() > crate::cache::frame::HEADER_LEN + 4,
            "lists were kept"
        );
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&file, &bytes).unwrap();
        let lists = Lists::load(Some(cache.path()), 1);
        assert_eq!(lists.count, 0);
        let (warm, cold) = warm_and_cold(tmp.path(), cache.path());
        assert_eq!(warm, cold);
    }
}
