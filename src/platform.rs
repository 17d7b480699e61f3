//! Every call that exists only on Unix, behind one module: paths as bytes, permission bits,
//! symlinks, stat fields, the shell, process groups, signals and the controlling terminal.
//! A Windows port is this file: each item keeps its signature and gets a Windows body (the
//! Windows npm package is not published until it does). Code elsewhere names no
//! `std::os::unix`, `nix` or `libc` item and starts no `sh` of its own.

use std::ffi::OsStr;
use std::fs::{Metadata, Permissions};
use std::io;
use std::path::Path;
use std::process::{Command, ExitStatus};
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;

use nix::sys::signal::{kill, killpg};
use nix::unistd::Pid;

/// Paths and OS strings as bytes (git's paths are bytes; so are the state files hookctl
/// writes): `as_bytes`, `from_bytes`, `from_vec`, `into_vec`.
pub use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// A signal hookctl sends or reports.
pub use nix::sys::signal::Signal;

/// A process or process-group id.
pub type ProcessId = i32;

/// The signal a Ctrl-C sends, as [`exit_signal`] and [`signal_name`] number it.
pub const SIGINT: i32 = libc::SIGINT;

// Files.

/// Create the symlink `link` pointing at `target`.
pub fn symlink(target: impl AsRef<Path>, link: impl AsRef<Path>) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// A file's permission bits (`0o755`...).
pub fn mode(meta: &Metadata) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode()
}

/// Permissions with the bits `mode` (filtered by the umask where a file is created with them).
pub fn permissions(mode: u32) -> Permissions {
    use std::os::unix::fs::PermissionsExt;
    Permissions::from_mode(mode)
}

/// Set `path`'s permission bits to `mode`.
pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    std::fs::set_permissions(path, permissions(mode))
}

/// A regular file someone may execute.
pub fn is_executable(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && mode(&m) & 0o111 != 0)
}

/// The stat fields git's index records: modification time (seconds, nanoseconds) and inode.
pub fn stat_times_and_inode(meta: &Metadata) -> (i64, i64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.mtime(), meta.mtime_nsec(), meta.ino())
}

/// This process's CPU time so far (user + system, every thread), where the OS tells it: what
/// `HOOKCTL_TIMINGS` prints beside wall time (on a shared machine wall time is mostly waiting).
pub fn process_cpu_time() -> Option<std::time::Duration> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes one `timespec` through the pointer, which points at a
    // live local of that type; it reads nothing else.
    #[expect(
        unsafe_code,
        reason = "libc's clock_gettime; the comment above says why it is sound"
    )]
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &raw mut ts) };
    (rc == 0).then(|| {
        std::time::Duration::new(
            u64::try_from(ts.tv_sec).unwrap_or(0),
            u32::try_from(ts.tv_nsec).unwrap_or(0),
        )
    })
}

// Processes.

/// A command line run by the shell (`sh -c <line>`), as jobs are.
pub fn shell(line: &OsStr) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(line);
    cmd
}

/// Start `cmd` in a process group of its own, set before exec: a kill right after spawn
/// cannot miss it.
pub fn own_process_group(cmd: &mut Command) -> &mut Command {
    use std::os::unix::process::CommandExt;
    cmd.process_group(0)
}

/// The signal that ended a process, if one did.
pub fn exit_signal(status: ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

pub fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGINT => "SIGINT",
        libc::SIGTERM => "SIGTERM",
        libc::SIGHUP => "SIGHUP",
        libc::SIGKILL => "SIGKILL",
        _ => "a signal",
    }
}

/// Make SIGINT, SIGTERM and SIGHUP store their number in `flag` instead of ending hookctl.
pub fn catch_interrupts(flag: &Arc<AtomicUsize>) {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // Only fails for forbidden signals (SIGKILL...), which these are not.
        let _ = signal_hook::flag::register_usize(sig, flag.clone(), sig as usize);
    }
}

/// Send `sig` to the process group `pgid`; whether it was delivered (a gone group is not).
pub fn signal_group(pgid: ProcessId, sig: Signal) -> bool {
    killpg(Pid::from_raw(pgid), sig).is_ok()
}

/// Send `sig` to the process `pid` alone.
pub fn signal_process(pid: ProcessId, sig: Signal) {
    let _ = kill(Pid::from_raw(pid), sig);
}

/// Whether the process `pid` exists (another user's process does: EPERM).
pub fn process_exists(pid: ProcessId) -> bool {
    pid > 0
        && matches!(
            kill(Pid::from_raw(pid), None),
            Ok(()) | Err(nix::errno::Errno::EPERM)
        )
}

/// Whether the process group `pgid` has a member.
pub fn group_exists(pgid: ProcessId) -> bool {
    killpg(Pid::from_raw(pgid), None).is_ok()
}

/// hookctl's own process group.
pub fn own_group() -> ProcessId {
    nix::unistd::getpgrp().as_raw()
}

/// Has our child `pid` exited? Does not reap it.
pub fn child_exited(pid: ProcessId) -> bool {
    use nix::sys::wait::{Id, WaitPidFlag, WaitStatus, waitid};
    let flags = WaitPidFlag::WEXITED | WaitPidFlag::WNOHANG | WaitPidFlag::WNOWAIT;
    // An error (ECHILD) means there is nothing left to wait for.
    !matches!(
        waitid(Id::Pid(Pid::from_raw(pid)), flags),
        Ok(WaitStatus::StillAlive)
    )
}

/// The controlling terminal device, opened for reading or writing.
pub fn open_terminal(write: bool) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .read(!write)
        .write(write)
        .open("/dev/tty")
}

/// A pseudo-terminal (master, slave) with the size and modes of the terminal `like`, less
/// output processing (`like` itself turns `\n` into `\r\n` when the master's bytes are
/// relayed to it).
pub fn pseudo_terminal_like(like: &std::fs::File) -> io::Result<(std::fs::File, std::fs::File)> {
    let size = terminal_size::terminal_size_of(like).map(|(w, h)| nix::pty::Winsize {
        ws_row: h.0,
        ws_col: w.0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    });
    let modes = nix::sys::termios::tcgetattr(like).ok().map(|mut m| {
        m.output_flags.remove(nix::sys::termios::OutputFlags::OPOST);
        m
    });
    let pty = nix::pty::openpty(size.as_ref(), modes.as_ref()).map_err(io::Error::from)?;
    Ok((std::fs::File::from(pty.master), std::fs::File::from(pty.slave)))
}

/// Whether `file` has bytes to read (or its end) within `wait`.
pub fn readable_within(file: &std::fs::File, wait: std::time::Duration) -> bool {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    use std::os::fd::AsFd;
    let ms = u16::try_from(wait.as_millis()).unwrap_or(u16::MAX);
    let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLIN)];
    !matches!(poll(&mut fds, PollTimeout::from(ms)), Ok(0))
}

/// Block SIGTTOU in this thread: its writes to the terminal go through while a job's group
/// owns it, even with `stty tostop`.
pub fn block_background_write_stops() {
    let mut ttou = nix::sys::signal::SigSet::empty();
    ttou.add(Signal::SIGTTOU);
    let _ = ttou.thread_block();
}

/// CPU time this process has used so far, user plus system, all threads (`getrusage`); zero
/// where the OS does not tell it.
pub fn cpu_time() -> std::time::Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    use nix::sys::time::TimeValLike;
    getrusage(UsageWho::RUSAGE_SELF).map_or(std::time::Duration::ZERO, |u| {
        let micros = u.user_time().num_microseconds() + u.system_time().num_microseconds();
        std::time::Duration::from_micros(u64::try_from(micros).unwrap_or(0))
    })
}

/// Run `work` in a child process that outlives this one, so that a caller waiting for this
/// process to exit (git waits for a hook) does not wait for it: the child leaves the session
/// and the terminal (`setsid`), reads and writes `/dev/null` instead of this process's stdio
/// (a caller reading this process's output to its end sees the end when this process exits),
/// runs `work` and exits without running any destructor or exit handler. Returns `false`, and
/// `work` is not run, when no child could be started (the caller then does the work itself).
///
/// Only the calling thread exists in the child: `work` must not take a lock another thread of
/// this process may hold at the time (memory allocation is safe: glibc resets its locks at
/// `fork`).
pub fn detached(work: impl FnOnce()) -> bool {
    use nix::unistd::{ForkResult, fork};
    // SAFETY: the child runs only `work` (which by this function's contract takes no lock
    // another thread may hold) and then `_exit`s; the parent only returns.
    #[expect(unsafe_code, reason = "fork; the comment above says why it is sound")]
    match unsafe { fork() } {
        Ok(ForkResult::Parent { .. }) => true,
        Ok(ForkResult::Child) => {
            let _ = nix::unistd::setsid();
            if let Ok(null) = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/null")
            {
                use std::os::fd::AsRawFd;
                for fd in 0..3 {
                    // SAFETY: dup2 onto the standard descriptors of this process, from a file
                    // it owns; no Rust object owns descriptors 0 to 2.
                    #[expect(unsafe_code, reason = "dup2; the comment above says why it is sound")]
                    unsafe {
                        libc::dup2(null.as_raw_fd(), fd);
                    }
                }
            }
            // A panic must not unwind into the parent's frames (the child would go on as it).
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            // SAFETY: ends the child at once, without unwinding into the parent's stack frames
            // or running its exit handlers (which would flush the parent's buffers again).
            #[expect(unsafe_code, reason = "_exit; the comment above says why it is sound")]
            unsafe {
                libc::_exit(0)
            }
        }
        Err(_) => false,
    }
}

/// This process's parent.
pub fn parent_id() -> ProcessId {
    std::os::unix::process::parent_id() as ProcessId
}

/// The controlling terminal, given to a job's process group; [`Terminal::take_back`] makes
/// hookctl's group the foreground again.
#[derive(Debug)]
pub struct Terminal {
    tty: std::fs::File,
    ours: Pid,
}

impl Terminal {
    /// Make `pgid` the terminal's foreground group, if hookctl's group is the foreground one
    /// now (hookctl run in the background leaves the terminal alone).
    pub fn give(pgid: ProcessId) -> Option<Terminal> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()?;
        let ours = nix::unistd::getpgrp();
        if nix::unistd::tcgetpgrp(&tty).ok()? != ours {
            return None;
        }
        nix::unistd::tcsetpgrp(&tty, Pid::from_raw(pgid)).ok()?;
        // A job that read the terminal before it was its own was stopped (SIGTTIN): resume it.
        signal_group(pgid, Signal::SIGCONT);
        Some(Terminal { tty, ours })
    }

    /// Give the terminal back to hookctl's group. hookctl is in the background until then, and
    /// a background `tcsetpgrp` raises SIGTTOU unless it is blocked.
    pub fn take_back(self) {
        let mut ttou = nix::sys::signal::SigSet::empty();
        ttou.add(Signal::SIGTTOU);
        let blocked = ttou.thread_block().is_ok();
        let _ = nix::unistd::tcsetpgrp(&self.tty, self.ours);
        if blocked {
            let _ = ttou.thread_unblock();
        }
    }
}
