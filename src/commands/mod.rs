//! One file per subcommand, each with one entry function called from `main`.

pub mod check;
pub mod config;
pub mod doctor;
pub mod env;
pub mod init;
pub mod install;
pub mod migrate;
pub mod receive;
pub mod resolve;
pub mod run;

use std::path::Path;

use crate::Ctx;
use crate::report::escape::escape;

/// Write a file the user will commit (`hookctl.toml`) whole or not at all: a temporary file
/// beside it, renamed into place; mode 0666 before the umask, as `fs::write` would
/// (tempfile's default is 0600).
pub(crate) fn write_whole(target: &Path, text: &str) -> std::io::Result<()> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .permissions(crate::platform::permissions(0o666))
        .tempfile_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    tmp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

/// What runs killed outright (SIGKILL, the OOM killer, a power cut) left in the repository of
/// `ctx`, dealt with before any command does its own work, and said on stderr: their job groups
/// killed, the unstaged edits they saved put back (or where they are), their temporary
/// directories removed. Every entry point calls it (`main`), not only `run`: a leftover is
/// never silently ignored, whichever command the user types next. Outside a repository it does
/// nothing.
pub fn sweep_leftovers(ctx: &Ctx) {
    let Ok(git) = crate::jobs::Git::discover(&ctx.cwd) else {
        return;
    };
    let left = crate::jobs::sweep_leftovers(&git);
    if left.killed > 0 && !ctx.quiet {
        errln!(
            "hookctl: killed {} job process group(s) left running by a hookctl that was killed",
            left.killed
        );
    }
    recovered(&left.recovery);
}

/// What [`crate::jobs::restore::recover`] did for runs killed outright, on stderr (always, even
/// with `--quiet`: it is about the user's own edits).
fn recovered(r: &crate::jobs::restore::Recovery) {
    for done in &r.restored {
        let kept = match &done.replaced {
            Some(p) => format!("; the version it replaced is kept at {}", shown(p)),
            None => String::new(),
        };
        errln!(
            "hookctl: put back your unstaged edits of `{}`, saved before the jobs of a hookctl run that was killed{kept}",
            shown(&done.path)
        );
    }
    for (path, why, at) in &r.failed {
        errln!(
            "hookctl: error: cannot put back your unstaged edits of `{}` ({}), saved before the jobs of a hookctl run that was killed: they are at {}",
            shown(path),
            escape(why),
            shown(at)
        );
    }
}

/// A path as printed: control characters escaped.
fn shown(p: &Path) -> String {
    escape(&p.to_string_lossy()).into_owned()
}
