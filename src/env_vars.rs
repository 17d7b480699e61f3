//! Every environment variable hookctl itself reads, named once (prek's `env_vars.rs`). Reading
//! the environment anywhere else is refused by `clippy.toml` (`disallowed-methods`), so a new
//! variable shows up here, with what it means.
#![expect(
    clippy::disallowed_methods,
    reason = "the one module that reads the process environment"
)]

use std::ffi::OsString;

/// `0`/`false`/`no`/`off`: every hook is a no-op that says so.
pub const HOOKCTL: &str = "HOOKCTL";
/// `name,name`: jobs, rule ids or check groups to skip.
pub const HOOKCTL_SKIP: &str = "HOOKCTL_SKIP";
/// Print the time of each phase of the built-in checks on stderr.
pub const HOOKCTL_TIMINGS: &str = "HOOKCTL_TIMINGS";
/// Seconds between `still running` lines of a job without a terminal (0.01 to 86400).
pub const HOOKCTL_PROGRESS_SECS: &str = "HOOKCTL_PROGRESS_SECS";
/// Set by hookctl for its jobs: the hooks they run inside (`pre-commit,deploy`); a run of one
/// of them is refused (no nested run of a hook inside itself).
pub const HOOKCTL_RUNNING: &str = "HOOKCTL_RUNNING";
/// Where the process table is read to find the `git commit` running a hook (`amend`
/// conditions in `pre-commit`/`commit-msg`; default `/proc`). A folder without the process
/// falls back to `ps`, as on systems without `/proc`: tests point it at an empty folder.
pub const HOOKCTL_PROC_ROOT: &str = "HOOKCTL_PROC_ROOT";
/// Cache writes of at least this many bytes are done by a detached process once the answer is
/// out (default 1 MiB; tests set 0 to put off and detach every save).
pub const HOOKCTL_DETACH_SAVE_BYTES: &str = "HOOKCTL_DETACH_SAVE_BYTES";
/// Entries a verdict set keyed by blob or tree id may hold beyond twice the live ones before a
/// save drops the dead ones (default 4096; tests set 0 to see the bound after a few edits).
pub const HOOKCTL_CLEAN_SLACK: &str = "HOOKCTL_CLEAN_SLACK";
/// Tests: the detached cache writer waits (at most a minute) until this file exists before it
/// writes, so a test sees the caller's process end before the write starts.
pub const HOOKCTL_DETACH_GATE: &str = "HOOKCTL_DETACH_GATE";
/// git's: the repository, and the index a hook is shown.
pub const GIT_DIR: &str = "GIT_DIR";
pub const GIT_INDEX_FILE: &str = "GIT_INDEX_FILE";
/// git's, set for the hooks of a push (`pre-receive`): the objects of the push wait in a
/// quarantine directory (`GIT_QUARANTINE_PATH`, also `GIT_OBJECT_DIRECTORY`) until the hook
/// accepts them; the repository's own objects are then `GIT_ALTERNATE_OBJECT_DIRECTORIES`.
pub const GIT_OBJECT_DIRECTORY: &str = "GIT_OBJECT_DIRECTORY";
pub const GIT_ALTERNATE_OBJECT_DIRECTORIES: &str = "GIT_ALTERNATE_OBJECT_DIRECTORIES";
pub const GIT_QUARANTINE_PATH: &str = "GIT_QUARANTINE_PATH";
/// Set by CI services: hooks are not installed there, progress is not drawn.
pub const CI: &str = "CI";
pub const PATH: &str = "PATH";
pub const TERM: &str = "TERM";
pub const TMPDIR: &str = "TMPDIR";
pub const XDG_RUNTIME_DIR: &str = "XDG_RUNTIME_DIR";
/// Turborepo's remote cache, read as turbo reads them (`[cache] remote = "turbo"`): the API's
/// base URL (default `https://vercel.com/api`), the bearer token, the team's slug and id.
pub const TURBO_API: &str = "TURBO_API";
pub const TURBO_TOKEN: &str = "TURBO_TOKEN";
pub const TURBO_TEAM: &str = "TURBO_TEAM";
pub const TURBO_TEAMID: &str = "TURBO_TEAMID";
/// The key artifacts are signed and verified with (HMAC-SHA256, turbo's `x-artifact-tag`).
pub const TURBO_REMOTE_CACHE_SIGNATURE_KEY: &str = "TURBO_REMOTE_CACHE_SIGNATURE_KEY";
/// `1`/`true`: download from the remote cache, never upload (as `--remote-cache-read-only`).
pub const TURBO_REMOTE_CACHE_READ_ONLY: &str = "TURBO_REMOTE_CACHE_READ_ONLY";
/// The locale, most specific first: whether the terminal takes UTF-8 symbols.
pub const LOCALE: [&str; 3] = ["LC_ALL", "LC_CTYPE", "LANG"];

/// The variable's value, if set and valid Unicode.
pub fn get(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The variable's value as the OS holds it, if set.
pub fn get_os(name: &str) -> Option<OsString> {
    std::env::var_os(name)
}

/// Whether `name` is set to something other than empty or `0` (`HOOKCTL_TIMINGS=1`).
pub fn flag(name: &str) -> bool {
    get_os(name).is_some_and(|v| !v.is_empty() && v != "0")
}

/// The whole environment (`hookctl env check --process`).
pub fn all() -> impl Iterator<Item = (OsString, OsString)> {
    std::env::vars_os()
}
