//! Relative imports of nothing, answered without probing.
//!
//! Resolving `./m5` probes every candidate a resolver may try (`m5`, `m5.ts` ... `m5.json`,
//! `m5/index.*`, the bundler-only extensions, siblings `m5.<ext>`) in three views (the
//! snapshot, the snapshot with case ignored, the files on disk), and `oxc_resolver` caches
//! every probed path. A vendored bundle of 200,000 `require("./mN")` of nothing cost 28 s and
//! 5 GB that way. Every one of those candidates lies in the folder the specifier names and has
//! a name whose head (the part before its first `.`) is the head of the specifier's last segment:
//! when neither the snapshot (any case) nor the disk has an entry with that head in that folder,
//! no view can find anything, and the probes are skipped.
//!
//! The answer only ever says "nothing there"; anything it cannot vouch for (a symlink on the
//! way, `node_modules`, a folder on disk that leaves the root, names it does not compare
//! exactly) falls back to full resolution.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use rustc_hash::{FxHashMap, FxHashSet};

use crate::snapshot::{EntryKind, Snapshot};

/// A name's head: up to its first `.`, ASCII lower case.
fn head(name: &str) -> String {
    name.split('.').next().unwrap_or(name).to_ascii_lowercase()
}

/// The snapshot's folders (lower case) -> the heads of their entries (files, folders,
/// submodules, symlinks), and its symlinks (lower case). Built once, when first asked.
struct Listing {
    heads: FxHashMap<String, FxHashSet<String>>,
    symlinks: FxHashSet<String>,
}

impl Listing {
    fn build<'a>(snap: &Snapshot, extra: impl Iterator<Item = &'a str>) -> Listing {
        let mut heads: FxHashMap<String, FxHashSet<String>> = FxHashMap::default();
        let mut symlinks = FxHashSet::default();
        let has_symlinks = snap.has_symlinks();
        let mut add = |path: &str| {
            let lower = path.to_ascii_lowercase();
            let mut p = lower.as_str();
            loop {
                let (dir, name) = p.rsplit_once('/').unwrap_or(("", p));
                // Already there: every folder above `dir` was listed with it.
                if !heads.entry(dir.to_string()).or_default().insert(head(name)) || dir.is_empty() {
                    break;
                }
                p = dir;
            }
        };
        for (path, entry) in snap {
            add(path);
            if has_symlinks && entry.kind == EntryKind::Symlink {
                symlinks.insert(path.to_ascii_lowercase());
            }
        }
        for path in extra {
            add(path);
        }
        Listing { heads, symlinks }
    }
}

/// What decides whether a relative specifier can name anything, per run.
pub(super) struct Absent {
    listing: OnceLock<Listing>,
    /// Folder (repo-relative, as written) -> the heads of its entries on disk (lower case);
    /// `None` when the disk cannot be vouched for (leaves the root, unreadable, non-ASCII names).
    disk: Mutex<HashMap<String, Option<Arc<FxHashSet<String>>>>>,
}

impl Absent {
    pub(super) fn new() -> Absent {
        Absent {
            listing: OnceLock::new(),
            disk: Mutex::new(HashMap::new()),
        }
    }

    /// The folder (repo-relative) and last segment a `./`/`../` specifier written in `importer`
    /// names, when the shortcut may judge it: inside the root, an ASCII name that does not start
    /// with `.`, no `node_modules` on the way.
    fn target<'a>(importer: &'a str, spec: &'a str) -> Option<(Vec<&'a str>, &'a str)> {
        if !(spec.starts_with("./") || spec.starts_with("../")) {
            return None;
        }
        let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        let mut parts = crate::snapshot::join_relative(dir, spec)?;
        let name = parts.pop()?;
        let plain = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii() && b != b'\\' && b != b'?' && b != b'#')
        };
        if name.starts_with('.') || !plain(name) || parts.iter().any(|p| *p == "node_modules" || !plain(p)) {
            return None;
        }
        Some((parts, name))
    }

    /// Build the listing: a relative import found nothing in the snapshot. (Until one does,
    /// [`Self::nothing_there`] says no: a repository whose imports resolve pays nothing.)
    /// `extra` are paths resolution serves beside the snapshot (patched configs).
    pub(super) fn arm<'a>(&self, snap: &Snapshot, extra: impl Iterator<Item = &'a str>) {
        self.listing.get_or_init(|| Listing::build(snap, extra));
    }

    /// Does `spec` (a cleaned `./`/`../` specifier written in `importer`) certainly name
    /// nothing: no snapshot entry in any case, no file or folder on disk, with the head of its
    /// name in its folder? Only once [armed](Self::arm).
    pub(super) fn nothing_there(&self, snap: &Snapshot, importer: &str, spec: &str) -> bool {
        let Some(listing) = self.listing.get() else {
            return false;
        };
        let Some((parts, name)) = Self::target(importer, spec) else {
            return false;
        };
        let dir = parts.join("/");
        let lower_dir = dir.to_ascii_lowercase();
        let want = head(name);
        if listing
            .heads
            .get(&lower_dir)
            .is_some_and(|heads| heads.contains(&want))
        {
            return false;
        }
        // A snapshot symlink on the way may lead anywhere.
        if !listing.symlinks.is_empty()
            && (listing.symlinks.contains(&lower_dir)
                || lower_dir
                    .match_indices('/')
                    .any(|(i, _)| listing.symlinks.contains(&lower_dir[..i])))
        {
            return false;
        }
        self.on_disk(snap, &dir)
            .is_some_and(|heads| !heads.contains(&want))
    }

    /// The heads of what is on disk in the folder `dir`, read once per folder.
    fn on_disk(&self, snap: &Snapshot, dir: &str) -> Option<Arc<FxHashSet<String>>> {
        let mut memo = self.disk.lock().unwrap_or_else(PoisonError::into_inner);
        memo.entry(dir.to_string())
            .or_insert_with(|| read_heads(&snap.root, &snap.abs(dir)))
            .clone()
    }
}

fn read_heads(root: &Path, abs: &Path) -> Option<Arc<FxHashSet<String>>> {
    let entries = match std::fs::read_dir(abs) {
        Ok(entries) => entries,
        // Nothing there (the disk has no such folder, nor anything below it).
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(Arc::default()),
        Err(_) => return None,
    };
    // A folder that is (or lies beneath) a symlink out of the root: the overlay sees none of it,
    // but not in every way; leave it to resolution.
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    if !abs.canonicalize().is_ok_and(|real| real.starts_with(&root)) {
        return None;
    }
    let mut heads = FxHashSet::default();
    for entry in entries {
        let name = entry.ok()?.file_name().into_string().ok()?;
        // A case-insensitive file system may fold non-ASCII letters onto ASCII ones.
        if !name.is_ascii() {
            return None;
        }
        heads.insert(head(&name));
    }
    Some(Arc::new(heads))
}
