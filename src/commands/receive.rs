//! `pre-receive` on the server (`hookctl install --server`): the built-in checks of every
//! pushed ref, so a push whose commits skipped the client hooks (`--no-verify`, no `npm
//! install`) is checked all the same.
//!
//! - git writes `<old> <new> <ref>` per pushed ref on stdin. A deletion, a ref whose tip is not
//!   a commit (a tag of a tree), and a tip the server already had as its baseline pass.
//! - Each tip is checked as pre-push checks it: its tree against a baseline, and only findings
//!   the baseline lacks block: the ref's old value, else (a new ref) the merge base with the
//!   repository's HEAD (its default branch), else nothing (the first push: everything counts).
//! - With the `hookctl.toml` **of the pushed commit** (its `[rules]`, `[env]`, ...; `[pre-receive]
//!   checks` chooses the groups, default all), its `extends` files and the `[rules]` of nested
//!   package configs, as [`Config::from_commit`] reads them; `extends` npm packages are not
//!   installed here: skipped, and the pusher is told. Never jobs: pushed code is never run here.
//! - Objects are read where git keeps them until the hook accepts them: the quarantine
//!   directory (`GIT_QUARANTINE_PATH`, `GIT_OBJECT_DIRECTORY`, `GIT_ALTERNATE_OBJECT_DIRECTORIES`;
//!   `crate::git` honours them for every handle and `git` process).
//! - Everything is written to stderr, which the pusher's git shows as `remote:` lines.
//! - A hard time bound: `[server] timeout` (default 10 s). A push not checked by then is accepted
//!   and the pusher is told so, or refused with `[server] on_timeout = "refuse"`. `[server]` is
//!   read from the repository's own `hookctl.toml` (beside its objects), else from the
//!   committed `hookctl.toml` of its HEAD: never from the push being checked.

use std::fmt::Write as _;
use std::io::Read;
use std::sync::mpsc;

use anyhow::Context;
use git2::{ObjectType, Oid, Repository};

use crate::checks::{self, Baseline, Request, Target};
use crate::config::{Config, ServerConfig};
use crate::diagnostic::Severity;
use crate::report::{self, Summary};
use crate::{Ctx, Exit};

/// The hook this module runs.
pub const HOOK: &str = "pre-receive";

/// One `<old> <new> <ref>` line of git's `pre-receive` input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    pub old: String,
    pub new: String,
    pub name: String,
}

/// Parse git's `pre-receive` stdin; blank lines are ignored, a malformed line is an error.
pub fn parse(input: &str) -> Result<Vec<Update>, String> {
    let hex = |s: &str| s.len() >= 40 && s.bytes().all(|b| b.is_ascii_hexdigit());
    input
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| match line.split_whitespace().collect::<Vec<_>>()[..] {
            [old, new, name] if hex(old) && hex(new) => Ok(Update {
                old: old.to_lowercase(),
                new: new.to_lowercase(),
                name: name.to_string(),
            }),
            _ => Err(format!(
                "unexpected pre-receive input line `{}` (want `<old oid> <new oid> <ref>`)",
                crate::report::escape::escape(line)
            )),
        })
        .collect()
}

fn is_zero(oid: &str) -> bool {
    oid.bytes().all(|b| b == b'0')
}

/// What `tip` of a pushed ref is compared with: `old` when it is a commit the repository has,
/// else the merge base of `tip` with HEAD (a new branch or tag: only what it adds to the
/// default branch is new), else none (the first push).
pub fn baseline(repo: &Repository, old: Option<Oid>, tip: Oid) -> Option<Oid> {
    if let Some(old) = old.filter(|o| !o.is_zero())
        && let Ok(commit) = repo.find_object(old, None).and_then(|o| o.peel_to_commit())
    {
        return Some(commit.id());
    }
    let head = repo.head().ok()?.peel_to_commit().ok()?.id();
    repo.merge_base(tip, head).ok()
}

/// `hookctl run pre-receive`: check the push on stdin within the time bound.
pub fn run(ctx: &Ctx) -> anyhow::Result<Exit> {
    let mut raw = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut raw)
        .context("cannot read pre-receive input")?;
    let updates = parse(&String::from_utf8_lossy(&raw)).map_err(anyhow::Error::msg)?;
    let (repo, paths) = crate::git::discover()?;
    let server = server_config(&repo, &paths.git_dir)?;
    drop(repo);
    let bound = server.timeout();
    let quiet = ctx.quiet;
    let (tx, rx) = mpsc::channel();
    // The checks run on their own thread so that the bound holds whatever they do; past it,
    // the process exits and takes the thread with it (nothing it writes is left half-done:
    // cache files are replaced atomically).
    std::thread::spawn(move || {
        let _ = tx.send(check_push(&updates, quiet));
    });
    match rx.recv_timeout(bound) {
        Ok(result) => {
            let checked = result?;
            crate::output::write_err(format_args!("{}", checked.text));
            Ok(if checked.blocking {
                Exit::Failure
            } else {
                Exit::Success
            })
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            anyhow::bail!("the checks of the push stopped unexpectedly")
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let waited = humantime::format_duration(bound).to_string();
            if server.refuse_on_timeout() {
                errln!(
                    "hookctl: push refused: the checks did not finish within [server] timeout ({waited}), and [server] on_timeout = \"refuse\"; push fewer changes at once, or ask the server's admin to raise the timeout"
                );
                Ok(Exit::Failure)
            } else {
                errln!(
                    "hookctl: push accepted WITHOUT checks: they did not finish within [server] timeout ({waited}); run `hookctl check --rev <pushed commit> --baseline <previous commit>` to check it by hand"
                );
                Ok(Exit::Success)
            }
        }
    }
}

/// `[server]`: the repository's own `hookctl.toml` (an admin's, never pushed), else the
/// committed one of HEAD; a HEAD config that does not load gives the defaults (it was accepted
/// before; the push carrying it says what is wrong with it).
fn server_config(repo: &Repository, git_dir: &std::path::Path) -> anyhow::Result<ServerConfig> {
    let own = git_dir.join(crate::config::FILE_NAME);
    if own.is_file() {
        let text = std::fs::read_to_string(&own).with_context(|| format!("cannot read {}", own.display()))?;
        let config = crate::config::parse(&own, &text).map_err(|e| anyhow::anyhow!(e.chain()))?;
        return Ok(config.server);
    }
    let head = repo.head().ok().and_then(|h| h.peel_to_commit().ok());
    Ok(head
        .and_then(|c| Config::from_commit(repo, c.id()).ok())
        .map(|c| c.server)
        .unwrap_or_default())
}

/// What the checks of a push print, and whether it is refused.
struct Checked {
    text: String,
    blocking: bool,
}

/// The commit an update pushes and the baseline it is checked against; `None` for a tag of
/// a tree or a blob.
fn pushed_commit(repo: &Repository, update: &Update) -> anyhow::Result<Option<(Oid, Option<Oid>)>> {
    let new = Oid::from_str(&update.new)?;
    let object = repo
        .find_object(new, None)
        .with_context(|| format!("pushed object {} is not in the repository", update.new))?;
    let Ok(tip) = object.peel(ObjectType::Commit).map(|c| c.id()) else {
        return Ok(None);
    };
    let old = (!is_zero(&update.old))
        .then(|| Oid::from_str(&update.old).ok())
        .flatten();
    Ok(Some((tip, baseline(repo, old, tip))))
}

/// One pushed commit's findings and summary line, as the client hooks print them.
fn rendered(outcome: &checks::Outcome, quiet: bool) -> anyhow::Result<String> {
    let opts = report::Options {
        format: crate::cli::Format::Human,
        color: false,
        quiet,
        unit: "changed file",
        ..Default::default()
    };
    let mut summary = Summary::new(
        outcome.changed.unwrap_or(outcome.files),
        &outcome.findings,
        outcome.elapsed,
    );
    summary.skipped_too_large = outcome.too_large.len();
    let mut out: Vec<u8> = Vec::new();
    report::print(&mut out, &opts, &outcome.findings, &summary, outcome)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn check_push(updates: &[Update], quiet: bool) -> anyhow::Result<Checked> {
    let (repo, _) = crate::git::discover()?;
    let mut text = String::new();
    let mut refused: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for update in updates.iter().filter(|u| !is_zero(&u.new)) {
        // Only commits have files to check; a tag of a tree or a blob passes.
        let Some((tip, base)) = pushed_commit(&repo, update)? else {
            continue;
        };
        // A ref moved to a commit the server already checked against itself (a tag of a
        // commit of the default branch, a branch reset backwards) adds nothing.
        if base == Some(tip) || !seen.insert((tip, base)) {
            continue;
        }
        let short = |o: Oid| o.to_string().chars().take(10).collect::<String>();
        let range = match base {
            Some(b) => format!("{}..{}", short(b), short(tip)),
            None => short(tip),
        };
        let label = format!("{} ({range})", update.name);
        let config = match Config::from_commit(&repo, tip) {
            Ok(c) => c,
            Err(e) => {
                // The client's hooks stop on this too (exit 2): the commit must fix its config.
                let _ = writeln!(text, "hookctl: {HOOK} {label}\nerror: {}", e.chain());
                refused.push(update.name.clone());
                continue;
            }
        };
        if let Some(note) = config.unread_extends_note() {
            let _ = writeln!(text, "hookctl: note: {label}: {note}");
        }
        let groups = config
            .hook(HOOK)
            .and_then(|hc| hc.checks.clone())
            .unwrap_or_default();
        let outcome = checks::run(
            &config,
            &Request {
                target: Target::Commit(tip),
                baseline: base.map_or(Baseline::None, Baseline::Commit),
                groups,
                skip: crate::skip_list(),
                paths: Vec::new(),
                folder_groups: Vec::new(),
                local: Default::default(),
            },
        )?;
        let blocking = outcome.findings.iter().any(|f| f.severity == Severity::Error);
        if outcome.findings.is_empty() && quiet {
            continue;
        }
        // Quiet when all is well: the one summary line, as the client hooks print.
        if !outcome.findings.is_empty() {
            let _ = writeln!(text, "hookctl: {HOOK} {label}");
        }
        text.push_str(&rendered(&outcome, quiet)?);
        if blocking {
            refused.push(update.name.clone());
        }
    }
    if !refused.is_empty() {
        let _ = writeln!(
            text,
            "hookctl: push refused: {} {} blocking findings (the checks of the pre-commit and pre-push hooks, run by the server); fix them and push again",
            refused.join(", "),
            if refused.len() == 1 { "has" } else { "have" },
        );
    }
    Ok(Checked {
        text,
        blocking: !refused.is_empty(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_updates_and_refuses_garbage() {
        let (a, z) = ("a".repeat(40), "0".repeat(40));
        let got = parse(&format!("{z} {a} refs/heads/new\n\n{a} {z} refs/tags/gone\n")).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].name, "refs/heads/new");
        assert!(is_zero(&got[1].new) && !is_zero(&got[0].new));
        for bad in ["garbage", "abc def refs/heads/x", &format!("{a} {a}")] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
