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
//! Body (inside [`FRAME`], fingerprint = [`fingerprint`]): count u32, then per file (sorted by
//! name, strictly): name length u16, name, length u32, bytes. Names are checked
//! ([`valid_name`]): a plain file name of the cache folder, never the facts or another path.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

use super::frame::Frame;

const FRAME: Frame = Frame {
    magic: b"HKCBUNDL",
    format: 1,
};

/// Bytes of a file the bundle takes at most (a clean set of 2M files is 56 MB: larger ones
/// are left out, their readers compute them).
const MAX_FILE: usize = 16 << 20;

/// The framing's fingerprint: the bundle's layout and hookctl's version (each file inside has
/// its own key besides).
pub fn fingerprint() -> u64 {
    xxhash_rust::xxh3::xxh3_64(concat!("hookctl context bundle ", env!("CARGO_PKG_VERSION")).as_bytes())
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

/// A bundle's file: its files by name, if it is one (framing, fingerprint, checksum, every
/// name valid and in order, nothing left over); `None` otherwise (ignored whole).
pub fn parse(file: &[u8]) -> Option<BTreeMap<String, Vec<u8>>> {
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
        let len = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let bytes = take(len)?.to_vec();
        last = Some(name.clone());
        out.insert(name, bytes);
    }
    (at == body.len()).then_some(out)
}

/// The bundle of `files` (valid names only, sorted).
pub fn encode(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    let files: Vec<(&String, &Vec<u8>)> = files
        .iter()
        .filter(|(n, b)| valid_name(n) && u16::try_from(n.len()).is_ok() && b.len() <= MAX_FILE)
        .collect();
    let mut body = Vec::with_capacity(4 + files.iter().map(|(n, b)| 6 + n.len() + b.len()).sum::<usize>());
    body.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for (name, bytes) in files {
        body.extend_from_slice(&(name.len() as u16).to_le_bytes());
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        body.extend_from_slice(bytes);
    }
    FRAME.encode(fingerprint(), &body)
}

/// What the download gave: the bundle's files, or nothing (absent, refused, damaged).
pub type Arrival = Option<BTreeMap<String, Vec<u8>>>;

/// A bundle's files by name.
type Files = HashMap<String, Vec<u8>>;

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
}

static STATE: Mutex<State> = Mutex::new(State {
    pending: None,
    settled: None,
    collect: None,
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
        let t0 = crate::timings::Mark::now();
        let (hash, files) = handle.join().unwrap_or_default();
        crate::timings::report("context bundle (waited for)", &t0);
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
    let st = state();
    let (d, _, Some(files)) = st.settled.as_ref()? else {
        return None;
    };
    (d == dir).then(|| files.get(name).map(|b| (b.clone(), true)))?
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
pub fn keep(path: &Path, bytes: Vec<u8>) {
    super::later::file_screened(path.to_path_buf(), bytes);
}

/// The bundle to upload, when this run collected one ([`expect`]) and none arrived: its name,
/// and the files of the cache folder readers asked for this run, as they are now (written, or
/// queued to be: [`super::later`]).
pub fn collected() -> Option<(String, BTreeMap<String, Vec<u8>>)> {
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
    Some((hash, out))
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
        let file = encode(&files);
        assert_eq!(parse(&file), Some(files.clone()));
        for i in 0..file.len() {
            let mut bad = file.clone();
            bad[i] ^= 0x20;
            assert_eq!(parse(&bad), None, "byte {i}");
        }
        for n in 0..file.len() {
            assert_eq!(parse(&file[..n]), None, "cut at {n}");
        }
        // A name that is not a plain cache file, though well framed: refused whole.
        let mut body = Vec::new();
        body.extend_from_slice(&1u32.to_le_bytes());
        body.extend_from_slice(&(13u16).to_le_bytes());
        body.extend_from_slice(b"../facts.bin\0");
        body.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(parse(&FRAME.encode(fingerprint(), &body)), None);
    }

    proptest::proptest! {
        #[test]
        fn parse_never_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let _ = parse(&body);
            let _ = parse(&FRAME.encode(fingerprint(), &body));
        }
    }
}
