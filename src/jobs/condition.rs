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

use crate::config::condition::{Condition, Conditions};

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
            Condition::MergeCommit => self.merge_commit(),
            Condition::Rebase => self.rebasing(),
            Condition::CherryPick => dir.join("CHERRY_PICK_HEAD").is_file(),
            Condition::Revert => dir.join("REVERT_HEAD").is_file(),
            Condition::Amend => *self.amend.get_or_init(|| self.amending()),
            Condition::Ci => {
                crate::install::ci_by(crate::env_vars::get(crate::env_vars::CI).as_deref()).is_some()
            }
            Condition::Ref(globs) => self.branch().is_some_and(|b| globs.is_match(b)),
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

    /// Whether the commit this hook runs for is a merge (see `Condition::MergeCommit`).
    fn merge_commit(&self) -> bool {
        match self.hook {
            "pre-merge-commit" => true,
            // `git merge` (conflicting or `--no-commit`, then `git commit`) leaves `MERGE_HEAD`
            // until the commit is made; git also names the source `merge` to
            // `prepare-commit-msg`.
            "pre-commit" | "commit-msg" => self.git.git_dir.join("MERGE_HEAD").is_file(),
            "prepare-commit-msg" => {
                self.args.get(1).is_some_and(|a| a == "merge")
                    || self.git.git_dir.join("MERGE_HEAD").is_file()
            }
            // The commit is made: a merge has a second parent (a fast-forward has none).
            "post-commit" | "post-merge" => self
                .git
                .run(&["rev-parse", "-q", "--verify", "HEAD^2"], None)
                .is_ok_and(|o| !o.trim_ascii().is_empty()),
            _ => false,
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
    let mut pid = u32::try_from(crate::platform::parent_id()).unwrap_or(0);
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

/// A process's arguments and parent: from the process table (`/proc`, or the folder
/// `HOOKCTL_PROC_ROOT` names) where it has the process, else from `ps`.
fn process(pid: u32) -> Option<(Vec<String>, u32)> {
    let root = crate::env_vars::get_os(crate::env_vars::HOOKCTL_PROC_ROOT)
        .map_or_else(|| std::path::PathBuf::from("/proc"), std::path::PathBuf::from);
    from_proc(&root, pid).or_else(|| from_ps(pid))
}

/// `<root>/<pid>/cmdline` and `stat`, as Linux writes them.
fn from_proc(root: &Path, pid: u32) -> Option<(Vec<String>, u32)> {
    let proc_dir = root.join(pid.to_string());
    let cmdline = std::fs::read(proc_dir.join("cmdline")).ok()?;
    let stat = std::fs::read_to_string(proc_dir.join("stat")).ok()?;
    let argv = cmdline
        .split(|&b| b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses.
    let parent = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?.parse().ok()?;
    Some((argv, parent))
}

/// `ps -o ppid= -o args= -p <pid>` (POSIX `ps`: macOS, the BSDs, Linux without `/proc`).
fn from_ps(pid: u32) -> Option<(Vec<String>, u32)> {
    let out = std::process::Command::new("ps")
        .args(["-o", "ppid=", "-o", "args=", "-p", &pid.to_string()])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    parse_ps(&String::from_utf8_lossy(&out.stdout))
}

/// One line of `ps -o ppid= -o args=`: the parent, then the command line (split on blanks: `ps`
/// does not quote arguments, and `--amend` holds none).
fn parse_ps(line: &str) -> Option<(Vec<String>, u32)> {
    let mut words = line.lines().find(|l| !l.trim().is_empty())?.split_whitespace();
    let parent = words.next()?.parse().ok()?;
    let argv: Vec<String> = words.map(String::from).collect();
    (!argv.is_empty()).then_some((argv, parent))
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
    fn ps_lines() {
        assert_eq!(
            parse_ps("  4242 git commit --amend --no-edit\n"),
            Some((
                vec![
                    "git".into(),
                    "commit".into(),
                    "--amend".into(),
                    "--no-edit".into()
                ],
                4242
            ))
        );
        assert_eq!(parse_ps(""), None, "no such process: ps prints nothing");
        assert_eq!(parse_ps("  PPID COMMAND\n"), None, "a header is not a process");
        assert_eq!(parse_ps("  17\n"), None, "a process without arguments");
    }

    #[test]
    fn the_process_table_is_read_where_hookctl_proc_root_says() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("7")).unwrap();
        std::fs::write(dir.path().join("7/cmdline"), b"git\0commit\0--amend\0").unwrap();
        std::fs::write(dir.path().join("7/stat"), "7 (git (x) y) S 3 7 7 0").unwrap();
        assert_eq!(
            from_proc(dir.path(), 7),
            Some((vec!["git".into(), "commit".into(), "--amend".into()], 3))
        );
        assert_eq!(from_proc(dir.path(), 8), None);
        // This process, through `ps`: its parent is the one the OS names.
        let me = std::process::id();
        let (argv, parent) = from_ps(me).expect("ps knows this process");
        assert_eq!(parent, u32::try_from(crate::platform::parent_id()).unwrap());
        assert!(!argv.is_empty());
    }

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
