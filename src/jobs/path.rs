//! The PATH a job runs with: `node_modules/.bin` of the job's folder and of each folder above
//! it up to the repository root, nearest first, in front of the hook's own PATH, as npm, pnpm
//! and yarn scripts have it (and husky and lint-staged, which run from such scripts). A job
//! written `eslint --fix {files}` then runs the project's own eslint, from a terminal or a
//! GUI git client alike, without `npx` (which costs a Node start and may fetch a package).
//!
//! `doctor` looks a job's command up through the same PATH ([`search_path`]).

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};

/// `node_modules/.bin` of `rel` (a folder relative to `root`) and of each folder above it up to
/// `root` itself, nearest first. `..` and absolute parts never leave `root`.
pub fn bin_dirs(root: &Path, rel: &Path) -> Vec<PathBuf> {
    let mut parts: Vec<&OsStr> = Vec::new();
    for c in rel.components() {
        match c {
            std::path::Component::Normal(p) => parts.push(p),
            std::path::Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    let mut dirs = Vec::with_capacity(parts.len() + 1);
    for n in (0..=parts.len()).rev() {
        let mut d = root.to_path_buf();
        d.extend(&parts[..n]);
        d.push("node_modules");
        d.push(".bin");
        dirs.push(d);
    }
    dirs
}

/// The PATH for a job running in `rel` under each of `roots` (the folder it runs in first: a
/// clean checkout or staged view, then the work tree whose `node_modules` those link to),
/// before `inherited` (the hook's PATH). Folders repeated across roots are listed once.
pub fn for_job(roots: &[&Path], rel: &Path, inherited: Option<&OsStr>) -> OsString {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for root in roots {
        for d in bin_dirs(root, rel) {
            if !dirs.contains(&d) {
                dirs.push(d);
            }
        }
    }
    let mut all: Vec<PathBuf> = dirs;
    if let Some(p) = inherited {
        all.extend(std::env::split_paths(p));
    }
    // A folder whose name holds `:` cannot be on a PATH: skip it rather than fail the job.
    let all: Vec<PathBuf> = all
        .into_iter()
        .filter(|d| !d.as_os_str().as_encoded_bytes().contains(&b':'))
        .collect();
    std::env::join_paths(all).unwrap_or_else(|_| inherited.map(OsStr::to_os_string).unwrap_or_default())
}

/// The `(PATH, value)` pair for [`for_job`] with this process's PATH.
pub fn env_for_job(roots: &[&Path], rel: &Path) -> (OsString, OsString) {
    let inherited = crate::env_vars::get_os(crate::env_vars::PATH);
    (OsString::from("PATH"), for_job(roots, rel, inherited.as_deref()))
}

/// The first executable `name` in a PATH-style list (`search_path("eslint", &path)`).
pub fn search_path(name: &str, path: &OsStr) -> Option<PathBuf> {
    std::env::split_paths(path)
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(path: &Path) -> bool {
    crate::platform::is_executable(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_first_up_to_the_root() {
        let root = Path::new("/r");
        assert_eq!(
            bin_dirs(root, Path::new("apps/web")),
            [
                PathBuf::from("/r/apps/web/node_modules/.bin"),
                PathBuf::from("/r/apps/node_modules/.bin"),
                PathBuf::from("/r/node_modules/.bin"),
            ]
        );
        assert_eq!(
            bin_dirs(root, Path::new("")),
            [PathBuf::from("/r/node_modules/.bin")]
        );
        assert_eq!(
            bin_dirs(root, Path::new("a/../../b")),
            [
                PathBuf::from("/r/b/node_modules/.bin"),
                PathBuf::from("/r/node_modules/.bin")
            ],
            "never above the root"
        );
    }

    #[test]
    fn before_the_inherited_path_once_each() {
        let p = for_job(
            &[Path::new("/tmp/view"), Path::new("/r")],
            Path::new("web"),
            Some(OsStr::new("/usr/bin:/bin")),
        );
        assert_eq!(
            p,
            "/tmp/view/web/node_modules/.bin:/tmp/view/node_modules/.bin:/r/web/node_modules/.bin:/r/node_modules/.bin:/usr/bin:/bin"
        );
        let same = for_job(&[Path::new("/r"), Path::new("/r")], Path::new(""), None);
        assert_eq!(same, "/r/node_modules/.bin");
    }
}
