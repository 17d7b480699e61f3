//! "Would git ignore this path?" for paths that do not exist, asked once per unresolved import:
//! the `.gitignore` files of the snapshot (each anchored at its folder, the deepest deciding
//! first), `.git/info/exclude` and the user's global excludes file, compiled once into globsets.
//! libgit2's `is_path_ignored` answers the same question but rebuilds its rule stack per call
//! (about 100 µs per unresolved import on a vendored bundle with 20,000 of them).

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::snapshot::Snapshot;

pub struct Ignored {
    /// `(folder, its .gitignore)`, deepest first.
    files: Vec<(String, Gitignore)>,
    /// `.git/info/exclude` and the global excludes file, anchored at the root.
    repo_wide: Vec<Gitignore>,
}

impl Ignored {
    pub fn load(snap: &Snapshot) -> Ignored {
        // A `.gitignore` is a dotfile: one of the snapshot's special paths.
        let mut files: Vec<(String, Gitignore)> = snap
            .special_paths()
            .iter()
            .filter(|p| *p == ".gitignore" || p.ends_with("/.gitignore"))
            .filter_map(|p| {
                let dir = p
                    .strip_suffix(".gitignore")
                    .unwrap_or("")
                    .trim_end_matches('/')
                    .to_string();
                let text = snap.read(p).ok()?;
                let mut b = GitignoreBuilder::new(snap.abs(&dir));
                for line in String::from_utf8_lossy(&text).lines() {
                    let _ = b.add_line(None, line);
                }
                Some((dir, b.build().ok()?))
            })
            // (A file of comments only decides nothing.)
            .filter(|(_, g)| !g.is_empty())
            .collect();
        files.sort_by_key(|(dir, _)| {
            std::cmp::Reverse(dir.matches('/').count() + usize::from(!dir.is_empty()))
        });
        let mut repo_wide = Vec::new();
        let info = snap.with_repo(|r| r.commondir().join("info").join("exclude"));
        for file in [info, ignore::gitignore::gitconfig_excludes_path()]
            .into_iter()
            .flatten()
        {
            let mut b = GitignoreBuilder::new(&snap.root);
            if b.add(&file).is_none()
                && let Ok(g) = b.build()
                && !g.is_empty()
            {
                repo_wide.push(g);
            }
        }
        Ignored { files, repo_wide }
    }

    /// No rule at all (no `.gitignore` with a pattern, an `info/exclude` of comments): nothing
    /// is ignored.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty() && self.repo_wide.is_empty()
    }

    /// Is the repo-relative `rel` (a file) ignored, by its own name or a folder above it?
    pub fn is_ignored(&self, snap: &Snapshot, rel: &str) -> bool {
        let abs = snap.abs(rel);
        let decide = |g: &Gitignore| match g.matched_path_or_any_parents(&abs, false) {
            Match::Ignore(_) => Some(true),
            Match::Whitelist(_) => Some(false),
            Match::None => None,
        };
        for (dir, g) in &self.files {
            if (dir.is_empty() || rel.starts_with(&format!("{dir}/")))
                && let Some(answer) = decide(g)
            {
                return answer;
            }
        }
        self.repo_wide.iter().find_map(decide).unwrap_or(false)
    }
}
