//! The one framing of every file in hookctl's cache folder (`<git common dir>/hookctl/`): the
//! facts cache, the clean sets and the import graph all start with the same header and are
//! written the same way, so "never trust a cache file" is decided here once.
//!
//! ```text
//! header   32 bytes  magic [8] (which file), format u32 (its layout's version), reserved u32,
//!                    fingerprint u64 (everything besides the content the file was computed
//!                    for: extractor version and options, resolution context, ...),
//!                    checksum u64 (xxh3-64 of the body, seeded with the xxh3-64 of the
//!                    header's first 24 bytes)
//! body     the file's own layout
//! ```
//!
//! A file whose magic, format, fingerprint or checksum differs is not read (the caller starts
//! empty and recomputes); writing goes through a temporary file and a rename
//! ([`write_atomically`]), so a reader sees the old file or the new one, never a partial one.

use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Bytes before the body.
pub const HEADER_LEN: usize = 32;

/// Temporary files older than this are left over from a process that died mid-save.
pub(crate) const STALE_TMP: Duration = Duration::from_mins(10);

/// One kind of cache file: its magic and the version of its layout (bump it when the body's
/// layout or meaning changes).
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub magic: &'static [u8; 8],
    pub format: u32,
}

impl Frame {
    /// A whole file: the header for `fingerprint`, then `body`.
    pub fn encode(&self, fingerprint: u64, body: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER_LEN + body.len());
        self.start(&mut out, fingerprint);
        out.extend_from_slice(body);
        self.finish(&mut out);
        out
    }

    /// Begin a file in `out` (empty): the header with a blank checksum. Append the body, then
    /// call [`Frame::finish`]. Lets a large body be written in place, without a copy.
    pub fn start(&self, out: &mut Vec<u8>, fingerprint: u64) {
        debug_assert!(out.is_empty());
        out.extend_from_slice(self.magic);
        out.extend_from_slice(&self.format.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&fingerprint.to_le_bytes());
        out.extend_from_slice(&[0; 8]);
    }

    /// Fill in the checksum of a file begun with [`Frame::start`].
    pub fn finish(&self, out: &mut [u8]) {
        let covered = out.len() - HEADER_LEN;
        self.finish_covering(out, covered);
    }

    /// [`Frame::finish`] for a file whose checksum covers only the first `covered` bytes of the
    /// body (the rest has checksums of its own, kept in that covered part: the facts cache's
    /// per-chunk sums, so a run that reads ten entries does not hash the whole file).
    pub fn finish_covering(&self, out: &mut [u8], covered: usize) {
        let sum = checksum(&out[..HEADER_LEN + covered]);
        out[24..32].copy_from_slice(&sum.to_le_bytes());
    }

    /// The body of `file` when it is this kind of file, of this format, computed for
    /// `fingerprint`, and intact; `None` otherwise.
    pub fn body<'a>(&self, file: &'a [u8], fingerprint: u64) -> Option<&'a [u8]> {
        self.body_covering(file, fingerprint, |body| Some(body.len()))
    }

    /// [`Frame::body`] of a file written with [`Frame::finish_covering`]: `covered` tells, from
    /// the body's first bytes (not yet checked: it must not trust them beyond bounds), how many
    /// bytes of the body the checksum covers; `None` unless that many are there and intact.
    /// The caller checks the rest itself.
    pub fn body_covering<'a>(
        &self,
        file: &'a [u8],
        fingerprint: u64,
        covered: impl FnOnce(&[u8]) -> Option<usize>,
    ) -> Option<&'a [u8]> {
        if file.len() < HEADER_LEN || &file[..8] != self.magic {
            return None;
        }
        let u64_at = |at: usize| u64::from_le_bytes(file[at..at + 8].try_into().expect("8 bytes"));
        let format = u32::from_le_bytes(file[8..12].try_into().ok()?);
        if format != self.format || u64_at(16) != fingerprint {
            return None;
        }
        let body = &file[HEADER_LEN..];
        let covered = covered(body).filter(|&n| n <= body.len())?;
        (u64_at(24) == checksum(&file[..HEADER_LEN + covered])).then_some(body)
    }

    /// The fingerprint a file of this kind and format was written for (without checking the
    /// checksum): for callers that keep one file per context and must know whose it is.
    pub fn fingerprint_of(&self, file: &[u8]) -> Option<u64> {
        (file.len() >= HEADER_LEN && &file[..8] == self.magic && file[8..12] == self.format.to_le_bytes())
            .then(|| u64::from_le_bytes(file[16..24].try_into().expect("8 bytes")))
    }
}

/// xxh3-64 of a whole file (or of its covered part) but its checksum field: the body, seeded
/// with the rest of the header.
fn checksum(file: &[u8]) -> u64 {
    let header = xxhash_rust::xxh3::xxh3_64(&file[..24]);
    xxhash_rust::xxh3::xxh3_64_with_seed(&file[HEADER_LEN..], header)
}

/// Write `bytes` to a new temporary file beside `path` (`<name>.<random>.tmp`), fsync, and
/// rename it over `path`: a reader sees the old file or the new one, never a partial one. The
/// temporary file is removed if anything fails; one a killed process left behind is removed by
/// a later save once it is older than [`STALE_TMP`].
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    write_atomically_with(path, |file| file.write_all(bytes))
}

/// [`write_atomically`], the bytes written by `write` into the temporary file (streamed: a
/// large file is never gathered in memory first).
pub fn write_atomically_with(
    path: &Path,
    write: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy());
    fs::create_dir_all(dir)?;
    remove_stale_tmp(dir, &name);
    let mut builder = tempfile::Builder::new();
    let prefix = format!("{name}.");
    builder.prefix(&prefix).suffix(".tmp");
    // Permissions as a plain `File::create` gives (the umask applies), not tempfile's 0600: a
    // shared repository's other users read the cache too.
    builder.permissions(crate::platform::permissions(0o666));
    let mut tmp = builder.tempfile_in(dir)?;
    write(tmp.as_file_mut())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Remove temporary files (`<name>.*.tmp`) that a process which died mid-save left behind.
fn remove_stale_tmp(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = SystemTime::now();
    let prefix = format!("{name}.");
    for e in entries.flatten() {
        let file = e.file_name();
        let file = file.to_string_lossy();
        if !(file.starts_with(&prefix) && file.ends_with(".tmp")) {
            continue;
        }
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| now.duration_since(t).ok())
            .is_some_and(|age| age > STALE_TMP);
        if old {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: Frame = Frame {
        magic: b"HKCTEST1",
        format: 3,
    };

    #[test]
    fn a_file_is_read_back_only_by_its_own_kind_format_and_fingerprint() {
        let file = A.encode(42, b"body");
        assert_eq!(A.body(&file, 42), Some(&b"body"[..]));
        assert_eq!(A.body(&file, 43), None, "another fingerprint");
        let other_format = Frame { format: 4, ..A };
        assert_eq!(other_format.body(&file, 42), None);
        let other_kind = Frame {
            magic: b"HKCTEST2",
            ..A
        };
        assert_eq!(other_kind.body(&file, 42), None);
        assert_eq!(A.fingerprint_of(&file), Some(42));
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_is_refused() {
        let file = A.encode(7, b"some cached body");
        for i in 0..file.len() {
            for bit in 0..8 {
                let mut bad = file.clone();
                bad[i] ^= 1 << bit;
                assert_eq!(A.body(&bad, 7), None, "byte {i} bit {bit}");
            }
        }
        for n in 0..file.len() {
            assert_eq!(A.body(&file[..n], 7), None, "truncated to {n}");
        }
    }

    #[test]
    fn writes_are_atomic_and_replace_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.bin");
        write_atomically(&path, b"one").unwrap();
        write_atomically(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name() != "x.bin")
            .collect();
        assert!(leftovers.is_empty());
    }
}
