//! The entries a run inserts into the facts cache, already encoded, until the save writes
//! them: in memory, and once they pass [`SPILL_AFTER`] bytes, in an unnamed temporary file in
//! the cache folder with only their places kept in memory. A cold check of 100,000 files
//! parses about 20 MB of entries; held in memory they stayed resident to the end of the run
//! (a tenth of its peak), beside the decoded facts every rule reads.
//!
//! The file has no name: the system removes it when the process ends, killed or not, and no
//! other process can open it. An entry that cannot be written or read back is a miss (parsed
//! again), never another entry's bytes.

use std::collections::HashMap;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;

use git2::Oid;

/// Bytes of entries held in memory before they go to the file.
pub const SPILL_AFTER: usize = 4 << 20;
/// Bytes gathered before one write to the file.
const WRITE_AT: usize = 256 << 10;

/// Where an entry's encoded bytes are.
#[derive(Clone, Copy)]
pub(super) enum Data<'a> {
    Bytes(&'a [u8]),
    /// In the spill file: offset, length.
    Spilled(u64, u32),
}

impl Data<'_> {
    pub(super) fn len(&self) -> usize {
        match self {
            Data::Bytes(b) => b.len(),
            Data::Spilled(_, len) => *len as usize,
        }
    }
}

pub(super) struct Fresh {
    mem: HashMap<Oid, Vec<u8>>,
    mem_bytes: usize,
    /// Past this many bytes in `mem`, entries go to a file (`usize::MAX`: never).
    spill_after: usize,
    spill: Option<Spill>,
}

struct Spill {
    file: fs::File,
    /// Bytes written to `file`.
    written: u64,
    /// Bytes after `written`, not written yet.
    pending: Vec<u8>,
    at: HashMap<Oid, (u64, u32)>,
}

impl Spill {
    fn push(&mut self, oid: Oid, bytes: &[u8]) -> io::Result<()> {
        let offset = self.written + self.pending.len() as u64;
        let len = u32::try_from(bytes.len()).map_err(|_| io::Error::other("entry too large"))?;
        self.pending.extend_from_slice(bytes);
        self.at.insert(oid, (offset, len));
        if self.pending.len() >= WRITE_AT {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        // A reader shares the file's position: write where the data ends.
        self.file.seek(SeekFrom::Start(self.written))?;
        self.file.write_all(&self.pending)?;
        self.written += self.pending.len() as u64;
        self.pending.clear();
        Ok(())
    }

    fn read<'b>(&mut self, offset: u64, len: u32, buf: &'b mut Vec<u8>) -> io::Result<&'b [u8]> {
        let len = len as usize;
        buf.clear();
        if offset >= self.written {
            let at = usize::try_from(offset - self.written).map_err(io::Error::other)?;
            let part = self
                .pending
                .get(at..at + len)
                .ok_or_else(|| io::Error::other("entry past the spill file"))?;
            buf.extend_from_slice(part);
        } else {
            read_at(&self.file, offset, len, buf)?;
        }
        Ok(buf)
    }
}

fn read_at(mut file: &fs::File, offset: u64, len: usize, buf: &mut Vec<u8>) -> io::Result<()> {
    buf.clear();
    buf.resize(len, 0);
    file.seek(SeekFrom::Start(offset))?;
    file.read_exact(buf)
}

/// Reads entries' bytes for a save while [`Fresh::entries`] lists them.
pub(super) struct Reader(Option<fs::File>);

impl Reader {
    /// A reader of entries held in memory only.
    pub(super) fn none() -> Reader {
        Reader(None)
    }

    /// The bytes of `data` (one of [`Fresh::entries`], or bytes held elsewhere).
    pub(super) fn bytes<'b>(&mut self, data: Data<'b>, buf: &'b mut Vec<u8>) -> io::Result<&'b [u8]> {
        match (data, &self.0) {
            (Data::Bytes(b), _) => Ok(b),
            (Data::Spilled(offset, len), Some(file)) => {
                read_at(file, offset, len as usize, buf)?;
                Ok(buf)
            }
            (Data::Spilled(..), None) => Err(io::Error::other("no spill file")),
        }
    }
}

impl Fresh {
    pub(super) fn new(spill_after: usize) -> Fresh {
        Fresh {
            mem: HashMap::new(),
            mem_bytes: 0,
            spill_after,
            spill: None,
        }
    }

    pub(super) fn len(&self) -> usize {
        self.mem.len() + self.spill.as_ref().map_or(0, |s| s.at.len())
    }

    /// Keep `bytes` as `oid`'s entry. `dir`: the cache folder, where the spill file goes (none
    /// for a memory-only cache).
    pub(super) fn insert(&mut self, dir: Option<&Path>, oid: Oid, bytes: Vec<u8>) {
        if let Some(spill) = &mut self.spill {
            if spill.push(oid, &bytes).is_err() {
                self.give_up_spill();
            }
            return;
        }
        self.mem_bytes += bytes.len();
        if let Some(old) = self.mem.insert(oid, bytes) {
            self.mem_bytes -= old.len();
        }
        if self.mem_bytes > self.spill_after
            && let Some(dir) = dir
        {
            self.start_spill(dir);
        }
    }

    /// Move every entry held in memory to a new spill file; when the file cannot be made or
    /// written, entries stay in memory from then on.
    fn start_spill(&mut self, dir: &Path) {
        let file = fs::create_dir_all(dir).and_then(|()| tempfile::tempfile_in(dir));
        let Ok(file) = file else {
            self.spill_after = usize::MAX;
            return;
        };
        let mut spill = Spill {
            file,
            written: 0,
            pending: Vec::with_capacity(WRITE_AT * 2),
            at: HashMap::with_capacity(self.mem.len() * 2),
        };
        for (oid, bytes) in &self.mem {
            if spill.push(*oid, bytes).is_err() {
                self.spill_after = usize::MAX;
                return;
            }
        }
        self.mem = HashMap::new();
        self.mem_bytes = 0;
        self.spill = Some(spill);
    }

    /// The spill file failed: its entries are dropped (misses, parsed again by a later run),
    /// and new ones are kept in memory.
    fn give_up_spill(&mut self) {
        self.spill = None;
        self.spill_after = usize::MAX;
    }

    /// The entry of `oid`, if this run inserted one (copied out when it is in the file).
    pub(super) fn get<'b>(&'b mut self, oid: &Oid, buf: &'b mut Vec<u8>) -> Option<&'b [u8]> {
        if let Some(bytes) = self.mem.get(oid) {
            return Some(bytes);
        }
        let spill = self.spill.as_mut()?;
        let &(offset, len) = spill.at.get(oid)?;
        spill.read(offset, len, buf).ok()
    }

    /// Every entry: (oid bytes, where its bytes are); read them with [`Fresh::bytes`].
    pub(super) fn entries(&self) -> impl Iterator<Item = (&[u8], Data<'_>)> {
        let mem = self.mem.iter().map(|(o, b)| (o.as_bytes(), Data::Bytes(b)));
        let spilled = self.spill.iter().flat_map(|s| {
            s.at.iter()
                .map(|(o, &(at, len))| (o.as_bytes(), Data::Spilled(at, len)))
        });
        mem.chain(spilled)
    }

    /// A reader of the entries' bytes, for the save (every entry written to the file first).
    pub(super) fn reader(&mut self) -> io::Result<Reader> {
        let Some(spill) = &mut self.spill else {
            return Ok(Reader(None));
        };
        spill.flush()?;
        Ok(Reader(Some(spill.file.try_clone()?)))
    }

    /// Whether the entries went to a file (tests).
    #[cfg(test)]
    pub(super) fn spilled(&self) -> bool {
        self.spill.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oid(i: u8) -> Oid {
        Oid::from_bytes(&[i; 20]).unwrap()
    }

    #[test]
    fn entries_read_back_the_same_in_memory_and_spilled() {
        let dir = tempfile::tempdir().unwrap();
        for spill_after in [usize::MAX, 0, 300] {
            let mut f = Fresh::new(spill_after);
            let entry = |i: u8| vec![i; 7 + usize::from(i) * 13];
            for i in 0..40 {
                f.insert(Some(dir.path()), oid(i), entry(i));
            }
            // A key inserted again: the later bytes win.
            f.insert(Some(dir.path()), oid(3), vec![99; 5]);
            assert_eq!(f.spilled(), spill_after != usize::MAX);
            assert_eq!(f.len(), 40);
            let mut buf = Vec::new();
            for i in 0..40 {
                let want = if i == 3 { vec![99; 5] } else { entry(i) };
                assert_eq!(f.get(&oid(i), &mut buf), Some(&want[..]), "{spill_after} {i}");
            }
            assert_eq!(f.get(&oid(200), &mut buf), None);
            let mut listed: Vec<(Vec<u8>, usize)> = f.entries().map(|(o, d)| (o.to_vec(), d.len())).collect();
            listed.sort();
            let mut want: Vec<(Vec<u8>, usize)> = (0..40)
                .map(|i| {
                    (
                        oid(i).as_bytes().to_vec(),
                        if i == 3 { 5 } else { entry(i).len() },
                    )
                })
                .collect();
            want.sort();
            assert_eq!(listed, want);
        }
    }

    #[test]
    fn a_memory_only_cache_never_spills() {
        let mut f = Fresh::new(0);
        f.insert(None, oid(1), vec![1; 100]);
        assert!(!f.spilled());
        assert_eq!(f.get(&oid(1), &mut Vec::new()), Some(&[1; 100][..]));
    }
}
