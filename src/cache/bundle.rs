//! A snapshot's context bundle: every small per-snapshot / per-context file of the cache folder
//! a warm full check reads besides the facts (the clean sets and folder verdicts, named
//! `<set>.<context>.bin`, and the bundler configs' `configs.bin`), in one artifact of the
//! team's remote cache ([`super::remote`]). A fresh clone or a CI runner downloads it with one
//! request, beside the snapshot's facts and at the same time, instead of recomputing each
//! file (or asking for each set apart).
//!
//! Each file travels as the local cache holds it, under its local name, and its reader
//! validates it exactly as it validates the local file: the same framing, and the same key
//! (the context hash or fingerprint the reader computes for this run, which is in the file's
//! name and header). A file whose key is not this run's is simply not found; so the bundle's own
//! name ([`super::remote::bundle_name`]: the snapshot's tree when git knows it, else its
//! paths, kinds and blob ids; and hookctl's version) only says where to look, like a facts
//! chunk's. A file of the bundle a
//! reader used is kept in the cache folder once the answer is out ([`super::later`]), so the
//! next run is simply warm.
//!
//! The run that asked for the bundle and found none (the first full check of a snapshot, by a
//! machine that writes) uploads one at its end: the files every reader of the run used, as they
//! are then (written or about to be).
//!
//! A set of (path, blob) pairs ([`super::pairs`]: the clean sets, 2.8 MB each at 100,000 files,
//! hashes and ids that do not compress) travels relative to the snapshot when the uploader knows
//! it: one bit per pair of the snapshot, and the entries it holds besides. The receiver joins it
//! over its own snapshot's pairs once a reader asks for it; the file's own checksum, which the
//! reader checks as for any file, and the universe's digest, checked first, make a snapshot with
//! other pairs find nothing rather than another set. (A bundle named by a tree is only ever
//! asked for by a snapshot of that tree.)
//!
//! Body (inside [`FRAME`], fingerprint = [`fingerprint`]): count u32, then per file (sorted by
//! name, strictly): name length u16, name, form u8, and
//! - form 0, as stored: length u32, bytes;
//! - form 1, a set relative to the snapshot: the set file's header (32 bytes, as its file has
//!   it), the snapshot's pair count u32 and their digest u64 ([`Universe`]), one bit per pair
//!   (count / 8 bytes rounded up, spare bits clear), then the set's other entries: count u32,
//!   entries.
//!
//! Names are checked ([`valid_name`]): a plain file name of the cache folder, never the facts or
//! another path.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::frame::{Frame, HEADER_LEN};
use super::pairs::{ENTRY, Universe};
use crate::timings::{self, Mark};

const FRAME: Frame = Frame {
    magic: b"HKCBUNDL",
    format: 2,
};

/// Bytes of a file the bundle takes at most (a clean set of 2M files is 56 MB: larger ones
/// are left out, their readers compute them).
const MAX_FILE: usize = 16 << 20;

/// The framing's fingerprint: the bundle's layout and hookctl's version (each file inside has
/// its own key besides).
pub fn fingerprint() -> u64 {
    xxhash_rust::xxh3::xxh3_64(
        concat!("hookctl context bundle, form 2, ", env!("CARGO_PKG_VERSION")).as_bytes(),
    )
}

/// A file name a bundle may hold: `<set>.bin` or `<set>.<16 hex digits>.bin`, `<set>` lowercase
/// letters and `-`; never the facts files (shared apart) or the special paths (read before
/// the bundle can arrive).
pub fn valid_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".bin") else {
        return false;
    };
    let (set, ctx) = stem.split_once('.').unwrap_or((stem, ""));
    !set.is_empty()
        && set.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        && (ctx.is_empty()
            || (ctx.len() == 16 && ctx.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))))
        && !set.starts_with("facts")
        && name != crate::snapshot::special::FILE
}

/// A file of a bundle as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// The file's bytes.
    Bytes(Vec<u8>),
    /// A set of pairs relative to the snapshot (form 1 of the layout).
    Pairs {
        header: [u8; HEADER_LEN],
        count: u32,
        digest: u64,
        bits: Vec<u8>,
        extras: Vec<u8>,
    },
}

impl Stored {
    /// The file's bytes: as they came, or the set joined over `universe` (the receiving
    /// snapshot's pairs); `None` when that is not the universe the set was split over.
    pub fn bytes(&self, universe: Option<&Universe>) -> Option<Vec<u8>> {
        match self {
            Stored::Bytes(b) => Some(b.clone()),
            Stored::Pairs {
                header,
                count,
                digest,
                bits,
                extras,
            } => {
                let u = universe?;
                if u.len() != *count as usize || u.digest() != *digest {
                    return None;
                }
                u.join(header, bits, extras)
            }
        }
    }
}

/// A bundle's file: its files by name, if it is one (framing, fingerprint, checksum, every
/// name valid and in order, every form whole, nothing left over); `None` otherwise (ignored
/// whole).
pub fn parse(file: &[u8]) -> Option<BTreeMap<String, Stored>> {
    let body = FRAME.body(file, fingerprint())?;
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = body.get(at..at.checked_add(n)?)?;
        at += n;
        Some(s)
    };
    let count = u32::from_le_bytes(take(4)?.try_into().ok()?);
    let mut out = BTreeMap::new();
    let mut last: Option<String> = None;
    for _ in 0..count {
        let len = u16::from_le_bytes(take(2)?.try_into().ok()?) as usize;
        let name = std::str::from_utf8(take(len)?).ok()?.to_string();
        if !valid_name(&name) || last.as_ref().is_some_and(|l| *l >= name) {
            return None;
        }
        let stored = match take(1)?[0] {
            0 => {
                let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
                Stored::Bytes(take(len)?.to_vec())
            }
            1 => {
                let header: [u8; HEADER_LEN] = take(HEADER_LEN)?.try_into().ok()?;
                let count = u32::from_le_bytes(take(4)?.try_into().ok()?);
                let digest = u64::from_le_bytes(take(8)?.try_into().ok()?);
                let bits = take((count as usize).div_ceil(8))?.to_vec();
                let extras = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
                let extras = take(extras.checked_mul(ENTRY)?)?.to_vec();
                Stored::Pairs {
                    header,
                    count,
                    digest,
                    bits,
                    extras,
                }
            }
            _ => return None,
        };
        last = Some(name.clone());
        out.insert(name, stored);
    }
    (at == body.len()).then_some(out)
}

/// [`parse`], each file's bytes ([`Stored::bytes`] over `universe`; a set that does not join
/// over it is left out).
pub fn parse_bytes(file: &[u8], universe: Option<&Universe>) -> Option<BTreeMap<String, Vec<u8>>> {
    Some(
        parse(file)?
            .into_iter()
            .filter_map(|(name, stored)| Some((name, stored.bytes(universe)?)))
            .collect(),
    )
}

/// The bundle of `files` (valid names only, sorted): a set of pairs relative to `universe`
/// (the uploading snapshot's pairs) when that is smaller, any other file as it is.
pub fn encode(files: &BTreeMap<String, Vec<u8>>, universe: Option<&Universe>) -> Vec<u8> {
    let files: Vec<(&String, &Vec<u8>)> = files
        .iter()
        .filter(|(n, b)| valid_name(n) && u16::try_from(n.len()).is_ok() && b.len() <= MAX_FILE)
        .collect();
    let mut body = Vec::with_capacity(4 + files.iter().map(|(n, b)| 7 + n.len() + b.len()).sum::<usize>());
    body.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for (name, bytes) in files {
        body.extend_from_slice(&(name.len() as u16).to_le_bytes());
        body.extend_from_slice(name.as_bytes());
        let split = universe
            .filter(|_| bytes.starts_with(super::pairs::MAGIC) && bytes.len() >= HEADER_LEN)
            .and_then(|u| Some((u, u.split(&bytes[HEADER_LEN..])?)))
            .filter(|(_, (bits, extras))| 16 + bits.len() + extras.len() < bytes.len() - HEADER_LEN)
            .and_then(|(u, split)| Some((u32::try_from(u.len()).ok()?, u.digest(), split)));
        if let Some((count, digest, (bits, extras))) = split {
            body.push(1);
            body.extend_from_slice(&bytes[..HEADER_LEN]);
            body.extend_from_slice(&count.to_le_bytes());
            body.extend_from_slice(&digest.to_le_bytes());
            body.extend_from_slice(&bits);
            body.extend_from_slice(&((extras.len() / ENTRY) as u32).to_le_bytes());
            body.extend_from_slice(&extras);
        } else {
            body.push(0);
            body.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
            body.extend_from_slice(bytes);
        }
    }
    FRAME.encode(fingerprint(), &body)
}

/// What the download gave: the bundle's files, or nothing (absent, refused, damaged).
pub type Arrival = Option<BTreeMap<String, Stored>>;

/// A bundle's files by name.
type Files = HashMap<String, Stored>;

/// The pairs of the snapshot a cache folder's bundle is for ([`snapshot_is`]): made on a thread,
/// kept once made.
struct Pairs {
    dir: PathBuf,
    /// Which snapshot (the caller's token for it).
    id: usize,
    making: Option<JoinHandle<Universe>>,
    made: Option<Arc<Universe>>,
}

/// This process's bundle: the download under way, what it gave (by the cache folder it is
/// for), and, when this run uploads one, the files its readers asked for.
#[derive(Default)]
struct State {
    /// The cache folder the download is for, and the thread downloading it (which gives the
    /// bundle's name too).
    pending: Option<(PathBuf, JoinHandle<(String, Arrival)>)>,
    /// The cache folder, the bundle's name, and the files that came (`None`: none came).
    settled: Option<(PathBuf, String, Option<Files>)>,
    /// The cache folder whose files this run offers for upload, and the files its readers
    /// asked for (by path).
    collect: Option<(PathBuf, Vec<PathBuf>)>,
    /// The snapshot's pairs, which a set of the bundle is joined over (or split over, for an
    /// upload).
    pairs: Option<Pairs>,
}

static STATE: Mutex<State> = Mutex::new(State {
    pending: None,
    settled: None,
    collect: None,
    pairs: None,
});

fn state() -> std::sync::MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The bundle of cache folder `dir` is being downloaded by `download` (which names it): the
/// readers of its files wait for it ([`read`]). With `collect`, the files of `dir` readers ask
/// for from now on are noted, and [`collected`] gives them for an upload when none came.
pub fn expect(dir: PathBuf, download: JoinHandle<(String, Arrival)>, collect: bool) {
    let mut st = state();
    st.collect = collect.then(|| (dir.clone(), Vec::new()));
    st.pending = Some((dir, download));
    st.settled = None;
}

/// Wait for the download, if one is under way, and keep what came.
fn settle() {
    let pending = state().pending.take();
    if let Some((dir, handle)) = pending {
        let t0 = Mark::now();
        let (hash, files) = handle.join().unwrap_or_default();
        timings::report("context bundle (waited for)", &t0);
        state().settled = Some((dir, hash, files.map(|f| f.into_iter().collect())));
    }
}

/// The bytes of cache file `path` for its reader: the local file, else the bundle's file of
/// that name (its reader validates either the same way, and calls [`keep`] when it used the
/// bundle's). The second part says the bytes came from the bundle.
pub fn read(path: &Path) -> Option<(Vec<u8>, bool)> {
    let local = std::fs::read(path).ok();
    let dir = path.parent()?;
    let name = path.file_name()?.to_str()?;
    {
        let mut st = state();
        if let Some((d, seen)) = &mut st.collect
            && d == dir
            && valid_name(name)
            && !seen.iter().any(|p| p == path)
        {
            seen.push(path.to_path_buf());
        }
    }
    if local.is_some() {
        return local.map(|b| (b, false));
    }
    if !valid_name(name) {
        return None;
    }
    settle();
    let stored = {
        let st = state();
        let (d, _, Some(files)) = st.settled.as_ref()? else {
            return None;
        };
        match files.get(name)? {
            _ if d != dir => return None,
            Stored::Bytes(b) => return Some((b.clone(), true)),
            pairs @ Stored::Pairs { .. } => pairs.clone(),
        }
    };
    stored.bytes(universe(dir).as_deref()).map(|b| (b, true))
}

/// The snapshot whose context bundle cache folder `dir` expects or uploads (the caller asks
/// only then), `id` naming it for the caller, and how to make its pairs: a set in the bundle
/// travels relative to them. They are made now, on a thread, while the resolver is set up and
/// before a set is read.
pub fn snapshot_is(dir: PathBuf, id: usize, make: impl FnOnce() -> Universe + Send + 'static) {
    let mut st = state();
    if st.pairs.as_ref().is_some_and(|p| p.dir == dir && p.id == id) {
        return;
    }
    st.pairs = Some(Pairs {
        dir,
        id,
        making: Some(std::thread::spawn(make)),
        made: None,
    });
}

/// The pairs of the snapshot cache folder `dir`'s bundle is for ([`snapshot_is`]); `None` when
/// none was named, or another reader is waiting for them at this moment (readers run one
/// after another: not seen; this one goes without, and its reader computes the set).
fn universe(dir: &Path) -> Option<Arc<Universe>> {
    let making = {
        let mut st = state();
        let p = st.pairs.as_mut().filter(|p| p.dir == dir)?;
        if let Some(made) = &p.made {
            return Some(made.clone());
        }
        p.making.take()?
    };
    let t0 = Mark::now();
    let made = Arc::new(making.join().ok()?);
    timings::report("context bundle: the snapshot's pairs (waited for)", &t0);
    if let Some(p) = state().pairs.as_mut().filter(|p| p.dir == dir) {
        p.made = Some(made.clone());
    }
    Some(made)
}

/// A file readers asked for this run that the next full check of the snapshot will not read
/// (another file answers for it): left out of the bundle this run uploads.
pub fn unneeded(path: &Path) {
    if let Some((_, seen)) = &mut state().collect {
        seen.retain(|p| p != path);
    }
}

/// A reader used the bundle's `bytes` for `path`: kept there once the answer is out, unless
/// they hold a secret (a server must not plant one in a clone's cache folder; screened then).
/// A reader that rewrites the file this run cancels this ([`super::later::cancel`]).
pub fn keep(path: &Path, bytes: Arc<Vec<u8>>) {
    super::later::file_screened(path.to_path_buf(), bytes);
}

/// The bundle to upload, when this run collected one ([`expect`]) and none arrived: its name,
/// and the files of the cache folder readers asked for this run, as they are now (written, or
/// queued to be: [`super::later`]), encoded (its sets relative to the snapshot's pairs). `None`
/// when there is nothing to upload.
pub fn collected() -> Option<(String, Vec<u8>)> {
    let (dir, paths) = state().collect.take()?;
    settle();
    let hash = match &state().settled {
        Some((d, hash, None)) if *d == dir => hash.clone(),
        _ => return None,
    };
    let mut out = BTreeMap::new();
    for p in paths {
        let Some(name) = p.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(bytes) = super::later::pending(&p).or_else(|| std::fs::read(&p).ok()) {
            out.insert(name.to_string(), bytes);
        }
    }
    if out.is_empty() {
        return None;
    }
    Some((hash, encode(&out, universe(&dir).as_deref())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_cache_files_never_facts_or_paths() {
        for ok in [
            "clean.0123456789abcdef.bin",
            "configs.bin",
            "secrets-folders.00000000000000ff.bin",
        ] {
            assert!(valid_name(ok), "{ok}");
        }
        for bad in [
            "facts.bin",
            "facts-new.bin",
            "special-paths.bin",
            "../clean.bin",
            "a/clean.bin",
            "clean.0123456789ABCDEF.bin",
            "clean.123.bin",
            "clean.bin.tmp",
            ".bin",
            "Clean.bin",
        ] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn a_bundle_round_trips_and_anything_else_is_refused() {
        let mut files = BTreeMap::new();
        files.insert("clean.0123456789abcdef.bin".to_string(), vec![1, 2, 3]);
        files.insert("configs.bin".to_string(), vec![4; 40]);
        let file = encode(&files, None);
        assert_eq!(parse_bytes(&file, None), Some(files.clone()));
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x20;
            assert_eq!(parse(&bad), None, "byte {i}");
        }
        for n in 0..file.len() {
            assert_eq!(parse(&file[..n]), None, "cut at {n}");
        }
        // A well-framed bundle of one empty file named `name`, in form `form`.
        let one = |name: &[u8], form: u8| {
            let mut body = Vec::new();
            body.extend_from_slice(&1u32.to_le_bytes());
            body.extend_from_slice(&(name.len() as u16).to_le_bytes());
            body.extend_from_slice(name);
            body.push(form);
            body.extend_from_slice(&0u32.to_le_bytes());
            FRAME.encode(fingerprint(), &body)
        };
        assert!(parse(&one(b"configs.bin", 0)).is_some(), "the twin parses");
        // A name that is not a plain cache file, or a form this build does not know: refused
        // whole.
        assert_eq!(parse(&one(b"../facts.bin\0", 0)), None);
        assert_eq!(parse(&one(b"configs.bin", 2)), None);
    }

    /// A set of the snapshot's pairs travels as bits over them (much smaller), and comes back
    /// byte for byte over the same snapshot's pairs; over another snapshot's it is not there
    /// (its reader computes it), and any damage refuses the whole bundle.
    #[test]
    fn a_set_travels_relative_to_its_snapshot_and_only_joins_over_it() {
        use super::super::pairs::{key, push};
        const SET: Frame = Frame {
            magic: super::super::pairs::MAGIC,
            format: 2,
        };
        let oids: Vec<git2::Oid> = (0..300u32)
            .map(|i| git2::Oid::hash_object(git2::ObjectType::Blob, &i.to_le_bytes()).unwrap())
            .collect();
        let paths: Vec<String> = (0..300).map(|i| format!("src/m{i}.ts")).collect();
        let universe = Universe::from_pairs(paths.iter().map(String::as_str).zip(&oids));
        // All but every tenth file, and one pair of another snapshot.
        let mut entries: Vec<(u64, [u8; 20])> = (0..300)
            .filter(|i| i % 10 != 0)
            .map(|i| key(&paths[i], &oids[i]))
            .collect();
        entries.push(key("gone.ts", &oids[0]));
        entries.sort_unstable();
        let mut body = Vec::new();
        for e in &entries {
            push(&mut body, e);
        }
        let set = SET.encode(0xfeed, &body);
        let mut files = BTreeMap::new();
        files.insert("clean.000000000000feed.bin".to_string(), set.clone());
        files.insert("configs.bin".to_string(), vec![4; 40]);
        let file = encode(&files, Some(&universe));
        assert!(
            file.len() < 32 + 40 + 2 * 64 + 300 / 8 + 2 * ENTRY,
            "{} bytes",
            file.len()
        );
        assert!(matches!(
            parse(&file).unwrap()["clean.000000000000feed.bin"],
            Stored::Pairs { .. }
        ));
        assert_eq!(parse_bytes(&file, Some(&universe)), Some(files.clone()));
        // Another snapshot (one blob changed), or none: the set is not there, the rest is.
        let mut other = oids.clone();
        other[5] = oids[6];
        let elsewhere = Universe::from_pairs(paths.iter().map(String::as_str).zip(&other));
        for u in [Some(&elsewhere), None] {
            let got = parse_bytes(&file, u).unwrap();
            assert_eq!(got.keys().collect::<Vec<_>>(), ["configs.bin"]);
        }
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x20;
            assert_eq!(parse(&bad), None, "byte {i}");
        }
        // A file that is not a set, or a set the split would not make smaller: as it is.
        let mut files = BTreeMap::new();
        files.insert(
            "clean.000000000000feed.bin".to_string(),
            SET.encode(0xfeed, &body[..ENTRY]),
        );
        files.insert("configs.bin".to_string(), vec![4; 400]);
        let file = encode(&files, Some(&universe));
        assert!(
            parse(&file)
                .unwrap()
                .values()
                .all(|s| matches!(s, Stored::Bytes(_)))
        );
        assert_eq!(parse_bytes(&file, None), Some(files));
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse(&body);
            let _ = parse(&FRAME.encode(fingerprint(), &body));
        }
    }
}
