//! The one output layer: every byte hookctl itself prints goes through here.
//!
//! - stdout carries data that could be piped (findings, `doctor`'s report, JSON); stderr carries
//!   progress, notes, warnings and errors (as uv does).
//! - Colour is decided per stream (anstream's rules: a terminal, `NO_COLOR`, `CLICOLOR_FORCE`,
//!   `TERM=dumb`, `--no-color`), so `hookctl check > out.txt` from a terminal writes no escape
//!   codes while stderr keeps its colour.
//! - A closed stdout (`hookctl check | head`) ends the process quietly with the exit code the
//!   command had already decided on (`set_exit`), as ripgrep does; a closed stderr is ignored.
//! - Three levels: `--quiet` keeps only data, warnings and errors; `--verbose` adds detail.
//! - Nothing printed holds a secret: every text is masked (`crate::secret::redact`) on its way
//!   out, whatever produced it (a finding, an error quoting a config line, a job's output).
//!
//! Elsewhere `clippy::print_stdout` and `clippy::print_stderr` are denied (Cargo.toml `[lints]`).

use std::fmt;
use std::io::{self, Write};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU8, Ordering};

use anstream::{AutoStream, ColorChoice};
pub use anstyle::Style;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Verbosity {
    Quiet,
    #[default]
    Normal,
    Verbose,
}

#[derive(Debug)]
struct Settings {
    verbosity: Verbosity,
    stdout_color: bool,
    stderr_color: bool,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();
/// The exit code to leave with when stdout is closed under us.
static PIPE_EXIT: AtomicU8 = AtomicU8::new(0);

/// Decide colour and verbosity once, from the flags and the environment. Later calls are
/// ignored (the first decision holds for the whole process).
pub fn init(no_color: bool, verbosity: Verbosity) {
    let decide = |choice: ColorChoice| !no_color && choice != ColorChoice::Never;
    let _ = SETTINGS.set(Settings {
        verbosity,
        stdout_color: decide(AutoStream::choice(&io::stdout())),
        stderr_color: decide(AutoStream::choice(&io::stderr())),
    });
}

fn settings() -> &'static Settings {
    SETTINGS.get_or_init(|| Settings {
        verbosity: Verbosity::Normal,
        stdout_color: false,
        stderr_color: false,
    })
}

pub fn verbosity() -> Verbosity {
    settings().verbosity
}

pub fn is_quiet() -> bool {
    verbosity() == Verbosity::Quiet
}

pub fn is_verbose() -> bool {
    verbosity() == Verbosity::Verbose
}

/// Whether what is written to stdout may carry colour.
pub fn stdout_color() -> bool {
    settings().stdout_color
}

/// Whether what is written to stderr may carry colour.
pub fn stderr_color() -> bool {
    settings().stderr_color
}

/// The exit code to use if stdout turns out to be closed from now on.
pub fn set_exit(code: crate::Exit) {
    PIPE_EXIT.store(code as u8, Ordering::Relaxed);
}

/// `text` in `style` when `color`, else as is.
pub fn paint(color: bool, style: Style, text: &str) -> String {
    if color && style != Style::new() {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

/// `text` in `style` for stderr.
pub fn paint_err(style: Style, text: &str) -> String {
    paint(stderr_color(), style, text)
}

/// Common styles.
pub mod style {
    use anstyle::{AnsiColor, Style};
    pub const ERROR: Style = AnsiColor::Red.on_default().bold();
    pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();
    pub const OK: Style = AnsiColor::Green.on_default();
    pub const ACCENT: Style = AnsiColor::Blue.on_default().bold();
    pub const BOLD: Style = Style::new().bold();
    pub const DIM: Style = Style::new().dimmed();
}

/// Write to stdout, masked, handling a closed pipe (see the module docs). What `f` writes is
/// masked as a whole (a value split between two writes is still found), then written.
pub fn with_stdout(f: impl FnOnce(&mut dyn Write) -> io::Result<()>) {
    let mut text = Vec::with_capacity(64 * 1024);
    let result = f(&mut text)
        .and_then(|()| io::stdout().lock().write_all(&crate::secret::redact_bytes(&text)))
        .and_then(|()| io::stdout().lock().flush());
    if let Err(e) = result {
        stdout_failed(&e);
    }
}

fn stdout_failed(e: &io::Error) -> ! {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(i32::from(PIPE_EXIT.load(Ordering::Relaxed)));
    }
    write_err(format_args!("error: cannot write to stdout: {e}\n"));
    std::process::exit(crate::Exit::Error as i32)
}

/// One line of data on stdout.
pub fn stdout_line(args: fmt::Arguments) {
    with_stdout(|w| {
        w.write_fmt(args)?;
        w.write_all(b"\n")
    });
}

/// Raw text on stderr; errors (a closed stderr) are ignored: there is nowhere left to say so.
pub fn write_err(args: fmt::Arguments) {
    let text = match args.as_str() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(args.to_string()),
    };
    let _ = io::stderr()
        .lock()
        .write_all(crate::secret::redact(&text).as_bytes());
}

/// Bytes on stderr in large writes, stopping early when `stop` says so (a signal arrived).
pub fn write_err_bytes(bytes: &[u8], chunk: usize, stop: impl Fn() -> bool) {
    let bytes = crate::secret::redact_bytes(bytes);
    let mut err = io::stderr().lock();
    for piece in bytes.chunks(chunk.max(1)) {
        if stop() || err.write_all(piece).is_err() {
            break;
        }
    }
}

/// A line on stderr at a level: `Quiet` lines always show, `Normal` ones unless `--quiet`,
/// `Verbose` ones only with `--verbose`.
pub fn err_line(level: Verbosity, args: fmt::Arguments) {
    if verbosity() >= level {
        write_err(format_args!("{args}\n"));
    }
}

/// A line of data on stdout (always shown).
#[macro_export]
macro_rules! outln {
    () => { $crate::output::stdout_line(format_args!("")) };
    ($($arg:tt)*) => { $crate::output::stdout_line(format_args!($($arg)*)) };
}

/// A line on stderr that always shows (errors, warnings, what a failure needs).
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::err_line($crate::output::Verbosity::Quiet, format_args!($($arg)*)) };
}

/// A line on stderr that `--quiet` hides (progress, notes, confirmations).
#[macro_export]
macro_rules! info {
    ($($arg:tt)*) => { $crate::output::err_line($crate::output::Verbosity::Normal, format_args!($($arg)*)) };
}

/// A line on stderr shown only with `--verbose`.
#[macro_export]
macro_rules! verbose {
    ($($arg:tt)*) => { $crate::output::err_line($crate::output::Verbosity::Verbose, format_args!($($arg)*)) };
}

/// "parsing N/M files" on a terminal, for long cold scans only.
pub struct ScanProgress {
    total: usize,
    done: std::sync::atomic::AtomicUsize,
    show: bool,
}

impl ScanProgress {
    pub fn new(total: usize) -> ScanProgress {
        use std::io::IsTerminal;
        let show = total >= 2000
            && std::io::stderr().is_terminal()
            && crate::env_vars::get_os(crate::env_vars::CI).is_none();
        ScanProgress {
            total,
            done: std::sync::atomic::AtomicUsize::new(0),
            show,
        }
    }

    pub fn tick(&self) {
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if self.show && n.is_multiple_of(500) {
            write_err(format_args!(
                "\rhookctl: parsing {n}/{} files (cached for next time)",
                self.total
            ));
        }
    }

    pub fn done(&self) {
        if self.show {
            write_err(format_args!("\r\x1b[2K"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paint_only_when_asked() {
        assert_eq!(paint(false, style::ERROR, "x"), "x");
        let p = paint(true, style::ERROR, "x");
        assert!(
            p.starts_with("\x1b[") && p.ends_with("\x1b[0m") && p.contains('x'),
            "{p:?}"
        );
    }
}
