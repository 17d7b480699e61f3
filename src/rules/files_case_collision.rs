//! `files/case-collision`: two snapshot paths differ only by letter case (`Foo.ts`, `foo.ts`).
//! A checkout on macOS or Windows keeps only one of them.

use std::collections::HashMap;

use crate::diagnostic::Finding;
use crate::snapshot::Snapshot;

pub fn check(snap: &Snapshot) -> Vec<Finding> {
    let mut groups: HashMap<String, Vec<&str>> = HashMap::new();
    for p in snap.paths().chain(snap.dirs().map(String::as_str)) {
        groups.entry(p.to_ascii_lowercase()).or_default().push(p);
    }
    let mut out = Vec::new();
    for (_, mut paths) in groups.into_iter().filter(|(_, v)| v.len() > 1) {
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
