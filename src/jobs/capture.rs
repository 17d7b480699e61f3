//! A job's output, bounded: the first and the last [`KEEP`] bytes stay in memory to be shown;
//! past that, what is in between is dropped from the display and the output goes to a log
//! file under `<git common dir>/hookctl/logs/`, named in the note that replaces it.
//!
//! `run = "yes"` used to grow hookctl to gigabytes and print for minutes. The log is bounded
//! too ([`LOG_LIMIT`], then the last [`KEEP`] bytes after a note): an unbounded log would move
//! the same runaway from memory to the disk.
//!
//! What is shown and what is logged is masked (`crate::secret`): a job that prints a key (a
//! linter quoting a line, `cat .env`) does not put it on the terminal, in CI logs or on disk.
//! The log holds back its last [`LOG_HOLD`] bytes until more arrive, so a key split between
//! two reads is whole when it is masked. (An interactive job's output is masked as it streams
//! to the terminal: `crate::secret::Stream`.)

use std::collections::VecDeque;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Bytes kept in memory at each end of a job's output.
pub const KEEP: usize = 1 << 20;
/// Bytes of a job's output written to its log before only the end is kept.
pub const LOG_LIMIT: u64 = 64 << 20;
/// Bytes of the log held back for masking: more than the longest value the secret scan reads.
const LOG_HOLD: usize = 40 << 10;
/// Held bytes that make the log write what it can.
const LOG_FLUSH: usize = 2 * LOG_HOLD;
/// Logs kept in the logs folder; older ones are removed when a new one is written.
const LOGS_KEPT: usize = 20;

#[derive(Debug)]
pub struct Capture {
    name: String,
    /// `<state dir>/logs`, where a log goes once the output outgrows memory.
    log_dir: Option<PathBuf>,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
    log: Option<Result<Log, LogError>>,
}

/// Why a job's output could not be logged (said in the note where output was dropped).
#[derive(Debug, thiserror::Error)]
enum LogError {
    #[error("no repository state folder")]
    NoStateFolder,
    #[error("cannot create {}: {source}", dir.display())]
    Create { dir: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

#[derive(Debug)]
struct Log {
    file: File,
    path: PathBuf,
    /// Bytes of the output written, from the start (held ones included).
    written: u64,
    /// Accepted but not yet on disk: masked with what follows them.
    held: Vec<u8>,
}

impl Capture {
    pub fn new(name: &str, state: Option<&Path>) -> Capture {
        Capture {
            name: name.to_string(),
            log_dir: state.map(|s| s.join("logs")),
            head: Vec::new(),
            tail: VecDeque::new(),
            total: 0,
            log: None,
        }
    }

    pub fn push(&mut self, mut bytes: &[u8]) {
        self.total += bytes.len() as u64;
        if self.head.len() < KEEP {
            let n = bytes.len().min(KEEP - self.head.len());
            self.head.extend_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
        }
        if bytes.is_empty() {
            return;
        }
        self.tail.extend(bytes);
        match &mut self.log {
            Some(Ok(log)) => log.append(bytes),
            Some(Err(_)) => {}
            None if self.tail.len() > KEEP => {
                // From here on something is dropped from the display: everything so far (head
                // and tail are still complete) starts the log.
                let (a, b) = self.tail.as_slices();
                self.log = Some(Log::open(self.log_dir.as_deref(), &self.name).map(|mut log| {
                    for part in [&self.head[..], a, b] {
                        log.append(part);
                    }
                    log
                }));
            }
            None => {}
        }
        if self.tail.len() > KEEP {
            let excess = self.tail.len() - KEEP;
            self.tail.drain(..excess);
        }
    }

    /// Bytes not shown.
    pub fn dropped(&self) -> u64 {
        self.total - (self.head.len() + self.tail.len()) as u64
    }

    /// What to show: the head, a one-line note naming the log when something was dropped,
    /// and the tail. Completes the log with the end of the output.
    pub fn finish(mut self) -> (Vec<u8>, Option<PathBuf>) {
        let dropped = self.dropped();
        let mut out = std::mem::take(&mut self.head);
        if dropped == 0 {
            out.extend(self.tail.iter());
            return (masked(out), None);
        }
        let tail_start = self.total - self.tail.len() as u64;
        let note = match self.log.take() {
            Some(Ok(mut log)) => {
                let capped = log.written < tail_start;
                if capped {
                    let gap = tail_start - log.written;
                    log.flush(0);
                    let _ = writeln!(
                        log.file,
                        "\n[hookctl: {gap} bytes not logged (the log keeps the first {} MiB and the last {} MiB)]",
                        LOG_LIMIT >> 20,
                        KEEP >> 20
                    );
                    let tail: Vec<u8> = self.tail.iter().copied().collect();
                    let _ = log.file.write_all(&masked(tail));
                } else {
                    let skip = (log.written - tail_start) as usize;
                    log.held.extend(self.tail.iter().skip(skip));
                    log.flush(0);
                }
                let what = if capped {
                    "first and last part of the output"
                } else {
                    "full output"
                };
                (format!("{what} in {}", log.path.display()), Some(log.path))
            }
            Some(Err(e)) => (format!("no log: {e}"), None),
            None => ("no log".to_string(), None),
        };
        if !out.ends_with(b"\n") {
            out.push(b'\n');
        }
        let _ = writeln!(
            out,
            "[hookctl: {dropped} bytes of output dropped here ({} MiB kept at each end); {}]",
            KEEP >> 20,
            note.0
        );
        out.extend(self.tail.iter());
        (masked(out), note.1)
    }
}

/// `bytes` with every secret masked.
fn masked(bytes: Vec<u8>) -> Vec<u8> {
    match crate::secret::redact_bytes(&bytes) {
        std::borrow::Cow::Owned(m) => m,
        std::borrow::Cow::Borrowed(_) => bytes,
    }
}

impl Log {
    fn open(dir: Option<&Path>, job: &str) -> Result<Log, LogError> {
        let dir = dir.ok_or(LogError::NoStateFolder)?;
        std::fs::create_dir_all(dir).map_err(|source| LogError::Create {
            dir: dir.to_path_buf(),
            source,
        })?;
        prune(dir);
        let safe: String = job
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .take(60)
            .collect();
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = dir.join(format!("{safe}-{secs}-{}.log", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| LogError::Write {
                path: path.clone(),
                source,
            })?;
        Ok(Log {
            file,
            path,
            written: 0,
            held: Vec::new(),
        })
    }

    fn append(&mut self, bytes: &[u8]) {
        let room = LOG_LIMIT.saturating_sub(self.written);
        let n = (bytes.len() as u64).min(room) as usize;
        if n > 0 {
            self.held.extend_from_slice(&bytes[..n]);
            self.written += n as u64;
            if self.held.len() >= LOG_FLUSH {
                self.flush(LOG_HOLD);
            }
        }
    }

    /// Mask what is held and write all of it but the last `keep` bytes.
    fn flush(&mut self, keep: usize) {
        let held = masked(std::mem::take(&mut self.held));
        let cut = held.len().saturating_sub(keep);
        let _ = self.file.write_all(&held[..cut]);
        self.held = held[cut..].to_vec();
    }
}

/// Keep the newest logs only.
fn prune(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut logs: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "log"))
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if logs.len() < LOGS_KEPT {
        return;
    }
    logs.sort();
    for (_, path) in &logs[..=logs.len() - LOGS_KEPT] {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_output_is_kept_whole() {
        let mut c = Capture::new("j", None);
        c.push(b"hello\n");
        assert_eq!(c.finish(), (b"hello\n".to_vec(), None));
    }

    #[test]
    fn large_output_keeps_both_ends_and_logs_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let mut c = Capture::new("my job", Some(tmp.path()));
        let mut all = Vec::new();
        for i in 0..400_000u32 {
            let line = format!("line {i:08}\n").into_bytes();
            all.extend_from_slice(&line);
            c.push(&line);
        }
        let dropped = c.dropped();
        assert_eq!(dropped, all.len() as u64 - 2 * KEEP as u64);
        let (shown, log) = c.finish();
        let log = log.unwrap();
        assert!(log.starts_with(tmp.path().join("logs")));
        assert_eq!(std::fs::read(&log).unwrap(), all);
        assert!(shown.starts_with(&all[..KEEP]));
        assert!(shown.ends_with(&all[all.len() - KEEP..]));
        let note = String::from_utf8_lossy(&shown[KEEP..shown.len() - KEEP]).into_owned();
        assert!(
            note.contains(&format!("{dropped} bytes of output dropped")),
            "{note}"
        );
        assert!(note.contains(&log.display().to_string()), "{note}");
    }

    /// Issue 20: a key a job prints reaches neither the terminal nor the log, even split
    /// between two reads.
    #[test]
    fn secrets_are_masked_on_screen_and_in_the_log() {
        let key = ["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"].concat();
        let middle = &key[10..];
        let tmp = tempfile::tempdir().unwrap();
        let mut c = Capture::new("leaky", Some(tmp.path()));
        let line = format!("config: {key}\n");
        let (a, b) = line.as_bytes().split_at(14);
        for i in 0..300_000u32 {
            c.push(format!("line {i:08}\n").as_bytes());
            if i % 50_000 == 0 {
                c.push(a);
                c.push(b);
            }
        }
        c.push(line.as_bytes());
        let (shown, log) = c.finish();
        let shown = String::from_utf8_lossy(&shown);
        assert!(shown.contains("config: sk_live_****"), "masked, kind kept");
        assert!(!shown.contains(middle));
        let logged = std::fs::read_to_string(log.unwrap()).unwrap();
        assert_eq!(logged.matches("config: sk_live_****").count(), 7);
        assert!(!logged.contains(middle));
        let mut small = Capture::new("j", None);
        small.push(a);
        small.push(b);
        assert!(!String::from_utf8_lossy(&small.finish().0).contains(middle));
    }
}
