//! A small per-blob cache: what a reader derived from one blob (a bundler config's facts), kept
//! in one file of the cache folder under the common framing ([`super::frame`]). The key is the
//! blob id plus whatever else the answer depends on (the file's name); the fingerprint is the
//! reader's version, so an answer of another reader is never used. Meant for a few hundred
//! entries: the file is read and decoded whole.
//!
//! Body: count u32, then per entry: key length u32, key, value length u32, value (sorted by key).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use super::frame::Frame;

/// Entries beyond this are dropped on save (those not used by this run first).
const MAX_ENTRIES: usize = 4096;

pub struct BlobCache {
    file: Option<PathBuf>,
    frame: Frame,
    fingerprint: u64,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
    used: std::collections::HashSet<Vec<u8>>,
    dirty: bool,
}

impl BlobCache {
    /// A cache that remembers nothing.
    pub fn disabled(frame: Frame) -> BlobCache {
        BlobCache {
            file: None,
            frame,
            fingerprint: 0,
            state: Mutex::new(State::default()),
        }
    }

    /// Load `<common dir>/hookctl/<name>`; a missing, foreign or corrupt file is an empty cache.
    pub fn load(common_dir: &std::path::Path, name: &str, frame: Frame, fingerprint: u64) -> BlobCache {
        let file = common_dir.join(super::DIR).join(name);
        // The local file, else the one the snapshot's context bundle brought (a fresh clone):
        // validated the same way, and kept here after the answer ([`BlobCache::save`]).
        let entries = match super::bundle::read(&file) {
            Some((bytes, from_bundle)) => match frame.body(&bytes, fingerprint).and_then(decode) {
                Some(entries) => {
                    if from_bundle {
                        super::bundle::keep(&file, std::sync::Arc::new(bytes));
                    }
                    entries
                }
                None => BTreeMap::new(),
            },
            None => BTreeMap::new(),
        };
        BlobCache {
            file: Some(file),
            frame,
            fingerprint,
            state: Mutex::new(State {
                entries,
                ..State::default()
            }),
        }
    }

    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        let mut st = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let v = st.entries.get(key).cloned()?;
        st.used.insert(key.to_vec());
        Some(v)
    }

    pub fn insert(&self, key: Vec<u8>, value: Vec<u8>) {
        if self.file.is_none() {
            return;
        }
        let mut st = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        st.used.insert(key.clone());
        st.entries.insert(key, value);
        st.dirty = true;
    }

    /// Write the file when something was added (atomically; errors are ignored: a cache).
    pub fn save(&self) {
        let Some(file) = &self.file else { return };
        let mut st = self
            .state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if !st.dirty {
            return;
        }
        // Rewritten now: not the bundle's file after the answer.
        super::later::cancel(file);
        if st.entries.len() > MAX_ENTRIES {
            let used = std::mem::take(&mut st.used);
            st.entries.retain(|k, _| used.contains(k));
            st.used = used;
        }
        let mut body = Vec::new();
        body.extend_from_slice(&(st.entries.len() as u32).to_le_bytes());
        for (k, v) in st.entries.iter().take(MAX_ENTRIES) {
            body.extend_from_slice(&(k.len() as u32).to_le_bytes());
            body.extend_from_slice(k);
            body.extend_from_slice(&(v.len() as u32).to_le_bytes());
            body.extend_from_slice(v);
        }
        if st.entries.len() > MAX_ENTRIES {
            return;
        }
        let bytes = self.frame.encode(self.fingerprint, &body);
        if let Some(dir) = file.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if super::frame::write_atomically(file, &bytes).is_ok() {
            st.dirty = false;
        }
    }
}

fn decode(body: &[u8]) -> Option<BTreeMap<Vec<u8>, Vec<u8>>> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let s = body.get(at..at.checked_add(n)?)?;
        at += n;
        Some(s)
    };
    let u32_of = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize;
    let count = u32_of(take(4)?);
    if count > MAX_ENTRIES {
        return None;
    }
    let mut out = BTreeMap::new();
    for _ in 0..count {
        let kl = u32_of(take(4)?);
        let k = take(kl)?.to_vec();
        let vl = u32_of(take(4)?);
        let v = take(vl)?.to_vec();
        out.insert(k, v);
    }
    (at == body.len()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: Frame = Frame {
        magic: b"HKCTESTB",
        format: 1,
    };

    #[test]
    fn round_trip_and_foreign_files() {
        let dir = tempfile::tempdir().unwrap();
        let c = BlobCache::load(dir.path(), "t.bin", FRAME, 7);
        assert_eq!(c.get(b"k"), None);
        c.insert(b"k".to_vec(), b"v".to_vec());
        c.save();
        let c = BlobCache::load(dir.path(), "t.bin", FRAME, 7);
        assert_eq!(c.get(b"k").as_deref(), Some(&b"v"[..]));
        // Another reader version: nothing.
        let c = BlobCache::load(dir.path(), "t.bin", FRAME, 8);
        assert_eq!(c.get(b"k"), None);
        // A corrupt file: nothing, no panic.
        let path = dir.path().join(crate::cache::DIR).join("t.bin");
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert_eq!(BlobCache::load(dir.path(), "t.bin", FRAME, 7).get(b"k"), None);
    }

    proptest::proptest! {
        #[test]
        fn decode_never_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = decode(&body);
        }
    }
}
