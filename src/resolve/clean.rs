//! Files known to have no import findings, kept across runs: `<git common dir>/hookctl/clean.bin`.
//!
//! An import's outcome depends on the importer's path, its text (the blob), and the resolution
//! context: the set of paths in the snapshot, the config files (package.json, tsconfig,
//! jsconfig, pnpm-workspace.yaml) and hookctl's own settings. When the context hash of this run
//! equals the stored one, a (path, blob) pair stored as clean is clean again and is not
//! resolved. Files with findings are never stored, so they are always resolved afresh (their
//! outcome may depend on the disk: untracked vs unresolved).
//!
//! One file per context (`clean.<context>.bin`), the [`KEEP`] most recently used kept: two
//! worktrees on different branches sharing the cache folder, checked in turn, each find their
//! own set instead of evicting the other's.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use git2::Oid;
use xxhash_rust::xxh3::Xxh3;

use crate::cache::frame::HEADER_LEN;
use crate::cache::pairs::{ENTRY, entry_at, key};
use crate::snapshot::Snapshot;

/// The cache folder's framing ([`crate::cache::frame`]); the fingerprint is the context hash.
const FRAME: crate::cache::frame::Frame = crate::cache::frame::Frame {
    magic: crate::cache::pairs::MAGIC,
    format: 2,
};
const FILE: &str = "clean.bin";
/// Contexts kept per set (the most recently used; older files are removed on save).
pub const KEEP: usize = 4;
/// Entries a bounded set holds beyond twice the live ones before a save drops the dead ones
/// ([`CleanSet::save_bounded`]; `HOOKCTL_CLEAN_SLACK` for tests).
pub const SLACK: usize = 4096;

fn slack() -> usize {
    crate::env_vars::get(crate::env_vars::HOOKCTL_CLEAN_SLACK)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(SLACK)
}

/// What a bounded set's live pairs are given to, one (path, id) at a time.
pub type Keep<'k> = dyn FnMut(&str, &Oid) + 'k;

pub struct CleanSet {
    file: Option<PathBuf>,
    ctx: u64,
    /// The stored entries as written (sorted): looked up by binary search, never decoded
    /// whole (a hook asking about 10 files does not build a set of 100,000).
    known: Known,
    added: Mutex<Vec<(u64, [u8; 20])>>,
    /// The stored file was for another context (or absent): save rewrites it.
    stale: bool,
    /// The team's remote cache, and this set's file name there: filled from it when absent
    /// here, shared to it when rewritten ([`CleanSet::with_remote`]).
    remote: Option<(crate::cache::remote::Remote, String)>,
}

/// A stored set's file as read (its framing's head, then its entries), shared with the write
/// that keeps another machine's file (a context bundle's, a downloaded set) here after the
/// answer: a fresh clone's set of 100,000 files is 2.8 MB, and copying it (then moving its
/// entries to the front) was on its first check's path.
#[derive(Default)]
struct Known {
    /// Empty, or a whole file [`parse`] accepted (its entries start after the framing's head).
    file: Arc<Vec<u8>>,
}

impl Known {
    fn entries(&self) -> &[u8] {
        self.file.get(HEADER_LEN..).unwrap_or_default()
    }
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
    for (path, entry) in snap {
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
        || crate::bundler::deno::is_deno_config(name)
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

impl CleanSet {
    /// A set that remembers nothing (work-tree snapshots, partial scopes).
    pub fn disabled() -> CleanSet {
        CleanSet {
            file: None,
            ctx: 0,
            known: Known::default(),
            added: Mutex::new(Vec::new()),
            stale: false,
            remote: None,
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
        let file = common_dir.join(crate::cache::DIR).join(context_file(name, ctx));
        crate::cache::later::flush_for(&file);
        // The local file, else the one the snapshot's context bundle brought (a fresh clone):
        // validated the same way, and kept here after the answer ([`CleanSet::save`]).
        let (known, from_bundle) = match crate::cache::bundle::read(&file) {
            Some((bytes, false)) => (parse(bytes, ctx).unwrap_or_default(), false),
            Some((bytes, true)) => match parse(bytes, ctx) {
                // Kept as it came, after the answer (a warm run saves nothing).
                Some(known) => {
                    crate::cache::bundle::keep(&file, known.file.clone());
                    (known, true)
                }
                None => (Known::default(), false),
            },
            None => (Known::default(), false),
        };
        let stale = known.entries().is_empty();
        if !stale && !from_bundle {
            // Used now: the last to be evicted.
            let _ = std::fs::File::options()
                .append(true)
                .open(&file)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        }
        CleanSet {
            file: Some(file),
            ctx,
            known,
            added: Mutex::new(Vec::new()),
            stale,
            remote: None,
        }
    }

    /// The set backed by the team's remote cache, for a check of `files` files: when this
    /// machine has no set for the context and the check is large enough to be worth a round
    /// trip, the set another machine stored for the same context is used (and kept here); a
    /// set this run rewrites is shared back. A downloaded set that does not parse is ignored.
    pub fn with_remote(mut self, remote: Option<&crate::cache::remote::Remote>, files: usize) -> CleanSet {
        let (Some(remote), Some(file), Some(name)) = (remote, self.file.clone(), self.remote_name()) else {
            return self;
        };
        if !remote.worth_it(files) {
            return self;
        }
        // Checked once (framing, checksum, entry size), used, and kept here as it came after
        // the answer (unless this run rewrites it: `save` cancels the queued write then).
        if self.stale
            && let Some(known) = remote.get_clean(&name, self.ctx, |bytes| parse(bytes, self.ctx))
        {
            // Another machine's bytes: screened when written, as a context bundle's are.
            crate::cache::later::file_screened(file, known.file.clone());
            self.known = known;
            self.stale = false;
        }
        self.remote = Some((remote.clone(), name));
        self
    }

    /// Start downloading what [`CleanSet::with_remote`] will ask the remote cache for (this
    /// machine has no set for the context), so that it arrives while the scan runs.
    pub fn prefetch(&self, remote: Option<&crate::cache::remote::Remote>, files: usize) {
        if let (Some(remote), Some(name)) = (remote, self.remote_name())
            && self.stale
            && remote.worth_it(files)
        {
            remote.prefetch_clean(&name, self.ctx);
        }
    }

    /// The set's name in the remote cache: its file name without the context (that is hashed
    /// in apart).
    fn remote_name(&self) -> Option<String> {
        let name = self.file.as_ref()?.file_name()?.to_string_lossy().into_owned();
        Some(
            name.split_once('.')
                .map(|(stem, rest)| format!("{stem}.{}", rest.rsplit('.').next().unwrap_or("bin")))
                .unwrap_or(name),
        )
    }

    /// The set's file in the cache folder (`None`: a set that remembers nothing).
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    pub fn contains(&self, path: &str, oid: &Oid) -> bool {
        if oid.is_zero() {
            return false;
        }
        let (hash, want) = key(path, oid);
        let known = self.known.entries();
        let n = known.len() / ENTRY;
        // Path hashes are uniform: look where the hash falls, then along its equal run (one
        // path's blobs, sorted by id).
        let hash_at =
            |i: usize| u64::from_le_bytes(known[i * ENTRY..i * ENTRY + 8].try_into().expect("8 bytes"));
        let mut i = crate::cache::lower_bound_uniform(n, hash, hash_at);
        while i < n && hash_at(i) == hash {
            match known[i * ENTRY + 8..(i + 1) * ENTRY].cmp(&want[..]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Greater => break,
            }
        }
        false
    }

    pub fn insert(&self, path: &str, oid: &Oid) {
        if self.file.is_some() && !oid.is_zero() {
            self.added
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(key(path, oid));
        }
    }

    /// Write the set (atomically) if this run learnt something.
    pub fn save(&self) -> std::io::Result<()> {
        // No bound: the set's entries are never more than twice `usize::MAX`.
        self.save_bounded(usize::MAX, |_| {})
    }

    /// [`CleanSet::save`] for a set whose context outlives its entries (keyed by blob or tree
    /// id under a context of settings alone, each edit adds an entry and none is ever
    /// replaced): when the set would hold more than twice `live` entries (plus [`SLACK`]), it
    /// keeps only the pairs `each_live` gives (the snapshot's own, which the next run asks
    /// about) and this run's. Dropping an entry only makes a later run judge that file again.
    pub fn save_bounded(&self, live: usize, each_live: impl FnOnce(&mut Keep<'_>)) -> std::io::Result<()> {
        let Some(file) = &self.file else { return Ok(()) };
        let added = std::mem::take(
            &mut *self
                .added
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if added.is_empty() && !self.stale {
            return Ok(());
        }
        let mut all: Vec<(u64, [u8; 20])> = if self.stale {
            Vec::new()
        } else {
            let known = self.known.entries();
            (0..known.len() / ENTRY).map(|i| entry_at(known, i)).collect()
        };
        if all.len() + added.len() > live.saturating_mul(2).saturating_add(slack()) {
            let mut keep: std::collections::HashSet<(u64, [u8; 20])> = added.iter().copied().collect();
            each_live(&mut |path, oid| {
                keep.insert(key(path, oid));
            });
            all.retain(|k| keep.contains(k));
        }
        all.extend(added);
        all.sort_unstable();
        all.dedup();
        let mut body = Vec::with_capacity(all.len() * ENTRY);
        for e in &all {
            crate::cache::pairs::push(&mut body, e);
        }
        let bytes = FRAME.encode(self.ctx, &body);
        // Rewritten now: not a context bundle's file after the answer.
        crate::cache::later::cancel(file);
        crate::cache::write_atomically(file, &bytes)?;
        evict(file);
        if let Some((remote, name)) = &self.remote {
            remote.put_clean(name, self.ctx, bytes);
        }
        Ok(())
    }
}

/// The live pairs of a set keyed by file ([`CleanSet::save_bounded`]): every (path, blob id)
/// of `snap`.
pub fn each_file(snap: &Snapshot) -> impl FnOnce(&mut Keep<'_>) + '_ {
    move |keep| {
        for (path, entry) in snap {
            keep(path, &entry.oid);
        }
    }
}

/// The live pairs of a set keyed by folder ([`CleanSet::save_bounded`]): every folder of
/// `snap`'s cache tree with a valid tree id, (its path and a `/`, tree id); with `root_also`,
/// the root's tree id under that name too (a set keeping a second verdict of the root).
pub fn each_folder<'a>(snap: &'a Snapshot, root_also: Option<&'a str>) -> impl FnOnce(&mut Keep<'_>) + 'a {
    move |keep| {
        let Some(walk) = snap.folder_walk(&mut |_, _| false) else {
            return;
        };
        for f in &walk.folders {
            keep(&f.prefix, &f.id);
            if let (Some(name), true) = (root_also, f.prefix.is_empty()) {
                keep(name, &f.id);
            }
        }
    }
}

/// `clean.bin` -> `clean.<ctx as 16 hex digits>.bin`.
fn context_file(name: &str, ctx: u64) -> String {
    let (stem, ext) = name.rsplit_once('.').unwrap_or((name, "bin"));
    format!("{stem}.{ctx:016x}.{ext}")
}

/// Remove the files of the same set beyond the [`KEEP`] most recently used (`written` is one).
fn evict(written: &Path) {
    let (Some(dir), Some(name)) = (written.parent(), written.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    // `<stem>.<16 hex>.<ext>`: the same stem and extension, any context.
    let Some((stem, rest)) = name.split_once('.') else {
        return;
    };
    let ext = rest.rsplit('.').next().unwrap_or("");
    let Ok(list) = std::fs::read_dir(dir) else { return };
    let mut sets: Vec<(std::time::SystemTime, PathBuf)> = list
        .flatten()
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.strip_prefix(stem)
                .and_then(|r| r.strip_prefix('.'))
                .and_then(|r| r.strip_suffix(ext))
                .and_then(|r| r.strip_suffix('.'))
                .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    sets.sort_by_key(|s| std::cmp::Reverse(s.0));
    for (_, old) in sets.into_iter().skip(KEEP) {
        if old != written {
            let _ = std::fs::remove_file(old);
        }
    }
}

/// A stored set for context `ctx` (entries sorted as [`CleanSet::save`] writes them), if the
/// file is intact.
fn parse(file: Vec<u8>, ctx: u64) -> Option<Known> {
    if !FRAME.body(&file, ctx)?.len().is_multiple_of(ENTRY) {
        return None;
    }
    Some(Known { file: Arc::new(file) })
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
    fn alternating_contexts_keep_each_other_and_old_ones_are_evicted() {
        let dir = tempfile::tempdir().unwrap();
        for ctx in [1, 2] {
            let s = CleanSet::load(dir.path(), ctx);
            s.insert("a.ts", &oid(ctx as u8));
            s.save().unwrap();
        }
        for _ in 0..2 {
            for ctx in [1, 2] {
                assert!(
                    CleanSet::load(dir.path(), ctx).contains("a.ts", &oid(ctx as u8)),
                    "context {ctx} was evicted by the other"
                );
            }
        }
        for ctx in 3..(3 + KEEP as u64) {
            let s = CleanSet::load(dir.path(), ctx);
            s.insert("a.ts", &oid(1));
            s.save().unwrap();
        }
        let files = std::fs::read_dir(dir.path().join("hookctl")).unwrap().count();
        assert_eq!(files, KEEP, "at most KEEP contexts are kept");
    }

    /// A set whose context outlives its entries stays within twice the live entries (plus
    /// [`SLACK`]): past that, a save keeps the live pairs and this run's, drops the rest; below
    /// it, nothing is dropped.
    #[test]
    fn a_bounded_set_drops_dead_entries_once_past_its_bound() {
        let dir = tempfile::tempdir().unwrap();
        let path = |i: usize| format!("f{i}.ts");
        let n = SLACK + 100;
        let s = CleanSet::load(dir.path(), 1);
        for i in 0..n {
            s.insert(&path(i), &oid(1));
        }
        // Every one live: within the bound, all kept.
        s.save_bounded(n, |keep| (0..n).for_each(|i| keep(&path(i), &oid(1))))
            .unwrap();
        let s = CleanSet::load(dir.path(), 1);
        assert!((0..n).all(|i| s.contains(&path(i), &oid(1))));
        // Ten live now (the rest edited away), one learnt: past twice ten plus the slack.
        s.insert("new.ts", &oid(2));
        s.save_bounded(10, |keep| (0..10).for_each(|i| keep(&path(i), &oid(1))))
            .unwrap();
        let s = CleanSet::load(dir.path(), 1);
        assert!(
            (0..10).all(|i| s.contains(&path(i), &oid(1))),
            "a live entry was dropped"
        );
        assert!(s.contains("new.ts", &oid(2)), "this run's entry was dropped");
        assert!(
            (10..n).all(|i| !s.contains(&path(i), &oid(1))),
            "a dead entry was kept"
        );
        // Below the bound, a save keeps what it holds whatever is live.
        s.insert("other.ts", &oid(3));
        s.save_bounded(10, |keep| keep("new.ts", &oid(2))).unwrap();
        let s = CleanSet::load(dir.path(), 1);
        assert!(s.contains(&path(3), &oid(1)) && s.contains("other.ts", &oid(3)));
    }

    #[test]
    fn corrupt_files_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let s = CleanSet::load(dir.path(), 1);
        s.insert("a.ts", &oid(1));
        s.save().unwrap();
        let path = dir.path().join("hookctl").join(context_file(FILE, 1));
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
