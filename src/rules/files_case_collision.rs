//! `files/case-collision`: two snapshot paths differ only by letter case (`Foo.ts`, `foo.ts`).
//! A checkout on macOS or Windows keeps only one of them.

use std::collections::HashMap;

use crate::diagnostic::Finding;
use crate::snapshot::Snapshot;

pub fn check(snap: &Snapshot) -> Vec<Finding> {
    let mut groups: HashMap<String, Vec<&str>> = HashMap::new();
    for p in snap.entries().keys() {
        groups.entry(p.to_ascii_lowercase()).or_default().push(p);
    }
    let mut out = Vec::new();
    for (_, mut paths) in groups.into_iter().filter(|(_, v)| v.len() > 1) {
        paths.sort_unstable();
        let first = paths[0];
        for other in &paths[1..] {
            out.push(
                Finding::new(
                    super::FILES_CASE_COLLISION.id,
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
