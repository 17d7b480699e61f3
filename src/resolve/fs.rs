//! `oxc_resolver::FileSystem` served from a snapshot, so resolution sees exactly the files git
//! will record. Three views of the same snapshot:
//! - `Strict`: only the snapshot.
//! - `Overlay`: the snapshot plus files on disk (never `node_modules` or `.git`), to tell an
//!   import of an untracked file from an import of nothing.
//! - `NoCase`: the snapshot with ASCII case ignored, to find case-mismatched imports.
//!
//! Nothing outside the repository root is ever visible. Workspace packages appear as symlinks
//! `node_modules/<name>` -> their folder, as npm/yarn/pnpm link them on disk.

use std::collections::{HashMap, HashSet};
use std::io;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use oxc_resolver::{FileMetadata, FileSystem, ResolveError};

use crate::snapshot::{EntryKind, Snapshot};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Strict,
    Overlay,
    NoCase,
}

/// What every view shares.
pub struct Shared {
    pub snap: Arc<Snapshot>,
    /// Workspace package name -> its folder (repo-relative).
    pub workspace_links: HashMap<String, String>,
    /// Config files that could not be parsed: hidden so resolution goes on without them.
    pub hidden: HashSet<String>,
    /// Replacement contents (e.g. a tsconfig whose `extends` names an uninstalled package).
    pub patched: HashMap<String, Vec<u8>>,
    /// Directories that exist as `node_modules/<ws name>` virtual links (and their scopes).
    virtual_dirs: HashSet<String>,
    /// Folders (repo-relative) that have a `node_modules` folder on disk. Packages are installed
    /// beside package.json files, so only those folders are looked at, once.
    installed_in: HashSet<String>,
    /// `<package folder>/node_modules/<workspace package>` links that pnpm makes for the workspace
    /// dependencies a package declares (the root's live in `workspace_links`).
    pub nested_links: HashSet<String>,
    /// Does the snapshot hold any symlink? (Most do not: then no path needs link-following.)
    has_symlinks: bool,
}

impl Shared {
    pub fn new(
        snap: Arc<Snapshot>,
        workspace_links: HashMap<String, String>,
        hidden: HashSet<String>,
        patched: HashMap<String, Vec<u8>>,
    ) -> Shared {
        let mut virtual_dirs = HashSet::new();
        if !workspace_links.is_empty() {
            virtual_dirs.insert("node_modules".to_string());
        }
        for name in workspace_links.keys() {
            if let Some((scope, _)) = name.split_once('/') {
                virtual_dirs.insert(format!("node_modules/{scope}"));
            }
        }
        let installed_in = std::iter::once("")
            .chain(
                snap.special_paths()
                    .iter()
                    .filter_map(|p| p.strip_suffix("/package.json")),
            )
            .filter(|d| !d.split('/').any(|c| c == "node_modules"))
            .filter(|d| {
                snap.abs(format!("{d}/node_modules").trim_start_matches('/'))
                    .is_dir()
            })
            .map(str::to_string)
            .collect();
        let has_symlinks = snap.has_symlinks();
        Shared {
            snap,
            workspace_links,
            hidden,
            patched,
            virtual_dirs,
            installed_in,
            nested_links: HashSet::new(),
            has_symlinks,
        }
    }
}

#[derive(Clone)]
pub struct SnapFs {
    pub shared: Arc<Shared>,
    pub view: View,
}

/// Resolution probes many paths that do not exist (every extension of every unresolved import):
/// the error carries no formatted path, which cost a tenth of resolving a bundle of imports.
fn not_found(_: &Path) -> io::Error {
    io::Error::from(io::ErrorKind::NotFound)
}

const FILE: FileMetadata = FileMetadata::new(true, false, false);
const DIR: FileMetadata = FileMetadata::new(false, true, false);
const LINK: FileMetadata = FileMetadata::new(false, false, true);

impl SnapFs {
    pub fn new(shared: Arc<Shared>, view: View) -> SnapFs {
        SnapFs { shared, view }
    }

    fn snap(&self) -> &Snapshot {
        &self.shared.snap
    }

    /// The repo-relative path of `path`, if it lies inside the root (after normalising `..`).
    fn rel(&self, path: &Path) -> Option<String> {
        let root = &self.snap().root;
        // Fast path, on bytes (`Path::strip_prefix` compares component by component, a fifth of
        // resolving a bundle of imports): an already normal path below the root.
        {
            use crate::platform::OsStrExt;
            let full = path.as_os_str().as_bytes();
            if let Some(text) = full
                .strip_prefix(root.as_os_str().as_bytes())
                .and_then(|r| r.strip_prefix(b"/"))
                .and_then(|r| std::str::from_utf8(r).ok())
                && !text.is_empty()
                && !text.starts_with('/')
                && !text.ends_with('/')
                && !text.contains("//")
                && !text.split('/').any(|c| c == "." || c == "..")
            {
                return Some(text.to_string());
            }
        }
        let rest = path.strip_prefix(root).ok()?;
        let mut parts: Vec<String> = Vec::new();
        for c in rest.components() {
            match c {
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::CurDir => {}
                _ => return None,
            }
        }
        Some(parts.join("/"))
    }

    /// A path beneath a virtual `node_modules/<workspace package>` link, seen through the link.
    /// Also a path beneath a folder that is a symlink in the snapshot (`src/linked` ->
    /// `../shared`): seen through the link, as a checkout would, if it stays inside the root.
    fn through_link(&self, rel: String) -> String {
        let mut rel = rel;
        // The link itself stays a link (so resolution realpaths through it); paths beneath it
        // are seen in the workspace folder.
        if let Some((name, tail)) = self.workspace_link_of(&rel)
            && !tail.is_empty()
        {
            let dir = &self.shared.workspace_links[name];
            rel = if dir.is_empty() {
                tail.to_string()
            } else {
                format!("{dir}/{tail}")
            };
        }
        // Follow symlinked folders component by component (bounded, so link cycles end).
        for _ in 0..if self.shared.has_symlinks { 16 } else { 0 } {
            let snap = self.snap();
            let hit = rel
                .match_indices('/')
                .map(|(i, _)| i)
                .find(|&i| snap.get(&rel[..i]).is_some_and(|e| e.kind == EntryKind::Symlink));
            let Some(i) = hit else { break };
            let Some(target) = self.link_target(&rel[..i]).and_then(|t| self.rel(&t)) else {
                break;
            };
            rel = if target.is_empty() {
                rel[i + 1..].to_string()
            } else {
                format!("{target}{}", &rel[i..])
            };
        }
        rel
    }

    /// `(workspace package name, rest)` when `rel` lies beneath a `node_modules/<name>` link of a
    /// workspace package: at the root, or in any package's own `node_modules` (pnpm links each
    /// package's workspace dependencies there, and tsconfig `paths` may point through them).
    fn workspace_link_of<'a>(&self, rel: &'a str) -> Option<(&'a str, &'a str)> {
        if self.shared.workspace_links.is_empty() {
            return None;
        }
        let at = if rel.starts_with("node_modules/") {
            0
        } else {
            rel.rfind("/node_modules/")? + 1
        };
        let rest = &rel[at + "node_modules/".len()..];
        let name_len = if rest.starts_with('@') {
            let slash = rest.find('/')?;
            rest[slash + 1..].find('/').map_or(rest.len(), |i| slash + 1 + i)
        } else {
            rest.find('/').unwrap_or(rest.len())
        };
        let name = &rest[..name_len];
        let link = &rel[..at + "node_modules/".len() + name_len];
        (self.shared.workspace_links.contains_key(name)
            && (at == 0 || self.shared.nested_links.contains(link)))
        .then(|| (name, rest[name_len..].trim_start_matches('/')))
    }

    /// Snapshot paths as seen by this view (exact, or the real-cased one for `NoCase`).
    fn lookup(&self, rel: &str) -> Option<String> {
        if self.shared.hidden.contains(rel) {
            return None;
        }
        let snap = self.snap();
        if snap.get(rel).is_some() || snap.is_dir(rel) {
            return Some(rel.to_string());
        }
        if self.view == View::NoCase {
            return snap
                .case_insensitive(rel)
                .into_iter()
                .find(|p| !self.shared.hidden.contains(p));
        }
        None
    }

    /// Disk paths the overlay may see: inside the root, not in `.git` or `node_modules`.
    fn disk_visible(rel: &str) -> bool {
        !rel.split('/').any(|c| c == ".git" || c == "node_modules")
    }

    /// `node_modules/**` JSON files and folders on disk: visible in every view, read-only, so a
    /// tsconfig may `extends` an installed package. Never code files.
    fn installed_json(&self, rel: &str, want_file: bool) -> Option<FileMetadata> {
        if self.shared.installed_in.is_empty() {
            return None; // nothing installed anywhere (a fresh clone, CI before install)
        }
        let at = if rel.starts_with("node_modules") {
            Some(0)
        } else {
            rel.find("/node_modules").map(|i| i + 1)
        }?;
        let owner = rel[..at].trim_end_matches('/');
        if !self.shared.installed_in.contains(owner) {
            return None;
        }
        let m = std::fs::metadata(self.snap().abs(rel)).ok()?;
        if m.is_dir() {
            Some(DIR)
        } else if m.is_file() && (rel.ends_with(".json") || !want_file) {
            Some(FILE)
        } else {
            None
        }
    }

    fn meta(&self, path: &Path, follow: bool) -> io::Result<FileMetadata> {
        let rel = self.through_link(self.rel(path).ok_or_else(|| not_found(path))?);
        if self.shared.virtual_dirs.contains(&rel) {
            return Ok(DIR);
        }
        if self.shared.patched.contains_key(&rel) {
            return Ok(FILE);
        }
        if self
            .workspace_link_of(&rel)
            .is_some_and(|(_, tail)| tail.is_empty())
        {
            return Ok(if follow { DIR } else { LINK });
        }
        if let Some(real) = self.lookup(&rel) {
            let snap = self.snap();
            return match snap.get(&real).map(|e| e.kind) {
                Some(EntryKind::Symlink) if follow => {
                    let target = self.link_target(&real).ok_or_else(|| not_found(path))?;
                    self.meta(&target, true)
                }
                Some(EntryKind::Symlink) => Ok(LINK),
                Some(EntryKind::File) => Ok(FILE),
                Some(EntryKind::Gitlink) | None => Ok(DIR),
            };
        }
        if self.view == View::Overlay && Self::disk_visible(&rel) {
            let abs = self.snap().abs(&rel);
            let m = if follow {
                std::fs::metadata(&abs)
            } else {
                std::fs::symlink_metadata(&abs)
            };
            if let Ok(m) = m {
                // A symlink on disk is followed only if it stays inside the root.
                if m.file_type().is_symlink() {
                    return match std::fs::canonicalize(&abs) {
                        Ok(t) if t.starts_with(&self.snap().root) => Ok(LINK),
                        _ => Err(not_found(path)),
                    };
                }
                if follow && std::fs::canonicalize(&abs).map_or(true, |t| !t.starts_with(&self.snap().root)) {
                    return Err(not_found(path));
                }
                return Ok(FileMetadata::new(m.is_file(), m.is_dir(), false));
            }
        }
        self.installed_json(&rel, true).ok_or_else(|| not_found(path))
    }

    /// Where a snapshot symlink points, if it stays inside the root.
    fn link_target(&self, rel: &str) -> Option<PathBuf> {
        let text = self.snap().read(rel).ok()?;
        let target = String::from_utf8(text).ok()?;
        let base = self.snap().abs(rel);
        let joined = base.parent()?.join(target.trim());
        let rel_target = self.rel(&joined)?;
        Some(self.snap().abs(&rel_target))
    }
}

impl FileSystem for SnapFs {
    fn new() -> Self {
        unreachable!("SnapFs is always built with SnapFs::new")
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        let rel = self.through_link(self.rel(path).ok_or_else(|| not_found(path))?);
        if let Some(bytes) = self.shared.patched.get(&rel) {
            return Ok(bytes.clone());
        }
        if let Some(real) = self.lookup(&rel) {
            if self.snap().get(&real).map(|e| e.kind) == Some(EntryKind::Symlink) {
                let target = self.link_target(&real).ok_or_else(|| not_found(path))?;
                return self.read(&target);
            }
            return self
                .snap()
                .read(&real)
                .map_err(|e| io::Error::other(e.to_string()));
        }
        if (self.view == View::Overlay && Self::disk_visible(&rel))
            || self.installed_json(&rel, true).is_some()
        {
            let abs = self.snap().abs(&rel);
            if std::fs::canonicalize(&abs).is_ok_and(|t| t.starts_with(&self.snap().root)) {
                return std::fs::read(abs);
            }
        }
        Err(not_found(path))
    }

    fn read_to_string(&self, path: &Path) -> io::Result<String> {
        String::from_utf8(self.read(path)?).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    fn metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        self.meta(path, true)
    }

    fn symlink_metadata(&self, path: &Path) -> io::Result<FileMetadata> {
        self.meta(path, false)
    }

    fn read_link(&self, path: &Path) -> Result<PathBuf, ResolveError> {
        let rel = self
            .rel(path)
            .ok_or_else(|| ResolveError::from(not_found(path)))?;
        if let Some((name, "")) = self.workspace_link_of(&rel) {
            return Ok(self.snap().abs(&self.shared.workspace_links[name]));
        }
        if let Some(real) = self.lookup(&rel)
            && let Some(t) = self.link_target(&real)
        {
            return Ok(t);
        }
        if self.view == View::Overlay && Self::disk_visible(&rel) {
            let abs = self.snap().abs(&rel);
            if let Ok(t) = std::fs::canonicalize(&abs)
                && t.starts_with(&self.snap().root)
            {
                return Ok(t);
            }
        }
        Err(not_found(path).into())
    }

    fn canonicalize(&self, path: &Path) -> io::Result<PathBuf> {
        // Walk the components, following links, without leaving the root.
        let rel = self.rel(path).ok_or_else(|| not_found(path))?;
        let mut cur = self.snap().root.clone();
        for (i, part) in rel.split('/').filter(|s| !s.is_empty()).enumerate() {
            cur.push(part);
            if self
                .meta(&cur, false)
                .is_ok_and(oxc_resolver::FileMetadata::is_symlink)
            {
                cur = self.read_link(&cur).map_err(|_| not_found(path))?;
            }
            if i > 64 {
                return Err(io::Error::other("too many path components"));
            }
        }
        Ok(cur)
    }
}
