//! Whether a hook or a job runs: its `skip` / `only` conditions against the repository's state.
//!
//! The state comes from git's own files and the hook's arguments, never from variables a user
//! may have exported: `MERGE_HEAD`, `rebase-merge/` and `rebase-apply/` (not `git am`'s),
//! `CHERRY_PICK_HEAD`, `REVERT_HEAD` in the git dir of this work tree; the hooks that only run
//! in one state (`post-merge`, `pre-rebase`, `post-rewrite rebase|amend`). An amend is named by
//! git to `prepare-commit-msg` (`commit HEAD`) and `post-rewrite` (`amend`), and written in the
//! reflog before `post-commit`; `pre-commit` and `commit-msg` get no argument that says so, so
//! there it is read from the command line of the `git` process running the hook (what
//! overcommit does). `ci` is the `CI` variable, the one thing only the environment knows.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::path::Path;
use std::time::Duration;

use crate::config::condition::{Condition, Conditions, ref_glob};

use super::Git;
use super::exec::{self, Spec, Status};

/// A `run` condition that runs longer than this counts as not holding (and says so).
pub const RUN_TIMEOUT: Duration = Duration::from_secs(30);

/// What the conditions of one hook run are evaluated against, each part read once.
pub struct State<'a> {
    git: &'a Git,
    hook: &'a str,
    args: &'a [String],
    branch: OnceCell<Option<String>>,
    amend: OnceCell<bool>,
    /// `run` conditions already run in this hook run: command -> exit 0.
    runs: RefCell<HashMap<String, bool>>,
}

/// Run, or skip for a reason (`skip: merge`, `only: ref = "main"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Run,
    Skip(String),
}

impl<'a> State<'a> {
    pub fn new(git: &'a Git, hook: &'a str, args: &'a [String]) -> State<'a> {
        State {
            git,
            hook,
            args,
            branch: OnceCell::new(),
            amend: OnceCell::new(),
            runs: RefCell::new(HashMap::new()),
        }
    }

    /// `skip` first (any condition holding skips), then `only` (none holding skips).
    pub fn decide(&self, skip: Option<&Conditions>, only: Option<&Conditions>) -> Verdict {
        if let Some(c) = skip.and_then(|s| s.0.iter().find(|c| self.holds(c))) {
            return Verdict::Skip(format!("skip: {}", c.describe()));
        }
        if let Some(only) = only
            && !only.0.iter().any(|c| self.holds(c))
        {
            let all: Vec<String> = only.0.iter().map(Condition::describe).collect();
            return Verdict::Skip(format!("only: {}", all.join(", ")));
        }
        Verdict::Run
    }

    pub fn holds(&self, c: &Condition) -> bool {
        let dir = &self.git.git_dir;
        match c {
            Condition::Always(b) => *b,
            Condition::Merge => {
                matches!(self.hook, "post-merge" | "pre-merge-commit") || dir.join("MERGE_HEAD").is_file()
            }
            Condition::Rebase => self.rebasing(),
            Condition::CherryPick => dir.join("CHERRY_PICK_HEAD").is_file(),
            Condition::Revert => dir.join("REVERT_HEAD").is_file(),
            Condition::Amend => *self.amend.get_or_init(|| self.amending()),
            Condition::Ci => {
                crate::install::ci_by(crate::env_vars::get(crate::env_vars::CI).as_deref()).is_some()
            }
            Condition::Ref(globs) => self.branch().is_some_and(|b| {
                globs
                    .iter()
                    .filter_map(|g| ref_glob(g).ok())
                    .any(|g| g.is_match(b))
            }),
            Condition::Run(cmd) => {
                if let Some(done) = self.runs.borrow().get(cmd) {
                    return *done;
                }
                let ok = self.run(cmd);
                self.runs.borrow_mut().insert(cmd.clone(), ok);
                ok
            }
        }
    }

    fn rebasing(&self) -> bool {
        let dir = &self.git.git_dir;
        self.hook == "pre-rebase"
            || (self.hook == "post-rewrite" && self.args.first().is_some_and(|a| a == "rebase"))
            || dir.join("rebase-merge").is_dir()
            // `git am` keeps its state in `rebase-apply/` too, with `applying` in it.
            || (dir.join("rebase-apply").is_dir() && !dir.join("rebase-apply/applying").exists())
    }

    /// The current branch; during a rebase (detached HEAD), the branch being rebased.
    fn branch(&self) -> Option<&str> {
        self.branch
            .get_or_init(|| {
                let out = self
                    .git
                    .run(&["symbolic-ref", "-q", "--short", "HEAD"], None)
                    .ok();
                let name = out.map(|o| String::from_utf8_lossy(&o).trim().to_string());
                name.filter(|n| !n.is_empty()).or_else(|| {
                    ["rebase-merge/head-name", "rebase-apply/head-name"]
                        .iter()
                        .find_map(|f| std::fs::read_to_string(self.git.git_dir.join(f)).ok())
                        .map(|s| s.trim().trim_start_matches("refs/heads/").to_string())
                        .filter(|s| !s.is_empty() && s != "detached HEAD")
                })
            })
            .as_deref()
    }

    fn amending(&self) -> bool {
        match self.hook {
            "post-rewrite" => self.args.first().is_some_and(|a| a == "amend"),
            // git passes `<file> commit HEAD` for `--amend` (`-c`/`-C` pass the commit named).
            "prepare-commit-msg" => {
                self.args.get(1).is_some_and(|a| a == "commit")
                    && self.args.get(2).is_some_and(|a| a == "HEAD")
            }
            // The commit is made: its reflog entry says `commit (amend): ...`.
            "post-commit" => self
                .git
                .run(&["log", "-g", "-1", "--format=%gs", "HEAD"], None)
                .is_ok_and(|o| o.starts_with(b"commit (amend)")),
            _ => git_command_line().is_some_and(|argv| amend_in(&argv)),
        }
    }

    /// Run a `run` condition in the repository root; exit 0 holds. A command that cannot start
    /// or runs past [`RUN_TIMEOUT`] does not hold, with a line saying why.
    fn run(&self, cmd: &str) -> bool {
        let spec = Spec {
            name: format!("condition `{cmd}`"),
            dir: self.git.root.clone(),
            commands: vec![cmd.into()],
            env: vec![super::env_pair("HOOKCTL_HOOK", self.hook)],
            timeout: Some(RUN_TIMEOUT),
            state: Some(super::state_dir(self.git)),
            interactive: false,
        };
        let (done, _) = exec::run_all(std::slice::from_ref(&spec), 1, false, &mut |_, _| {});
        match done.first().map(|d| &d.status) {
            Some(Status::Passed) => true,
            Some(Status::TimedOut(t)) => {
                errln!(
                    "hookctl: warning: condition `run = \"{}\"` timed out after {}s: it counts as not holding",
                    crate::report::escape::escape(cmd),
                    t.as_secs()
                );
                false
            }
            Some(Status::SpawnError(e)) => {
                errln!(
                    "hookctl: warning: condition `run = \"{}\"` could not start ({}): it counts as not holding",
                    crate::report::escape::escape(cmd),
                    crate::report::escape::escape(e)
                );
                false
            }
            _ => false,
        }
    }
}

/// The arguments of the nearest `git` process above hookctl (the one running the hook, with
/// the hook's shell in between or not), up to a few generations.
fn git_command_line() -> Option<Vec<String>> {
    let mut pid = crate::platform::parent_id().unsigned_abs();
    for _ in 0..4 {
        if pid <= 1 {
            return None;
        }
        let (argv, parent) = process(pid)?;
        let is_git = argv
            .first()
            .is_some_and(|a| Path::new(a).file_name().is_some_and(|n| n == "git"));
        if is_git {
            return Some(argv);
        }
        pid = parent;
    }
    None
}

/// A process's arguments and parent: from `/proc` where there is one, else from `ps`.
fn process(pid: u32) -> Option<(Vec<String>, u32)> {
    let proc_dir = Path::new("/proc").join(pid.to_string());
    if let (Ok(cmdline), Ok(stat)) = (
        std::fs::read(proc_dir.join("cmdline")),
        std::fs::read_to_string(proc_dir.join("stat")),
    ) {
        let argv = cmdline
            .split(|&b| b == 0)
            .filter(|a| !a.is_empty())
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect();
        // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
        let parent = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
        return Some((argv, parent));
    }
    let ps = |field: &str| {
        std::process::Command::new("ps")
            .args(["-o", field, "-p", &pid.to_string()])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let parent = ps("ppid=")?.parse().ok()?;
    let argv = ps("args=")?.split_whitespace().map(String::from).collect();
    Some((argv, parent))
}

/// Whether a `git ... commit ...` command line amends: `--amend` or a prefix git accepts for it
/// (`--am`), the last of `--amend`/`--no-amend` winning, options only (not after `--`).
pub fn amend_in(argv: &[String]) -> bool {
    let mut amend = false;
    for a in argv.iter().skip(1).take_while(|a| *a != "--") {
        if a.len() >= 4 && "--amend".starts_with(a.as_str()) {
            amend = true;
        } else if a.len() >= 7 && "--no-amend".starts_with(a.as_str()) {
            amend = false;
        }
    }
    amend
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amend_flags_on_the_command_line() {
        let argv = |s: &str| s.split(' ').map(String::from).collect::<Vec<_>>();
        for (line, want) in [
            ("git commit --amend", true),
            ("git commit -q --amend --no-edit", true),
            ("git commit --am -m x", true),
            ("git -c a=b commit --amend --no-amend", false),
            ("git commit -m --amend-is-text", false),
            ("git commit -- --amend", false),
            ("git commit -a", false),
        ] {
            assert_eq!(amend_in(&argv(line)), want, "{line}");
        }
    }
}
