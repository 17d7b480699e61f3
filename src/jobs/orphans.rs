//! Job process groups that outlive a killed hookctl.
//!
//! Jobs run in process groups of their own (so a terminal's Ctrl-C reaches only hookctl), which
//! also means nothing kills them when hookctl itself is killed outright (SIGKILL, OOM killer):
//! a `sleep 100` or a dev server would run on. So every running job group is recorded in a
//! small file under `<git common dir>/hookctl/jobs/`, named `<hookctl pid>-<pgid>`, holding
//! hookctl's pid and start time and the group leader's start time; the file is removed when the
//! group has been reaped. The next `hookctl run` sweeps the records whose hookctl no longer
//! runs, and kills those groups first.
//!
//! Start times (Linux: `/proc/<pid>/stat`) guard against pid reuse: a record only matches a
//! process that started when the recorded one did. When the leader has exited but members of
//! its group remain, the group is still the job's: Linux does not hand out a pid that still
//! names a process group, so no other program can have made a group with that id meanwhile.

use std::path::{Path, PathBuf};

use crate::platform::{self, Signal};

/// `<state dir>/jobs`.
pub fn dir(state: &Path) -> PathBuf {
    state.join("jobs")
}

/// A running job group, recorded on disk until dropped with [`Record::remove`].
#[derive(Debug)]
pub struct Record {
    path: PathBuf,
}

impl Record {
    /// Record that this hookctl runs the group `pgid`. Best effort: a read-only git dir only
    /// loses the clean-up after a SIGKILL.
    pub fn create(state: &Path, pgid: i32) -> Option<Record> {
        let me = std::process::id() as i32;
        let dir = dir(state);
        std::fs::create_dir_all(&dir).ok()?;
        let path = dir.join(format!("{me}-{pgid}"));
        let text = format!(
            "{me} {} {pgid} {}\n",
            start_time(me).unwrap_or(0),
            start_time(pgid).unwrap_or(0)
        );
        std::fs::write(&path, text).ok()?;
        Some(Record { path })
    }

    pub fn remove(self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Kill the job groups left by hookctl processes that no longer run, and forget them.
/// Returns how many groups were killed.
pub fn sweep(state: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir(state)) else {
        return 0;
    };
    let mut killed = 0;
    for entry in entries.flatten() {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let fields: Vec<i64> = text.split_whitespace().filter_map(|f| f.parse().ok()).collect();
        let [owner, owner_start, pgid, leader_start] = fields[..] else {
            // Not ours or half written by a hookctl killed mid-write: forget it.
            let _ = std::fs::remove_file(entry.path());
            continue;
        };
        let (Ok(owner), Ok(pgid)) = (i32::try_from(owner), i32::try_from(pgid)) else {
            let _ = std::fs::remove_file(entry.path());
            continue;
        };
        if runs(owner, owner_start) {
            continue;
        }
        if pgid > 1 && group_is_the_jobs(pgid, leader_start) && platform::signal_group(pgid, Signal::SIGKILL)
        {
            killed += 1;
        }
        let _ = std::fs::remove_file(entry.path());
    }
    killed
}

/// Whether `pid` runs and is the process that started at `start` (0: unknown, any).
pub fn runs(pid: i32, start: i64) -> bool {
    if pid <= 0 {
        return false;
    }
    platform::process_exists(pid) && (start == 0 || start_time(pid).is_none_or(|s| s as i64 == start))
}

/// The recorded group still holds the job's processes: its leader is the recorded one, or
/// the leader is gone and its group lives on (see the module comment).
fn group_is_the_jobs(pgid: i32, leader_start: i64) -> bool {
    let group_exists = platform::group_exists(pgid);
    if !group_exists {
        return false;
    }
    match start_time(pgid) {
        Some(start) => leader_start == 0 || start as i64 == leader_start,
        None => !Path::new(&format!("/proc/{pgid}")).exists(),
    }
}

/// A process's start time in clock ticks since boot (`/proc/<pid>/stat` field 22). `None`
/// where there is no /proc or the process is gone.
pub fn start_time(pid: i32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last `)`.
    let rest = stat.rsplit_once(')')?.1;
    rest.split_whitespace().nth(19)?.parse().ok()
}

/// The pid of an ancestor of this process that is hookctl running `hook` (`hookctl … run
/// <hook>`): a job that runs its own hook again with `HOOKCTL_RUNNING` scrubbed from its
/// environment (`env -i`, a tool that resets the environment) is still inside it. Linux
/// `/proc`; `None` where it cannot be read.
pub fn ancestor_running(hook: &str) -> Option<i32> {
    let ours = std::fs::read_link("/proc/self/exe").ok()?;
    let name = ours.file_name()?.to_owned();
    let mut pid = crate::platform::parent_id();
    // Bounded: a process tree is never this deep, and a cycle cannot hold us.
    for _ in 0..512 {
        if pid <= 1 {
            return None;
        }
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
        if exe.is_some_and(|e| e == ours || e.file_name() == Some(name.as_os_str()))
            && let Ok(cmdline) = std::fs::read(format!("/proc/{pid}/cmdline"))
        {
            let args: Vec<&[u8]> = cmdline.split(|&b| b == 0).collect();
            if args.windows(2).any(|w| w[0] == b"run" && w[1] == hook.as_bytes()) {
                return Some(pid);
            }
        }
        pid = parent_of(pid)?;
    }
    None
}

/// The parent pid of `pid` (`/proc/<pid>/stat`).
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg_attr(not(target_os = "linux"), ignore = "start times are read from /proc")]
    fn own_start_time_is_readable_and_records_of_live_owners_are_kept() {
        let me = std::process::id() as i32;
        assert!(
            start_time(me).is_some(),
            "the start time of this process is unreadable"
        );
        assert!(runs(me, start_time(me).unwrap() as i64));
        assert!(!runs(me, start_time(me).unwrap() as i64 + 1));
        let tmp = tempfile::tempdir().unwrap();
        // Our own process group, recorded as ours: a live owner's groups are never touched.
        let pgid = platform::own_group();
        let rec = Record::create(tmp.path(), pgid).unwrap();
        assert_eq!(sweep(tmp.path()), 0);
        assert_eq!(std::fs::read_dir(dir(tmp.path())).unwrap().count(), 1);
        rec.remove();
        std::fs::write(dir(tmp.path()).join("garbage"), "x").unwrap();
        assert_eq!(sweep(tmp.path()), 0);
        assert_eq!(std::fs::read_dir(dir(tmp.path())).unwrap().count(), 0);
    }
}
