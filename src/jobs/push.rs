//! pre-push: the ref lines git writes on stdin, and for each pushed ref what it is compared
//! against: the remote's old tip when we have it, else (a new branch) the merge base with the
//! remote's default branch, else nothing.

use super::Git;

/// One `<local ref> <local oid> <remote ref> <remote oid>` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefLine {
    pub local_ref: String,
    pub local_oid: String,
    pub remote_ref: String,
    pub remote_oid: String,
}

impl RefLine {
    /// Deleting the remote ref: nothing to check.
    pub fn is_deletion(&self) -> bool {
        is_zero(&self.local_oid)
    }
}

pub fn is_zero(oid: &str) -> bool {
    oid.bytes().all(|b| b == b'0')
}

/// Parse git's pre-push stdin. Blank lines are ignored; a malformed line is an error.
pub fn parse(input: &str) -> Result<Vec<RefLine>, String> {
    input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split_whitespace().collect();
            let hex = |s: &str| s.len() >= 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
            match f.as_slice() {
                [lr, lo, rr, ro] if hex(lo) && hex(ro) => Ok(RefLine {
                    local_ref: lr.to_string(),
                    local_oid: lo.to_lowercase(),
                    remote_ref: rr.to_string(),
                    remote_oid: ro.to_lowercase(),
                }),
                _ => Err(format!(
                    "unexpected pre-push input line `{line}` (want `<local ref> <local oid> <remote ref> <remote oid>`)"
                )),
            }
        })
        .collect()
}

/// The commit `line`'s push is compared against.
pub fn baseline(git: &Git, remote: &str, line: &RefLine) -> Option<String> {
    if !is_zero(&line.remote_oid)
        && let Some(oid) = git.commit_oid(&line.remote_oid)
    {
        return Some(oid);
    }
    let default = default_branch(git, remote)?;
    let out = git.run(&["merge-base", &line.local_oid, &default], None).ok()?;
    let base = String::from_utf8_lossy(&out).trim().to_string();
    (!base.is_empty()).then_some(base)
}

/// `refs/remotes/<remote>/HEAD`'s target, else `<remote>/main`, else `<remote>/master`.
fn default_branch(git: &Git, remote: &str) -> Option<String> {
    if remote.is_empty() {
        return None;
    }
    // A URL instead of a remote name simply has no remote-tracking refs below.
    let head = format!("refs/remotes/{remote}/HEAD");
    if let Ok(out) = git.run(&["symbolic-ref", "-q", &head], None) {
        let target = String::from_utf8_lossy(&out).trim().to_string();
        if let Some(oid) = git.commit_oid(&target) {
            return Some(oid);
        }
    }
    ["main", "master"]
        .iter()
        .find_map(|b| git.commit_oid(&format!("refs/remotes/{remote}/{b}")))
}

/// For `hookctl run pre-push` typed by hand (stdin a terminal): push HEAD to its upstream.
pub fn head_line(git: &Git) -> Option<RefLine> {
    let local_oid = git.commit_oid("HEAD")?;
    let local_ref = git.run(&["symbolic-ref", "-q", "HEAD"], None).map_or_else(
        |_| "HEAD".into(),
        |o| String::from_utf8_lossy(&o).trim().to_string(),
    );
    let upstream = git
        .run(&["rev-parse", "--symbolic-full-name", "@{upstream}"], None)
        .ok()
        .map(|o| String::from_utf8_lossy(&o).trim().to_string());
    let remote_oid = upstream
        .as_deref()
        .and_then(|u| git.commit_oid(u))
        .unwrap_or_else(|| "0".repeat(local_oid.len()));
    Some(RefLine {
        remote_ref: local_ref.clone(),
        local_ref,
        local_oid,
        remote_oid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lines_and_deletions() {
        let a = "a".repeat(40);
        let z = "0".repeat(40);
        let input = format!("refs/heads/x {a} refs/heads/x {z}\n\n(delete) {z} refs/heads/old {a}\n");
        let lines = parse(&input).unwrap();
        assert_eq!(lines.len(), 2);
        assert!(!lines[0].is_deletion());
        assert!(lines[1].is_deletion());
        assert_eq!(lines[0].remote_ref, "refs/heads/x");
        assert!(parse("garbage\n").is_err());
    }
}
