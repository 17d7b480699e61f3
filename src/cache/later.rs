//! Cache writes put off until the process's answer is out. A fresh clone's first full check
//! writes the whole local cache (tens of MB at 100k files, then an `fsync`): neither the answer
//! nor the caller, which waits for the process to exit (git waits for a hook), should wait for
//! that. Such writes are queued here and done by [`finish`], which `main` calls once the
//! answer is printed and the exit code is final: by a detached process
//! ([`crate::platform::detached`]) when they write [`DETACH_BYTES`] or more, else in place.
//!
//! Each write is the same atomic one as before (a temporary file renamed over), so a run that
//! starts meanwhile reads the old file or the new one, and both give the same answers; a
//! writer killed at any step leaves the old file. Within one process, a load of a file with a
//! write queued does that write first ([`flush_for`]): a second pass over the snapshot (a
//! workspace package's own settings) reads what the first one stored.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::FactsCache;

/// Queued writes of at least this many bytes in all are done by a detached process.
pub const DETACH_BYTES: usize = 1 << 20;

enum Write {
    Facts(Box<FactsCache>),
    File(PathBuf, Vec<u8>),
    /// Bytes another machine sent (a context bundle's file): written only when they hold no
    /// secret (screened then, after the answer). Shared with their reader, which reads them
    /// meanwhile.
    Screened(PathBuf, Arc<Vec<u8>>),
}

impl Write {
    fn path(&self) -> Option<&Path> {
        match self {
            Write::Facts(c) => c.path.as_deref(),
            Write::File(p, _) | Write::Screened(p, _) => Some(p),
        }
    }

    fn size(&self) -> usize {
        match self {
            Write::Facts(c) => c.save_size(),
            Write::File(_, b) => b.len(),
            Write::Screened(_, b) => b.len(),
        }
    }

    fn write(&self) {
        let _ = match self {
            Write::Facts(c) => c.save(),
            Write::File(p, b) => super::write_atomically(p, b),
            Write::Screened(p, b) if crate::secret::find(b).is_empty() => super::write_atomically(p, b),
            Write::Screened(..) => Ok(()),
        };
    }
}

static LATER: Mutex<Vec<Write>> = Mutex::new(Vec::new());

fn queue() -> std::sync::MutexGuard<'static, Vec<Write>> {
    LATER.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The bound above which a write is put off, and the queue written by a detached process
/// (`HOOKCTL_DETACH_SAVE_BYTES` for tests, else [`DETACH_BYTES`]).
pub fn detach_bytes() -> usize {
    crate::env_vars::get(crate::env_vars::HOOKCTL_DETACH_SAVE_BYTES)
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DETACH_BYTES)
}

/// Write `bytes` to `path` (atomically) once the answer is out: a file this run holds in memory
/// and only keeps for the next run (a clean set downloaded from the remote cache). Lost if the
/// process dies first (the next run is only slower).
pub fn file(path: PathBuf, bytes: Vec<u8>) {
    queue().push(Write::File(path, bytes));
}

/// [`file`] for bytes another machine sent: written only if they hold no secret (a server must
/// not plant one in a clone's cache folder), screened when written.
pub fn file_screened(path: PathBuf, bytes: Arc<Vec<u8>>) {
    queue().push(Write::Screened(path, bytes));
}

/// Forget the queued writes of `path`: this run writes it now, with more than they hold.
pub fn cancel(path: &Path) {
    queue().retain(|w| w.path() != Some(path));
}

/// Save `cache` once the answer is out.
pub(super) fn facts(cache: FactsCache) {
    queue().push(Write::Facts(Box::new(cache)));
}

/// The bytes queued to be written to `path` (the last write queued), if any.
pub fn pending(path: &Path) -> Option<Vec<u8>> {
    queue().iter().rev().find_map(|w| match w {
        Write::File(p, b) if p == path => Some(b.clone()),
        Write::Screened(p, b) if p == path => Some(b.to_vec()),
        _ => None,
    })
}

/// Do now the queued writes of `path`: this process is about to read it.
pub fn flush_for(path: &Path) {
    let due: Vec<Write> = {
        let mut q = queue();
        if q.is_empty() {
            return;
        }
        let (due, rest) = std::mem::take(&mut *q)
            .into_iter()
            .partition(|w| w.path() == Some(path));
        *q = rest;
        due
    };
    for w in &due {
        w.write();
    }
}

/// Do the queued writes: by a detached process when they are large (the caller does not wait
/// for them), else here. Called once the answer is printed and the exit code is final.
pub fn finish() {
    let due = std::mem::take(&mut *queue());
    if due.is_empty() {
        return;
    }
    let write_all = || due.iter().for_each(Write::write);
    if due.iter().map(Write::size).sum::<usize>() >= detach_bytes() {
        // Read here: the child must take no lock (the environment's is one).
        let gate = crate::env_vars::get_os(crate::env_vars::HOOKCTL_DETACH_GATE).map(PathBuf::from);
        if crate::platform::detached(|| {
            if let Some(gate) = &gate {
                wait_for(gate);
            }
            write_all();
        }) {
            // The child writes them; this process exits next, and freeing megabytes the child
            // shares page by page (a fresh clone's facts, its sets) only delayed that.
            std::mem::forget(due);
            return;
        }
    }
    write_all();
}

/// Wait (at most a minute) until `gate` exists: tests' `HOOKCTL_DETACH_GATE`.
fn wait_for(gate: &Path) {
    for _ in 0..6000 {
        if gate.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(test)]
mod tests {
    /// Another machine's bytes are written only when they hold no secret: a clean set or a
    /// bundle's file with a key planted between its entries is never kept in the cache folder.
    #[test]
    fn screened_bytes_holding_a_secret_are_never_written() {
        let dir = tempfile::tempdir().unwrap();
        // Split so this file holds no key itself.
        let key = ["AKIA", "Q3EGRIVYX2N7TB5K"].concat();
        let (clean, planted) = (dir.path().join("clean.bin"), dir.path().join("planted.bin"));
        let bytes = b"HKCCLEAN\0\x01\x02 entries".to_vec();
        let mut with_key = bytes.clone();
        with_key.extend_from_slice(format!(" {key} ").as_bytes());
        super::file_screened(clean.clone(), std::sync::Arc::new(bytes.clone()));
        super::file_screened(planted.clone(), std::sync::Arc::new(with_key));
        super::flush_for(&clean);
        super::flush_for(&planted);
        assert_eq!(std::fs::read(&clean).unwrap(), bytes);
        assert!(!planted.exists(), "a planted key was written");
    }
}
