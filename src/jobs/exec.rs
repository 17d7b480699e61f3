//! Running jobs: `sh -c` in a process group of its own, stdout and stderr captured together,
//! at most N at once, timeouts and `fail_fast` that kill the whole group, and SIGINT/SIGTERM/
//! SIGHUP turned into "stop everything and unwind" so callers' guards clean up.
//!
//! Each job's shell is the leader of a new process group (`setpgid(0, 0)`), so a terminal's
//! Ctrl-C reaches only hookctl, and killing a job means `killpg`, which takes its grandchildren
//! (`sleep 100 & wait`) along. When a leader exits, whatever it left in its group is killed too
//! before the leader is reaped (`waitid(WNOWAIT)` keeps the group id reserved until then), so
//! no orphan outlives the hook or holds the output pipe open. Each running group is also
//! recorded on disk ([`super::orphans`]) so that a hookctl killed outright does not leave it
//! running. Output is bounded per job ([`super::capture`]).
//!
//! An interactive job gets a process group of its own too, made the terminal's foreground
//! group while it runs (as a shell does for a foreground job): it may read the terminal,
//! Ctrl-C reaches it, and a timeout kills its children with it. If it dies of SIGINT, hookctl
//! stops as if it had received the SIGINT itself. It writes to a pseudo-terminal whose output
//! hookctl relays to the terminal masked, as it comes; with no terminal it is captured.
//!
//! Signals and process groups go through `signal-hook` and `nix` (no hand-written unsafe
//! code); the group itself is `Command::process_group(0)`.

use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::capture::Capture;
use super::orphans;
use crate::platform::{self, ProcessId, Signal, Terminal};

const POLL: Duration = Duration::from_millis(10);
/// Between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(2);
/// One read of a job's output: large, so that a job printing as fast as it can costs few
/// wake-ups.
const READ_SIZE: usize = 256 * 1024;

/// The last of SIGINT/SIGTERM/SIGHUP received (0: none).
static SIGNAL: OnceLock<Arc<AtomicUsize>> = OnceLock::new();

/// Catch SIGINT, SIGTERM and SIGHUP: they set a flag that the runner (and the printing of
/// results) polls, so that everything unwinds: job groups killed, checkouts removed. Job
/// processes get the default dispositions back at `exec`.
pub fn install_signal_handlers() {
    let mut first = false;
    let flag = SIGNAL.get_or_init(|| {
        first = true;
        Arc::new(AtomicUsize::new(0))
    });
    if first {
        platform::catch_interrupts(flag);
    }
}

/// The signal received since the handlers were installed, if any.
pub fn interrupted() -> Option<i32> {
    match SIGNAL.get()?.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s as i32),
    }
}

pub use platform::signal_name;

/// One job ready to run.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    /// Absolute directory to run in.
    pub dir: PathBuf,
    /// Run one after another (chunks of `{files}`); the job fails if any fails.
    pub commands: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
    pub timeout: Option<Duration>,
    /// hookctl's state folder (`<git common dir>/hookctl`): output logs and the record of
    /// running job groups. `None`: neither.
    pub state: Option<PathBuf>,
    /// Run alone, reading the terminal (`/dev/tty`), its output relayed masked through a
    /// pseudo-terminal, in a process group that owns the terminal while it runs; with no
    /// terminal, captured like any job with hookctl's stdin.
    pub interactive: bool,
}

/// A running job, for progress display.
#[derive(Debug, Clone)]
pub struct RunningJob<'a> {
    pub name: &'a str,
    pub elapsed: Duration,
    pub interactive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Passed,
    /// Exit code, or the signal that killed it.
    Failed(String),
    TimedOut(Duration),
    /// Killed or never started because another job failed and `fail_fast` is on.
    Cancelled,
    /// Killed because hookctl was interrupted.
    Interrupted,
    SpawnError(String),
}

impl Status {
    pub fn is_failure(&self) -> bool {
        !matches!(self, Status::Passed | Status::Cancelled)
    }
}

#[derive(Debug)]
pub struct Done {
    /// Index into the specs given to [`run_all`].
    pub index: usize,
    pub status: Status,
    /// stdout and stderr, interleaved as written; past 2 MiB, the two ends around a note.
    pub output: Vec<u8>,
    /// The log holding the output that was not kept in `output`.
    pub log: Option<PathBuf>,
    pub elapsed: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kill {
    Timeout,
    Cancel,
    Interrupt,
}

struct Running {
    /// In a process group of its own: signals go to the whole group.
    group: bool,
    /// The terminal given to an interactive job, taken back when it ends.
    terminal: Option<Terminal>,
    index: usize,
    chunk: usize,
    child: Child,
    pgid: ProcessId,
    record: Option<orphans::Record>,
    output: Arc<Mutex<Capture>>,
    eof: Arc<AtomicBool>,
    started: Instant,
    deadline: Option<Instant>,
    kill: Option<(Kill, Instant)>,
    failed: Option<String>,
}

/// Run the jobs, at most `max` at once, calling `on_done` as each one finishes (in finishing
/// order). Returns every job's result in spec order, and the signal if interrupted.
pub fn run_all(
    specs: &[Spec],
    max: usize,
    fail_fast: bool,
    on_done: &mut dyn FnMut(&Spec, &Done),
) -> (Vec<Done>, Option<i32>) {
    run_all_with_progress(specs, max, fail_fast, on_done, &mut |_| {})
}

/// [`run_all`], calling `on_tick` with the running jobs about every 10 ms.
pub fn run_all_with_progress(
    specs: &[Spec],
    max: usize,
    fail_fast: bool,
    on_done: &mut dyn FnMut(&Spec, &Done),
    on_tick: &mut dyn FnMut(&[RunningJob]),
) -> (Vec<Done>, Option<i32>) {
    let mut queue = Queue {
        specs,
        max: max.max(1),
        fail_fast,
        on_done,
        results: specs.iter().map(|_| None).collect(),
        next: 0,
        running: Vec::new(),
        stop: false,
    };
    loop {
        if interrupted().is_some() {
            queue.stop(Kill::Interrupt);
        }
        queue.start_queued();
        if queue.running.is_empty() {
            break;
        }
        on_tick(&queue.progress());
        std::thread::sleep(POLL);
        queue.poll();
    }
    queue.results()
}

/// The state of one [`run_all`]: the jobs not started yet, those running, the results so far.
struct Queue<'a> {
    specs: &'a [Spec],
    max: usize,
    fail_fast: bool,
    on_done: &'a mut dyn FnMut(&Spec, &Done),
    /// In spec order; `None`: not finished (or never started).
    results: Vec<Option<Done>>,
    /// The first spec not started yet.
    next: usize,
    running: Vec<Running>,
    /// Start nothing more (`fail_fast` or an interrupt).
    stop: bool,
}

impl Queue<'_> {
    /// Starts the queued jobs there is room for. An interactive job runs alone: it waits for
    /// the others, and nothing starts beside it.
    fn start_queued(&mut self) {
        let specs = self.specs;
        while !self.stop
            && self.running.len() < self.max
            && self.next < specs.len()
            && !self.running.iter().any(|r| specs[r.index].interactive)
            && (!specs[self.next].interactive || self.running.is_empty())
        {
            let index = self.next;
            let started = Instant::now();
            match Running::start(&specs[index], index, started) {
                Ok(r) => self.running.push(r),
                Err(e) => {
                    self.stop |= self.fail_fast;
                    self.finish(Done {
                        index,
                        status: Status::SpawnError(e.to_string()),
                        output: Vec::new(),
                        log: None,
                        elapsed: started.elapsed(),
                    });
                }
            }
            self.next += 1;
        }
    }

    /// Start nothing more, and end the running jobs.
    fn stop(&mut self, why: Kill) {
        self.stop = true;
        for r in &mut self.running {
            r.terminate(why);
        }
    }

    fn progress(&self) -> Vec<RunningJob<'_>> {
        let now = Instant::now();
        self.running
            .iter()
            .map(|r| RunningJob {
                name: &self.specs[r.index].name,
                elapsed: now.duration_since(r.started),
                interactive: self.specs[r.index].interactive,
            })
            .collect()
    }

    /// Timeouts and kills enforced; a job whose shell exited goes on with its next chunk of
    /// commands, or ends.
    fn poll(&mut self) {
        let specs = self.specs;
        let mut i = 0;
        while i < self.running.len() {
            let r = &mut self.running[i];
            r.enforce_deadline();
            if !platform::child_exited(r.pgid) {
                i += 1;
                continue;
            }
            r.reap();
            let spec = &specs[r.index];
            if r.kill.is_none() && r.chunk + 1 < spec.commands.len() && r.start_next_chunk(spec) {
                i += 1;
                continue;
            }
            let r = self.running.swap_remove(i);
            self.ended(r);
        }
    }

    /// A job that ran its last chunk (or was killed): its output and status, and `fail_fast`'s
    /// cancelling of the others.
    fn ended(&mut self, r: Running) {
        let capture = std::mem::replace(
            &mut *r.output.lock().unwrap_or_else(std::sync::PoisonError::into_inner),
            Capture::new("", None),
        );
        let (output, log) = capture.finish();
        let status = match (r.kill, r.failed) {
            (Some((Kill::Timeout, _)), _) => {
                Status::TimedOut(self.specs[r.index].timeout.unwrap_or_default())
            }
            (Some((Kill::Cancel, _)), _) => Status::Cancelled,
            (Some((Kill::Interrupt, _)), _) => Status::Interrupted,
            (None, Some(problem)) => Status::Failed(problem),
            (None, None) => Status::Passed,
        };
        if self.fail_fast && status.is_failure() && !self.stop {
            self.stop(Kill::Cancel);
        }
        self.finish(Done {
            index: r.index,
            status,
            output,
            log,
            elapsed: r.started.elapsed(),
        });
    }

    fn finish(&mut self, done: Done) {
        (self.on_done)(&self.specs[done.index], &done);
        let i = done.index;
        self.results[i] = Some(done);
    }

    /// Every job's result in spec order (those never started: cancelled, or interrupted), and
    /// the signal if interrupted.
    fn results(self) -> (Vec<Done>, Option<i32>) {
        let signal = interrupted();
        let Queue {
            specs,
            on_done,
            results,
            ..
        } = self;
        let results = results
            .into_iter()
            .enumerate()
            .map(|(index, d)| {
                d.unwrap_or_else(|| {
                    // Never started: fail_fast or an interrupt stopped the queue.
                    let done = Done {
                        index,
                        status: if signal.is_some() {
                            Status::Interrupted
                        } else {
                            Status::Cancelled
                        },
                        output: Vec::new(),
                        log: None,
                        elapsed: Duration::ZERO,
                    };
                    on_done(&specs[index], &done);
                    done
                })
            })
            .collect();
        (results, signal)
    }
}

impl Running {
    /// Starts a job's first chunk.
    fn start(spec: &Spec, index: usize, started: Instant) -> std::io::Result<Running> {
        let output = Arc::new(Mutex::new(Capture::new(&spec.name, spec.state.as_deref())));
        let (child, record, eof, terminal) = start(spec, 0, output.clone())?;
        Ok(Running {
            group: true,
            terminal,
            index,
            chunk: 0,
            pgid: child.id() as ProcessId,
            record,
            child,
            output,
            eof,
            started,
            // Timeouts are bounded at load; a deadline past what the clock holds is none.
            deadline: spec.timeout.and_then(|t| started.checked_add(t)),
            kill: None,
            failed: None,
        })
    }

    /// Past its deadline: SIGTERM. Past the grace after a SIGTERM: SIGKILL.
    fn enforce_deadline(&mut self) {
        let now = Instant::now();
        if self.kill.is_none() && self.deadline.is_some_and(|d| now >= d) {
            self.terminate(Kill::Timeout);
        }
        if let Some((_, since)) = self.kill
            && now.duration_since(since) >= GRACE
        {
            send_signal(self.pgid, self.group, Signal::SIGKILL);
        }
    }

    /// The shell exited: what it left in its group killed, the shell reaped, its record
    /// removed, the terminal taken back, its output read to the end, and its failure noted
    /// (unless hookctl killed it).
    fn reap(&mut self) {
        // The leader is a zombie, so its group id cannot be reused yet: clear out the rest.
        if self.group {
            signal_group(self.pgid, Signal::SIGKILL);
        }
        let status = self.child.wait().ok();
        if let Some(record) = self.record.take() {
            record.remove();
        }
        if let Some(t) = self.terminal.take() {
            t.take_back();
            // A foreground job killed by Ctrl-C: the user meant to stop the hook, as a
            // shell stops a script when its foreground command dies of SIGINT.
            if status.and_then(platform::exit_signal) == Some(platform::SIGINT) {
                interrupt(platform::SIGINT);
            }
        }
        wait_eof(&self.eof);
        if self.kill.is_none()
            && let Some(problem) = status.and_then(failure)
        {
            self.failed.get_or_insert(problem);
        }
    }

    /// The job's next chunk of commands, into the same output capture. False (the failure
    /// noted) if it cannot start.
    fn start_next_chunk(&mut self, spec: &Spec) -> bool {
        match start(spec, self.chunk + 1, self.output.clone()) {
            Ok((child, record, eof, terminal)) => {
                self.chunk += 1;
                self.pgid = child.id() as ProcessId;
                self.record = record;
                self.terminal = terminal;
                self.child = child;
                self.eof = eof;
                true
            }
            Err(e) => {
                self.failed.get_or_insert(format!("cannot start: {e}"));
                false
            }
        }
    }

    fn terminate(&mut self, why: Kill) {
        if self.kill.is_none() {
            send_signal(self.pgid, self.group, Signal::SIGTERM);
            self.kill = Some((why, Instant::now()));
        }
    }
}

type Started = (Child, Option<orphans::Record>, Arc<AtomicBool>, Option<Terminal>);

/// Record a signal as if it had been received (see [`interrupted`]).
fn interrupt(sig: i32) {
    if let Some(flag) = SIGNAL.get() {
        flag.store(sig as usize, Ordering::SeqCst);
    }
}

fn start(spec: &Spec, chunk: usize, output: Arc<Mutex<Capture>>) -> std::io::Result<Started> {
    if spec.interactive {
        // With no terminal (CI, a GUI client, output to a file) an interactive job has no one
        // to talk to: its output is captured and masked like any job's, its stdin hookctl's.
        if let Some(tty) = Tty::open() {
            return start_interactive(spec, chunk, tty);
        }
        return start_piped(spec, chunk, output, Stdio::inherit());
    }
    start_piped(spec, chunk, output, Stdio::null())
}

fn start_piped(
    spec: &Spec,
    chunk: usize,
    output: Arc<Mutex<Capture>>,
    stdin: Stdio,
) -> std::io::Result<Started> {
    let (mut reader, writer) = std::io::pipe()?;
    let mut cmd = platform::shell(&spec.commands[chunk]);
    cmd.current_dir(&spec.dir)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(stdin)
        .stdout(writer.try_clone()?)
        .stderr(writer);
    let child = platform::own_process_group(&mut cmd).spawn()?;
    let record = spec
        .state
        .as_deref()
        .and_then(|s| orphans::Record::create(s, child.id() as i32));
    // The Command holds the pipe's write ends: drop it so EOF comes when the job's group ends.
    drop(cmd);
    let eof = Arc::new(AtomicBool::new(false));
    let done = eof.clone();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; READ_SIZE];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => output
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(&buf[..n]),
            }
        }
        done.store(true, Ordering::SeqCst);
    });
    Ok((child, record, eof, None))
}

/// The terminal (`/dev/tty`), opened for an interactive job.
struct Tty {
    read: std::fs::File,
    write: std::fs::File,
}

impl Tty {
    fn open() -> Option<Tty> {
        Some(Tty {
            read: platform::open_terminal(false).ok()?,
            write: platform::open_terminal(true).ok()?,
        })
    }
}

/// How long an interactive job's output may be silent before what is held back for masking
/// (a prompt with no blank after it yet) is shown.
const PROMPT_WAIT: Duration = Duration::from_millis(50);

/// An interactive job: it reads the terminal itself, and writes to a pseudo-terminal (so it
/// still sees a terminal: colours, prompts, line editing of its own) whose output hookctl
/// relays to the terminal masked (`crate::secret::Stream`): a job that prints a key (`cat
/// .env`, a CLI echoing a token) does not put it on the screen. Its process group becomes the
/// terminal's foreground group while it runs (see the module comment).
fn start_interactive(spec: &Spec, chunk: usize, tty: Tty) -> std::io::Result<Started> {
    let (master, slave) = platform::pseudo_terminal_like(&tty.write)?;
    let mut cmd = platform::shell(&spec.commands[chunk]);
    cmd.current_dir(&spec.dir)
        .envs(spec.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::from(tty.read))
        .stdout(Stdio::from(slave.try_clone()?))
        .stderr(Stdio::from(slave));
    let child = platform::own_process_group(&mut cmd).spawn()?;
    // The Command holds the slave's descriptors: once they are closed here, the master reads
    // EOF (EIO) when the job's group is gone.
    drop(cmd);
    let record = spec
        .state
        .as_deref()
        .and_then(|s| orphans::Record::create(s, child.id() as i32));
    let terminal = Terminal::give(child.id() as ProcessId);
    let eof = Arc::new(AtomicBool::new(false));
    let done = eof.clone();
    let mut screen = tty.write;
    std::thread::spawn(move || {
        relay(&master, &mut screen);
        done.store(true, Ordering::SeqCst);
    });
    Ok((child, record, eof, terminal))
}

/// Copy a pseudo-terminal's output to the terminal, masked, until every writer is gone.
fn relay(mut master: &std::fs::File, screen: &mut std::fs::File) {
    use std::io::Write;
    // hookctl writes while the job's group owns the terminal: with `stty tostop` that would
    // stop hookctl (SIGTTOU) unless the signal is blocked, which lets the write through.
    platform::block_background_write_stops();
    let mut stream = crate::secret::Stream::new();
    let mut buf = vec![0u8; READ_SIZE];
    loop {
        if stream.holds() && !platform::readable_within(master, PROMPT_WAIT) {
            let _ = screen.write_all(&stream.flush_silent());
            continue;
        }
        match master.read(&mut buf) {
            // EIO: the last writer closed the slave.
            Ok(0) | Err(_) => break,
            Ok(n) => {
                let _ = screen.write_all(&stream.push(&buf[..n]));
            }
        }
    }
    let _ = screen.write_all(&stream.flush());
}

fn send_signal(pid: ProcessId, group: bool, sig: Signal) {
    if group {
        signal_group(pid, sig);
    } else {
        platform::signal_process(pid, sig);
    }
}

fn signal_group(pgid: ProcessId, sig: Signal) {
    // ESRCH (group already gone) is fine.
    let _ = platform::signal_group(pgid, sig);
}

/// A process that escaped its group (setsid) may still hold the pipe; don't wait for it long.
fn wait_eof(eof: &AtomicBool) {
    let start = Instant::now();
    while !eof.load(Ordering::SeqCst) && start.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(2));
    }
}

fn failure(status: ExitStatus) -> Option<String> {
    if status.success() {
        None
    } else if let Some(code) = status.code() {
        Some(format!("exit code {code}"))
    } else {
        let sig = platform::exit_signal(status).unwrap_or(0);
        Some(format!("killed by {}", signal_name(sig)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(name: &str, cmd: &str, timeout: Option<u64>) -> Spec {
        Spec {
            name: name.into(),
            dir: std::env::temp_dir(),
            commands: vec![cmd.into()],
            env: vec![],
            timeout: timeout.map(Duration::from_millis),
            state: None,
            interactive: false,
        }
    }

    #[test]
    fn captures_output_and_status() {
        let specs = [
            spec("a", "echo out; echo err >&2", None),
            spec("b", "exit 3", None),
        ];
        let (done, sig) = run_all(&specs, 2, false, &mut |_, _| {});
        assert_eq!(sig, None);
        assert_eq!(done[0].status, Status::Passed);
        assert_eq!(String::from_utf8_lossy(&done[0].output), "out\nerr\n");
        assert_eq!(done[1].status, Status::Failed("exit code 3".into()));
    }

    #[test]
    fn timeout_kills_the_group_and_fail_fast_cancels() {
        let tmp = tempfile::tempdir().unwrap();
        let ended = tmp.path().join("ended");
        let ends = |what: &str| format!("sleep 30; echo {what} >> '{}'", ended.display());
        let specs = [
            spec("slow", &format!("({}) & wait", ends("slow")), Some(200)),
            spec("other", &ends("other"), None),
            spec("never", "true", None),
        ];
        let (done, _) = run_all(&specs, 2, true, &mut |_, _| {});
        // Killed, not waited for: either job's end would have been written first.
        assert!(!ended.exists(), "{:?}", std::fs::read_to_string(&ended));
        assert!(matches!(done[0].status, Status::TimedOut(_)));
        assert_eq!(done[1].status, Status::Cancelled);
        assert_eq!(done[2].status, Status::Cancelled);
    }

    #[test]
    fn chunks_run_in_order_and_any_failure_fails() {
        let mut s = spec("c", "", None);
        s.commands = vec!["echo 1; exit 1".into(), "echo 2".into()];
        let (done, _) = run_all(&[s], 1, false, &mut |_, _| {});
        assert_eq!(String::from_utf8_lossy(&done[0].output), "1\n2\n");
        assert_eq!(done[0].status, Status::Failed("exit code 1".into()));
    }
}
