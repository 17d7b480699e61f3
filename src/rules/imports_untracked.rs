//! `imports/untracked`: an import resolves only to a file that exists on disk but is not in the
//! snapshot — untracked, git-ignored, or removed from the index. The postmortem's bug: the local
//! build passes, the deploy host builds from git and fails with "Cannot find module".

use crate::diagnostic::Finding;
use crate::scan::Import;
use crate::snapshot::{Kind, Snapshot};

/// Why the target is not in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Untracked,
    /// Ignored by a rule: `source:line` and the pattern.
    Ignored {
        source: String,
        pattern: String,
    },
    /// In HEAD but removed from the index (`git rm --cached`).
    RemovedFromIndex,
    /// In the index (or work tree) but not in the checked commit.
    NotCommitted,
}

pub fn finding(snap: &Snapshot, path: &str, import: &Import, target: &str) -> Finding {
    let state = state_of(snap, target);
    let (label, message, help) = match (&snap.kind, &state) {
        (_, State::Ignored { source, pattern }) => (
            format!("`{target}` is git-ignored by `{source}` (`{pattern}`)"),
            format!("`{}` resolves to a git-ignored file", import.specifier),
            format!(
                "commit it with `git add -f {}`, or narrow the ignore rule at `{source}`",
                quote(target)
            ),
        ),
        (Kind::Commit(_), _) => (
            format!("`{target}` is not in this commit"),
            format!("`{}` resolves to a file that is not committed", import.specifier),
            format!("run `git add {} && git commit`", quote(target)),
        ),
        (_, State::RemovedFromIndex) => (
            format!("`{target}` was removed from the index"),
            format!(
                "`{}` resolves to a file that this commit deletes from git",
                import.specifier
            ),
            format!("run `git add {}` to keep it, or remove the import", quote(target)),
        ),
        _ => (
            format!("`{target}` is untracked"),
            format!("`{}` resolves to a file that is not staged", import.specifier),
            format!("run `git add {}`", quote(target)),
        ),
    };
    Finding::new(&super::IMPORTS_UNTRACKED, path, message)
        .span(import.span)
        .label(label)
        .help(help)
        .specifier(&import.specifier)
        .resolved(target)
}

fn state_of(snap: &Snapshot, target: &str) -> State {
    if let Some((source, pattern)) = ignore_rule(&snap.root, target) {
        return State::Ignored { source, pattern };
    }
    if matches!(snap.kind, Kind::Commit(_)) {
        return State::NotCommitted;
    }
    // An in-memory snapshot has no HEAD: the file was never committed.
    let in_head = snap
        .with_repo(|repo| {
            let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
            head.is_some_and(|t| t.get_path(std::path::Path::new(target)).is_ok())
        })
        .unwrap_or(false);
    if in_head {
        State::RemovedFromIndex
    } else {
        State::Untracked
    }
}

/// The ignore rule that matches `target`, as `git check-ignore -v` reports it.
fn ignore_rule(root: &std::path::Path, target: &str) -> Option<(String, String)> {
    let out = crate::git::command(root)
        .args(["check-ignore", "-v", "--no-index", "--", target])
        .env_remove("GIT_INDEX_FILE")
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    // `<source>:<linenum>:<pattern>\t<pathname>`
    let line = String::from_utf8_lossy(&out.stdout);
    let (info, _) = line.trim_end().split_once('\t')?;
    let mut parts = info.splitn(3, ':');
    let (source, num, pattern) = (parts.next()?, parts.next()?, parts.next()?);
    if pattern.starts_with('!') {
        return None;
    }
    let source = std::path::Path::new(source);
    let source = source.strip_prefix(root).unwrap_or(source).display().to_string();
    Some((format!("{source}:{num}"), pattern.to_string()))
}

/// Quote a path for a shell command line when it needs it.
pub fn quote(path: &str) -> String {
    if path
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+@".contains(c))
    {
        path.to_string()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}
