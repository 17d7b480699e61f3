//! What a hook must put back, on disk before any job runs.
//!
//! A job may rewrite a partially staged file in the work tree (a formatter run on the whole
//! project; jobs get `GIT_WORK_TREE`), and that file holds the user's unstaged edits, which
//! exist nowhere else. Before the first job starts, each such file is copied under
//! `<git common dir>/hookctl/restore/<run>/` and a manifest naming the copies is written last,
//! every file fsynced, as git does with what it must not lose: a manifest present means every
//! copy is complete. After the jobs, what a job rewrote is put back from the copies and the
//! folder is removed.
//!
//! If hookctl is killed outright in between (SIGKILL, the OOM killer, a power cut), the folder
//! stays, named after its run's pid and start time. The next `hookctl run` ([`recover`]) finds
//! it (its owner no longer runs), takes it over with one `rename` (two runs at once cannot
//! both recover it), puts back every file that differs from its copy, and keeps the version it
//! replaced (a job's rewrite, or an edit made after the kill) in a folder it names, so that
//! either way nothing is lost. Kept folders are removed after [`KEEP_DAYS`] days, as git
//! prunes unreachable objects after two weeks.
//!
//! Copies are streamed (`std::fs::copy`, a reflink where the file system has them) and
//! compared in fixed-size blocks: memory does not grow with the files.

use crate::platform::{self, OsStrExt};
use std::ffi::OsStr;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::orphans;

/// Kept folders (what a recovery replaced) older than this are removed.
pub const KEEP_DAYS: u64 = 14;
const MANIFEST: &str = "manifest";
const HEADER: &str = "hookctl-restore 1";
/// Compared and copied in blocks of this size.
const BLOCK: usize = 64 * 1024;

/// `<state dir>/restore`.
pub fn dir(state: &Path) -> PathBuf {
    state.join("restore")
}

/// What was saved of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Saved {
    /// A regular file: its copy (`<run dir>/<n>`) and permission bits.
    File { copy: PathBuf, mode: u32 },
    /// A symlink and its target.
    Link { target: Vec<u8> },
    /// Nothing was there (a staged file deleted from disk).
    Absent,
}

#[derive(Debug, Clone)]
struct Entry {
    rel: PathBuf,
    saved: Saved,
}

/// The saved work-tree state of the partially staged files of one run.
#[derive(Debug)]
pub struct Guard {
    /// The run's folder; `None` when nothing is guarded.
    dir: Option<PathBuf>,
    root: PathBuf,
    entries: Vec<Entry>,
    /// [`Guard::restore_changed`] ran.
    restored: bool,
    /// A file could not be put back: the folder is kept.
    keep: bool,
}

/// What putting the guarded files back did.
#[derive(Debug, Default)]
pub struct Restored {
    /// Files a job had changed, put back.
    pub changed: Vec<PathBuf>,
    /// Files that could not be put back, why, and where their saved copy is.
    pub failed: Vec<(PathBuf, String, PathBuf)>,
}

impl Guard {
    /// Save the work-tree state of `partial` (repo-relative, under `root`) on disk, durably,
    /// before any job runs. An error means jobs must not run: what they could destroy would
    /// exist nowhere else.
    pub fn take(
        state: &Path,
        root: &Path,
        partial: &std::collections::BTreeSet<PathBuf>,
    ) -> anyhow::Result<Guard> {
        let mut guard = Guard {
            dir: None,
            root: root.to_path_buf(),
            entries: Vec::new(),
            restored: false,
            keep: false,
        };
        if partial.is_empty() {
            return Ok(guard);
        }
        let base = dir(state);
        std::fs::create_dir_all(&base).with_context(|| format!("cannot create {}", shown(&base)))?;
        let run = new_run_dir(&base)?;
        guard.dir = Some(run.clone());
        let mut manifest = format!("{HEADER}\nroot {}\n", hex(root.as_os_str().as_bytes()));
        for (n, rel) in partial.iter().enumerate() {
            let path = root.join(rel);
            let saved = match path.symlink_metadata() {
                Ok(m) if m.file_type().is_symlink() => Saved::Link {
                    target: std::fs::read_link(&path)
                        .with_context(|| format!("cannot read {}", shown(&path)))?
                        .into_os_string()
                        .into_encoded_bytes(),
                },
                Ok(m) if m.is_file() => {
                    let copy = run.join(n.to_string());
                    copy_synced(&path, &copy)
                        .with_context(|| format!("cannot save {} to {}", shown(&path), shown(&copy)))?;
                    Saved::File {
                        copy,
                        mode: platform::mode(&m),
                    }
                }
                _ => Saved::Absent,
            };
            let path = hex(rel.as_os_str().as_bytes());
            let _ = match &saved {
                Saved::File { mode, .. } => writeln!(manifest, "file {n} {mode:o} {path}"),
                Saved::Link { target } => writeln!(manifest, "link {} {path}", hex(target)),
                Saved::Absent => writeln!(manifest, "absent {path}"),
            };
            guard.entries.push(Entry {
                rel: rel.clone(),
                saved,
            });
        }
        manifest.push_str("end\n");
        let tmp = run.join("manifest.tmp");
        let mut f = File::create(&tmp).with_context(|| format!("cannot write {}", shown(&tmp)))?;
        f.write_all(manifest.as_bytes())
            .and_then(|()| f.sync_all())
            .with_context(|| format!("cannot write {}", shown(&tmp)))?;
        std::fs::rename(&tmp, run.join(MANIFEST)).with_context(|| format!("cannot write {}", shown(&tmp)))?;
        sync_dir(&run);
        sync_dir(&base);
        Ok(guard)
    }

    /// The run's folder, while it exists.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Put back every guarded file a job changed (a file a job created where there was none
    /// is reported, not removed).
    pub fn restore_changed(&mut self) -> Restored {
        self.restored = true;
        let mut out = Restored::default();
        for e in &self.entries {
            let path = self.root.join(&e.rel);
            if same(&path, &e.saved) {
                continue;
            }
            out.changed.push(e.rel.clone());
            if let Err(err) = put_back(&path, &e.saved) {
                self.keep = true;
                let at = match &e.saved {
                    Saved::File { copy, .. } => copy.clone(),
                    _ => self.dir.clone().unwrap_or_default(),
                };
                out.failed.push((e.rel.clone(), err.to_string(), at));
            }
        }
        out
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if !self.restored {
            // An early return after the jobs ran: put back before forgetting.
            let _ = self.restore_changed();
        }
        if let Some(dir) = &self.dir
            && !self.keep
        {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// One file that [`recover`] found changed and put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovered {
    /// Absolute path of the file.
    pub path: PathBuf,
    /// Where the version it replaced is kept (`None`: there was none, the file was gone).
    pub replaced: Option<PathBuf>,
}

/// What [`recover`] did.
#[derive(Debug, Default)]
pub struct Recovery {
    pub restored: Vec<Recovered>,
    /// Files that could not be put back: the path, why, and where the saved copy is.
    pub failed: Vec<(PathBuf, String, PathBuf)>,
}

impl Recovery {
    pub fn is_empty(&self) -> bool {
        self.restored.is_empty() && self.failed.is_empty()
    }
}

/// Put back what runs killed outright left saved (see the module comment). Runs whose owner
/// still runs are left alone.
pub fn recover(state: &Path) -> Recovery {
    let mut out = Recovery::default();
    let base = dir(state);
    let Ok(entries) = std::fs::read_dir(&base) else {
        return out;
    };
    let me = std::process::id() as i32;
    let my_start = orphans::start_time(me).unwrap_or(0);
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with("kept-") {
            prune_kept(&entry.path());
            continue;
        }
        let Some((owner, start, rest)) = parse_run_name(name) else {
            continue;
        };
        if owner == me || orphans::runs(owner, start) {
            continue;
        }
        // Take it over: only one of several recovering runs wins the rename.
        let claimed = base.join(format!("{me}-{my_start}-{rest}"));
        if std::fs::rename(entry.path(), &claimed).is_err() {
            continue;
        }
        recover_run(&base, &claimed, &mut out);
    }
    out
}

/// What earlier recoveries kept (`<state>/restore/kept-*`): for each file they put back, its
/// repo-relative path and where the version it replaced is. For `doctor`, which names them
/// until they are pruned ([`KEEP_DAYS`]).
pub fn kept(state: &Path) -> Vec<(PathBuf, PathBuf)> {
    let Ok(entries) = std::fs::read_dir(dir(state)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        if !e.file_name().to_str().is_some_and(|n| n.starts_with("kept-")) {
            continue;
        }
        let run = e.path();
        let Some((_, saved)) = read_manifest(&run) else {
            continue;
        };
        for (n, entry) in saved.iter().enumerate() {
            let at = run.join("replaced").join(n.to_string());
            if at.symlink_metadata().is_ok() {
                out.push((entry.rel.clone(), at));
            }
        }
    }
    out.sort();
    out
}

fn recover_run(base: &Path, run: &Path, out: &mut Recovery) {
    let Some((root, entries)) = read_manifest(run) else {
        // No complete manifest: the run died while saving, before any job started.
        let _ = std::fs::remove_dir_all(run);
        return;
    };
    let kept_dir = run.join("replaced");
    let mut keep = false;
    for (n, e) in entries.iter().enumerate() {
        let path = root.join(&e.rel);
        // Something created where nothing was (the user's or a job's) is left as it is.
        if same(&path, &e.saved) || matches!(e.saved, Saved::Absent) {
            continue;
        }
        let replaced = match path.symlink_metadata() {
            Ok(_) => {
                let to = kept_dir.join(n.to_string());
                let moved = std::fs::create_dir_all(&kept_dir)
                    .and_then(|()| keep_copy(&path, &to))
                    .map(|()| to);
                match moved {
                    Ok(to) => Some(to),
                    Err(err) => {
                        out.failed.push((
                            path.clone(),
                            format!("cannot keep its current version: {err}"),
                            saved_at(run, &e.saved),
                        ));
                        keep = true;
                        continue;
                    }
                }
            }
            Err(_) => None,
        };
        keep |= replaced.is_some();
        match put_back(&path, &e.saved) {
            Ok(()) => out.restored.push(Recovered { path, replaced }),
            Err(err) => {
                keep = true;
                out.failed.push((path, err.to_string(), saved_at(run, &e.saved)));
            }
        }
    }
    if keep {
        let secs = now_secs();
        let name = run
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let kept = base.join(format!("kept-{secs}-{name}"));
        if std::fs::rename(run, &kept).is_ok() {
            let fix = |p: &mut PathBuf| {
                if let Ok(rest) = p.strip_prefix(run) {
                    *p = kept.join(rest);
                }
            };
            for r in &mut out.restored {
                if let Some(p) = &mut r.replaced {
                    fix(p);
                }
            }
            for (_, _, p) in &mut out.failed {
                fix(p);
            }
        }
    } else {
        let _ = std::fs::remove_dir_all(run);
    }
}

fn saved_at(run: &Path, saved: &Saved) -> PathBuf {
    match saved {
        Saved::File { copy, .. } => copy.clone(),
        _ => run.join(MANIFEST),
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Remove a kept folder older than [`KEEP_DAYS`] (its name carries its time).
fn prune_kept(path: &Path) {
    let secs = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("kept-"))
        .and_then(|n| n.split('-').next())
        .and_then(|s| s.parse::<u64>().ok());
    if let Some(secs) = secs
        && now_secs().saturating_sub(secs) > KEEP_DAYS * 86_400
    {
        let _ = std::fs::remove_dir_all(path);
    }
}

/// `<pid>-<start time>-<rest>`.
fn parse_run_name(name: &str) -> Option<(i32, i64, &str)> {
    let mut parts = name.splitn(3, '-');
    let pid = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    Some((pid, start, parts.next()?))
}

fn new_run_dir(base: &Path) -> anyhow::Result<PathBuf> {
    let me = std::process::id() as i32;
    let start = orphans::start_time(me).unwrap_or(0);
    for n in 0..100u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = base.join(format!("{me}-{start}-{nanos:08x}{n}"));
        match std::fs::create_dir(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e).with_context(|| format!("cannot create {}", shown(&dir))),
        }
    }
    anyhow::bail!("cannot create a folder in {}", shown(base))
}

fn read_manifest(run: &Path) -> Option<(PathBuf, Vec<Entry>)> {
    let text = std::fs::read_to_string(run.join(MANIFEST)).ok()?;
    let mut lines = text.lines();
    if lines.next()? != HEADER {
        return None;
    }
    let root = PathBuf::from(OsStr::from_bytes(&unhex(lines.next()?.strip_prefix("root ")?)?));
    let mut entries = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(' ').collect();
        let path = |s: &str| unhex(s).map(|b| PathBuf::from(OsStr::from_bytes(&b)));
        let e = match f[..] {
            ["end"] => return Some((root, entries)),
            ["file", n, mode, p] => Entry {
                rel: path(p)?,
                saved: Saved::File {
                    copy: run.join(n.parse::<usize>().ok()?.to_string()),
                    mode: u32::from_str_radix(mode, 8).ok()?,
                },
            },
            ["link", target, p] => Entry {
                rel: path(p)?,
                saved: Saved::Link {
                    target: unhex(target)?,
                },
            },
            ["absent", p] => Entry {
                rel: path(p)?,
                saved: Saved::Absent,
            },
            _ => return None,
        };
        // A manifest names repo-relative paths only.
        if e.rel.is_absolute()
            || e.rel
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
        {
            return None;
        }
        entries.push(e);
    }
    None
}

fn hex(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "-".into();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s == "-" {
        return Some(Vec::new());
    }
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A path in a message: control characters escaped.
fn shown(p: &Path) -> String {
    crate::report::escape::escape(&p.to_string_lossy()).into_owned()
}

/// Whether the work-tree entry at `path` is what was saved.
fn same(path: &Path, saved: &Saved) -> bool {
    let meta = path.symlink_metadata();
    match saved {
        Saved::Absent => meta.is_err(),
        Saved::Link { target } => {
            meta.is_ok_and(|m| m.file_type().is_symlink())
                && std::fs::read_link(path).is_ok_and(|t| t.as_os_str().as_bytes() == target.as_slice())
        }
        Saved::File { copy, .. } => {
            meta.is_ok_and(|m| m.is_file()) && same_content(path, copy).unwrap_or(false)
        }
    }
}

/// Whether two files hold the same bytes, read in blocks.
pub fn same_content(a: &Path, b: &Path) -> std::io::Result<bool> {
    let (mut fa, mut fb) = (File::open(a)?, File::open(b)?);
    if fa.metadata()?.len() != fb.metadata()?.len() {
        return Ok(false);
    }
    let (mut ba, mut bb) = (vec![0u8; BLOCK], vec![0u8; BLOCK]);
    loop {
        let n = read_full(&mut fa, &mut ba)?;
        let m = read_full(&mut fb, &mut bb)?;
        if n != m || ba[..n] != bb[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

fn read_full(f: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

fn copy_synced(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(from, to)?;
    File::open(to)?.sync_all()
}

fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// A copy of the current entry at `path` (a file's bytes, or a symlink as a symlink).
fn keep_copy(path: &Path, to: &Path) -> std::io::Result<()> {
    let meta = path.symlink_metadata()?;
    if meta.file_type().is_symlink() {
        let _ = std::fs::remove_file(to);
        platform::symlink(std::fs::read_link(path)?, to)
    } else if meta.is_file() {
        copy_synced(path, to)
    } else {
        Err(std::io::Error::other("not a file"))
    }
}

/// Put the saved entry back at `path`: written beside it, then renamed over it.
fn put_back(path: &Path, saved: &Saved) -> std::io::Result<()> {
    match saved {
        Saved::Absent => Ok(()),
        Saved::File { copy, mode } => put_file(path, copy, *mode),
        Saved::Link { target } => {
            let tmp = tmp_beside(path);
            platform::symlink(OsStr::from_bytes(target), &tmp)?;
            rename_over(&tmp, path)
        }
    }
}

/// Replace `path` with a copy of `from` with permission bits `mode`, atomically (a temporary
/// file beside it, renamed over it).
pub fn put_file(path: &Path, from: &Path, mode: u32) -> std::io::Result<()> {
    let tmp = tmp_beside(path);
    std::fs::copy(from, &tmp)
        .and_then(|_| platform::set_mode(&tmp, mode))
        .and_then(|()| File::open(&tmp)?.sync_all())
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
    rename_over(&tmp, path)
}

fn tmp_beside(path: &Path) -> PathBuf {
    path.with_file_name(format!(
        ".{}.hookctl-restore-{}",
        path.file_name()
            .map_or_else(|| "f".into(), |n| n.to_string_lossy()),
        std::process::id()
    ))
}

fn rename_over(tmp: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::rename(tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(tmp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn guard_puts_back_what_a_job_rewrote_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let state = dir.path().join("state");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(root.join("a.ts"), "mine\n").unwrap();
        std::fs::write(root.join("b.ts"), "also mine\n").unwrap();
        platform::symlink("b.ts", root.join("l.ts")).unwrap();
        let partial: BTreeSet<PathBuf> = ["a.ts", "b.ts", "gone.ts", "l.ts"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let mut guard = Guard::take(&state, &root, &partial).unwrap();
        let run = guard.dir().unwrap().to_path_buf();
        assert!(run.join(MANIFEST).is_file());
        std::fs::write(root.join("a.ts"), "formatted\n").unwrap();
        std::fs::write(root.join("gone.ts"), "created\n").unwrap();
        std::fs::remove_file(root.join("l.ts")).unwrap();
        let r = guard.restore_changed();
        assert_eq!(
            r.changed,
            [
                PathBuf::from("a.ts"),
                PathBuf::from("gone.ts"),
                PathBuf::from("l.ts")
            ]
        );
        assert!(r.failed.is_empty());
        assert_eq!(std::fs::read_to_string(root.join("a.ts")).unwrap(), "mine\n");
        assert_eq!(std::fs::read_to_string(root.join("b.ts")).unwrap(), "also mine\n");
        assert_eq!(std::fs::read_link(root.join("l.ts")).unwrap(), Path::new("b.ts"));
        drop(guard);
        assert!(!run.exists());
    }

    #[test]
    fn a_run_killed_outright_is_recovered_by_the_next() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        let state = dir.path().join("state");
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(root.join("src/a.ts"), b"mine\r\n\x00\xff").unwrap();
        let partial: BTreeSet<PathBuf> = [PathBuf::from("src/a.ts")].into();
        let guard = Guard::take(&state, &root, &partial).unwrap();
        let run = guard.dir().unwrap().to_path_buf();
        // Killed outright: no drop. The folder is renamed as if a dead process owned it.
        std::mem::forget(guard);
        let dead = run.with_file_name(format!("999999999-1-{}", "x"));
        std::fs::rename(&run, &dead).unwrap();
        std::fs::write(root.join("src/a.ts"), "clobbered").unwrap();
        let rec = recover(&state);
        assert_eq!(std::fs::read(root.join("src/a.ts")).unwrap(), b"mine\r\n\x00\xff");
        assert_eq!(rec.restored.len(), 1, "{rec:?}");
        let kept = rec.restored[0].replaced.clone().unwrap();
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "clobbered");
        assert!(!dead.exists());
        // Nothing more to do the next time; the kept copy stays.
        assert!(recover(&state).is_empty());
        assert!(kept.exists());
    }

    #[test]
    fn live_runs_and_incomplete_saves_are_handled() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        let base = super::dir(&state);
        std::fs::create_dir_all(base.join("999999999-1-half")).unwrap();
        let me = std::process::id();
        let mine = base.join(format!(
            "{me}-{}-live",
            orphans::start_time(me as i32).unwrap_or(0)
        ));
        std::fs::create_dir_all(&mine).unwrap();
        assert!(recover(&state).is_empty());
        assert!(
            !base.join("999999999-1-half").exists(),
            "a save without manifest is dropped"
        );
        assert!(mine.exists(), "a live run's folder is left alone");
    }
}
