//! Files known to have no import findings, kept across runs: `<git common dir>/hookctl/clean.bin`.
//!
//! An import's outcome depends on the importer's path, its text (the blob), and the resolution
//! context: the set of paths in the snapshot, the config files (package.json, tsconfig,
//! jsconfig, pnpm-workspace.yaml) and hookctl's own settings. When the context hash of this run
//! equals the stored one, a (path, blob) pair stored as clean is clean again and is not
//! resolved. Files with findings are never stored, so they are always resolved afresh (their
//! outcome may depend on the disk: untracked vs unresolved). One context is kept: the last
//! full check's.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::Oid;
use xxhash_rust::xxh3::{Xxh3, xxh3_64};

use crate::snapshot::Snapshot;

/// The cache folder's framing ([`crate::cache::frame`]); the fingerprint is the context hash.
const FRAME: crate::cache::frame::Frame = crate::cache::frame::Frame {
    magic: b"HKCCLEAN",
    format: 2,
};
const FILE: &str = "clean.bin";
const ENTRY: usize = 8 + 20;

pub struct CleanSet {
    file: Option<PathBuf>,
    ctx: u64,
    known: HashSet<(u64, [u8; 20])>,
    added: Mutex<Vec<(u64, [u8; 20])>>,
    /// The stored file was for another context (or absent): save rewrites it.
    stale: bool,
}

/// The resolution context of a snapshot: paths and kinds, config blobs, symlink targets,
/// hookctl's settings (which carry the digest of every config the resolver read).
/// Bumped when resolution can give another verdict for the same inputs (the package version
/// alone does not change between builds of one version): 2, issue 19's levels by certainty.
const RESOLUTION_LOGIC: u32 = 2;

pub fn context_hash(snap: &Snapshot, settings: &str) -> u64 {
    let mut h = Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(&RESOLUTION_LOGIC.to_le_bytes());
    h.update(settings.as_bytes());
    for (path, entry) in snap.entries() {
        h.update(path.as_bytes());
        h.update(&[entry.kind as u8]);
        // A symlink's target is its content: retargeting it changes what resolves.
        if is_resolution_config(path) || entry.kind == crate::snapshot::EntryKind::Symlink {
            h.update(entry.oid.as_bytes());
        }
    }
    h.digest()
}

/// Files that change how imports resolve: package manifests, workspace lists, tsconfigs.
pub fn is_resolution_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    name == "package.json"
        || name == "pnpm-workspace.yaml"
        || is_tsconfig_name(name)
        || name == "deno.json"
        || name == "deno.jsonc"
        // `$lib`, `kit.alias`, Nuxt's `srcDir`
        || crate::bundler::is_config(name)
        // How the package manager lays out node_modules (hoisted or not).
        || path == ".npmrc"
        || path == ".yarnrc.yml"
}

/// `tsconfig*.json` / `jsconfig*.json` (bases such as `tsconfig.base.json` included).
pub fn is_tsconfig_name(name: &str) -> bool {
    name.ends_with(".json") && (name.starts_with("tsconfig") || name.starts_with("jsconfig"))
}

fn key(path: &str, oid: &Oid) -> (u64, [u8; 20]) {
    let mut o = [0u8; 20];
    o.copy_from_slice(&oid.as_bytes()[..20]);
    (xxh3_64(path.as_bytes()), o)
}

impl CleanSet {
    /// A set that remembers nothing (work-tree snapshots, partial scopes).
    pub fn disabled() -> CleanSet {
        CleanSet {
            file: None,
            ctx: 0,
            known: HashSet::new(),
            added: Mutex::new(Vec::new()),
            stale: false,
        }
    }

    /// Load the stored set if it was written for context `ctx`; a missing, corrupt or foreign
    /// file gives an empty set.
    pub fn load(common_dir: &Path, ctx: u64) -> CleanSet {
        Self::load_as(common_dir, FILE, ctx)
    }

    /// `load` from another file of the cache folder (another rule's clean set, e.g.
    /// `secrets/in-source`'s).
    pub fn load_as(common_dir: &Path, name: &str, ctx: u64) -> CleanSet {
        let file = common_dir.join(crate::cache::DIR).join(name);
        let known = std::fs::read(&file)
            .ok()
            .and_then(|b| parse(&b, ctx))
            .unwrap_or_default();
        let stale = known.is_empty();
        CleanSet {
            file: Some(file),
            ctx,
            known,
            added: Mutex::new(Vec::new()),
            stale,
        }
    }

    pub fn contains(&self, path: &str, oid: &Oid) -> bool {
        !oid.is_zero() && self.known.contains(&key(path, oid))
    }

    pub fn insert(&self, path: &str, oid: &Oid) {
        if self.file.is_some() && !oid.is_zero() {
            self.added
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(key(path, oid));
        }
    }

    /// Write the set (atomically) if this run learnt something.
    pub fn save(&self) -> std::io::Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        let added = std::mem::take(&mut *self.added.lock().unwrap_or_else(|p| p.into_inner()));
        if added.is_empty() && !self.stale {
            return Ok(());
        }
        let mut all: Vec<(u64, [u8; 20])> = if self.stale {
            Vec::new()
        } else {
            self.known.iter().copied().collect()
        };
        all.extend(added);
        all.sort_unstable();
        all.dedup();
        let mut body = Vec::with_capacity(all.len() * ENTRY);
        for (h, o) in &all {
            body.extend_from_slice(&h.to_le_bytes());
            body.extend_from_slice(o);
        }
        crate::cache::write_atomically(file, &FRAME.encode(self.ctx, &body))
    }
}

fn parse(file: &[u8], ctx: u64) -> Option<HashSet<(u64, [u8; 20])>> {
    let body = FRAME.body(file, ctx)?;
    if body.len() % ENTRY != 0 {
        return None;
    }
    Some(
        body.chunks_exact(ENTRY)
            .map(|c| {
                let mut o = [0u8; 20];
                o.copy_from_slice(&c[8..]);
                (u64::from_le_bytes(c[..8].try_into().expect("8 bytes")), o)
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(n: u8) -> Oid {
        Oid::from_bytes(&[n; 20]).unwrap()
    }

    #[test]
    fn round_trip_only_for_the_same_context() {
        let dir = tempfile::tempdir().unwrap();
        let s = CleanSet::load(dir.path(), 7);
        assert!(!s.contains("a.ts", &oid(1)));
        s.insert("a.ts", &oid(1));
        s.save().unwrap();
        let s = CleanSet::load(dir.path(), 7);
        assert!(s.contains("a.ts", &oid(1)));
        assert!(
            !s.contains("a.ts", &oid(2)),
            "another blob of the same path is not known"
        );
        assert!(
            !s.contains("b.ts", &oid(1)),
            "the same blob at another path is not known"
        );
        assert!(
            !CleanSet::load(dir.path(), 8).contains("a.ts", &oid(1)),
            "another context"
        );
    }

    #[test]
    fn corrupt_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let s = CleanSet::load(dir.path(), 1);
        s.insert("a.ts", &oid(1));
        s.save().unwrap();
        let path = dir.path().join("hookctl").join(FILE);
        let good = std::fs::read(&path).unwrap();
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x41;
            std::fs::write(&path, &bad).unwrap();
            assert!(
                !CleanSet::load(dir.path(), 1).contains("a.ts", &oid(1)),
                "byte {i}"
            );
        }
        std::fs::write(&path, &good[..good.len() - 3]).unwrap();
        assert!(!CleanSet::load(dir.path(), 1).contains("a.ts", &oid(1)));
    }
}
