//! `files/case-collision`: two snapshot paths differ only by letter case (`Foo.ts`, `foo.ts`).
//! A checkout on macOS or Windows keeps only one of them.

use crate::diagnostic::Finding;
use crate::snapshot::Snapshot;

/// [`check`], answered from the cache folder when this path set was found free of collisions
/// before: the verdict depends on the snapshot's paths alone (its folders come from them). The
/// sets kept are those of the [`crate::resolve::clean::KEEP`] most recent path sets (two
/// branches checked in turn keep theirs).
pub fn check_cached(snap: &Snapshot, cache_dir: &std::path::Path) -> Vec<Finding> {
    /// Bumped when [`check`] can answer otherwise for the same paths.
    const LOGIC: u32 = 1;
    if !matches!(
        snap.kind,
        crate::snapshot::Kind::Index | crate::snapshot::Kind::Commit(_)
    ) {
        return check(snap);
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&LOGIC.to_le_bytes());
    // The path set: named by the index's root tree id when its cache tree vouches for every
    // path, else hashed path by path.
    if let Some(root) = snap.root_tree() {
        h.update(b"tree ");
        h.update(root.as_bytes());
    } else {
        h.update(b"paths ");
        for p in snap.paths() {
            h.update(p.as_bytes());
            h.update(&[0]);
        }
    }
    // One entry says "free": the set's context is the path set.
    let free = git2::Oid::from_bytes(&[0xca; 20]).expect("20 bytes");
    let set = crate::resolve::clean::CleanSet::load_as(cache_dir, "case-free.bin", h.digest());
    if set.contains("", &free) {
        return Vec::new();
    }
    let found = check(snap);
    if found.is_empty() {
        set.insert("", &free);
        let _ = set.save();
    }
    found
}

pub fn check(snap: &Snapshot) -> Vec<Finding> {
    // Every path and every folder once, keyed by a hash of its lower-case form (no string
    // built per path: this runs over the whole snapshot on every full check). Sorted paths
    // list a folder's contents together, so a folder is new when the previous path was not
    // in it. The first of each hash is remembered; only the later ones are kept to group.
    let mut first: rustc_hash::FxHashMap<u64, &str> =
        rustc_hash::FxHashMap::with_capacity_and_hasher(snap.len() * 5 / 4, Default::default());
    let mut later: Vec<(u64, &str)> = Vec::new();
    let mut lower = Vec::new();
    let mut prev: &str = "";
    for p in snap.paths() {
        let dirs = p.match_indices('/').filter_map(|(i, _)| {
            let dir = &p[..i];
            let seen = prev.len() > i && prev.as_bytes()[i] == b'/' && prev.starts_with(dir);
            (!seen).then_some(dir)
        });
        for s in dirs.chain(std::iter::once(p)) {
            // Most paths have no upper-case letter: hashed as they are.
            let hash = if s.bytes().any(|b| b.is_ascii_uppercase()) {
                lower.clear();
                lower.extend(s.bytes().map(|b| b.to_ascii_lowercase()));
                xxhash_rust::xxh3::xxh3_64(&lower)
            } else {
                xxhash_rust::xxh3::xxh3_64(s.as_bytes())
            };
            if let Some(&seen) = first.get(&hash) {
                // The first once more per later one: deduplicated after the sort.
                later.extend([(hash, seen), (hash, s)]);
            } else {
                first.insert(hash, s);
            }
        }
        prev = p;
    }
    later.sort_unstable();
    later.dedup();
    let mut groups: Vec<Vec<&str>> = Vec::new();
    for same_hash in later.chunk_by(|a, b| a.0 == b.0) {
        // Equal hashes: group by the lower-case form itself (a hash collision is no finding).
        let mut rest: Vec<&str> = same_hash.iter().map(|(_, p)| *p).collect();
        while let Some(first) = rest.pop() {
            let (same, other): (Vec<&str>, Vec<&str>) =
                rest.iter().partition(|p| p.eq_ignore_ascii_case(first));
            if !same.is_empty() {
                groups.push(std::iter::once(first).chain(same).collect());
            }
            rest = other;
        }
    }
    let mut out = Vec::new();
    for mut paths in groups {
        paths.sort_unstable();
        paths.dedup();
        if paths.len() < 2 {
            continue;
        }
        let first = paths[0];
        for other in &paths[1..] {
            out.push(
                Finding::new(
                    &super::FILES_CASE_COLLISION,
                    *other,
                    format!("`{other}` and `{first}` differ only by letter case"),
                )
                .help(format!("rename one of them: `git mv {other} <new name>`; a macOS or Windows checkout keeps only one"))
                .resolved(first),
            );
        }
    }
    out
}

/// The collisions a change introduces: those involving a path (or folder) that `base` lacks.
/// Looks only at the added paths' siblings, not at every path.
pub fn check_added(snap: &Snapshot, base: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    let added = snap.added_since(base);
    let mut seen = std::collections::HashSet::new();
    for path in added {
        // The path itself and each new folder on its way.
        let mut prefix_end = Some(path.len());
        while let Some(end) = prefix_end {
            let candidate = &path[..end];
            let is_new = end == path.len() || !base.is_dir(candidate);
            if is_new && seen.insert(candidate.to_string()) {
                for real in snap.case_variants(candidate) {
                    {
                        let (a, b) = if real.as_str() < candidate {
                            (real.as_str(), candidate)
                        } else {
                            (candidate, real.as_str())
                        };
                        out.push(
                            Finding::new(&super::FILES_CASE_COLLISION, b, format!("`{b}` and `{a}` differ only by letter case"))
                                .help(format!("rename one of them: `git mv {b} <new name>`; a macOS or Windows checkout keeps only one"))
                                .resolved(a),
                        );
                    }
                }
            }
            prefix_end = candidate.rfind('/');
        }
    }
    out.sort_by(|x, y| x.path.cmp(&y.path));
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The grouping `check` replaced: every path and folder's lower-case form in a map.
    fn naive(snap: &Snapshot) -> Vec<(String, String)> {
        let mut groups: std::collections::HashMap<String, Vec<&str>> = std::collections::HashMap::new();
        for p in snap.paths().chain(snap.dirs().map(String::as_str)) {
            groups.entry(p.to_ascii_lowercase()).or_default().push(p);
        }
        let mut out = Vec::new();
        for (_, mut paths) in groups {
            paths.sort_unstable();
            paths.dedup();
            for other in paths.iter().skip(1) {
                out.push(((*other).to_string(), paths[0].to_string()));
            }
        }
        out.sort();
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// The same collisions as the map over every lower-cased path and folder, on path sets
        /// built from a few letters in both cases (so collisions of files, of folders and of a
        /// file with a folder are frequent).
        #[test]
        fn same_collisions_as_the_map(paths in proptest::collection::btree_set("[aAbB.]{1,2}(/[aAbB.]{1,2}){0,3}", 1..40)) {
            let root = tempfile::tempdir().unwrap();
            let snap = Snapshot::from_files(root.path().to_path_buf(), paths.iter().map(|p| (p.clone(), "")));
            let mut got: Vec<(String, String)> = check(&snap)
                .into_iter()
                .map(|f| (f.path.clone(), f.resolved.clone().unwrap_or_default()))
                .collect();
            got.sort();
            prop_assert_eq!(got, naive(&snap));
        }
    }
}
