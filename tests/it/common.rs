//! Test repo builder: a temporary git repository driven by the real `git` and `hookctl`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const BIN: &str = env!("CARGO_BIN_EXE_hookctl");

/// Variables git sets for hooks; a test suite run from inside a hook inherits them.
const GIT_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_EDITOR",
    "HOOKCTL",
    "HOOKCTL_SKIP",
    "NO_COLOR",
    // CI=true (as in .ci/run) makes `hookctl install` a no-op.
    "CI",
    "CLICOLOR",
    "CLICOLOR_FORCE",
    "HOOKCTL_TIMINGS",
];

/// A git command with a clean, deterministic environment.
pub fn git_cmd(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir);
    for v in GIT_VARS {
        c.env_remove(v);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null());
    c
}

/// The result of running a command: exit code and captured text.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// A finished process's exit code and text.
    pub fn from_output(out: Output) -> Run {
        Run::from(out)
    }

    fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// stdout and stderr together, for assertions about what the user sees.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn ok(&self) -> &Run {
        assert_eq!(self.code, 0, "expected success\n{}", self.all());
        self
    }

    #[track_caller]
    pub fn code(&self, code: i32) -> &Run {
        assert_eq!(self.code, code, "expected exit {code}\n{}", self.all());
        self
    }

    #[track_caller]
    pub fn contains(&self, needle: &str) -> &Run {
        assert!(
            self.all().contains(needle),
            "expected output to contain {needle:?}\n{}",
            self.all()
        );
        self
    }

    #[track_caller]
    pub fn lacks(&self, needle: &str) -> &Run {
        assert!(
            !self.all().contains(needle),
            "expected output not to contain {needle:?}\n{}",
            self.all()
        );
        self
    }

    /// The whole result as users see it, as [`cmd_snapshot!`] pins it: whether it succeeded, its
    /// exit code, stdout and stderr.
    pub fn shown(&self) -> String {
        format!(
            "success: {}\nexit_code: {}\n----- stdout -----\n{}\n----- stderr -----\n{}",
            self.code == 0,
            self.code,
            self.stdout,
            self.stderr
        )
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.all()))
    }
}

/// A temporary git repository.
pub struct Repo {
    /// The temporary folder holding it (None: a repository inside another test repo's folder,
    /// which owns that folder).
    _tmp: Option<tempfile::TempDir>,
    pub root: PathBuf,
}

impl Repo {
    /// `git init` in a fresh temporary directory, with branch `main`.
    pub fn new() -> Repo {
        let tmp = tempfile::Builder::new().prefix("hookctl-it-").tempdir().unwrap();
        let root = tmp.path().join("repo");
        std::fs::create_dir(&root).unwrap();
        let r = Repo {
            _tmp: Some(tmp),
            root,
        };
        r.git(&["init", "-q", "-b", "main"]).ok();
        r
    }

    /// The repository already at `root` (a clone beside another test repo, in its folder).
    pub fn at(root: PathBuf) -> Repo {
        Repo { _tmp: None, root }
    }

    /// A fresh repo holding a copy of `fixtures/<name>` (not yet added).
    pub fn fixture(name: &str) -> Repo {
        let r = Repo::new();
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
        copy_dir(&src, &r.root);
        r
    }

    /// A directory beside the repo, inside the same temporary directory.
    pub fn sibling(&self, name: &str) -> PathBuf {
        self.root.parent().unwrap().join(name)
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Write a file (creating folders).
    pub fn write(&self, rel: &str, text: impl AsRef<[u8]>) -> &Repo {
        let p = self.root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
        self
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.root.join(rel)).unwrap()
    }

    pub fn remove(&self, rel: &str) -> &Repo {
        std::fs::remove_file(self.root.join(rel)).unwrap();
        self
    }

    pub fn git(&self, args: &[&str]) -> Run {
        Run::from(git_cmd(&self.root).args(args).output().unwrap())
    }

    /// `git add` these paths (or `-A` for everything).
    pub fn add(&self, paths: &[&str]) -> &Repo {
        let mut args = vec!["add", "--"];
        args.extend_from_slice(paths);
        self.git(&args).ok();
        self
    }

    /// `git add -A && git commit --no-verify -m msg`.
    pub fn commit_all(&self, msg: &str) -> &Repo {
        self.git(&["add", "-A"]).ok();
        self.git(&["commit", "-q", "--no-verify", "-m", msg]).ok();
        self
    }

    /// Run `hookctl` with these arguments in the repo.
    pub fn hookctl(&self, args: &[&str]) -> Run {
        self.hookctl_in(&self.root, args, None)
    }

    /// Run `hookctl` in `dir` with `stdin` (if any).
    pub fn hookctl_in(&self, dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
        let mut c = Command::new(BIN);
        c.current_dir(dir).args(args);
        for v in GIT_VARS {
            c.env_remove(v);
        }
        c.env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        run_with_stdin(c, stdin)
    }

    /// The PATH for `git commit`/`git push` so that hook shims find this build of hookctl.
    pub fn path_with_bin() -> String {
        let dir = Path::new(BIN).parent().unwrap();
        format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default())
    }

    /// A real `git commit` (hooks run), with hookctl's build on PATH.
    pub fn commit(&self, args: &[&str]) -> Run {
        let mut c = git_cmd(&self.root);
        c.env("PATH", Repo::path_with_bin()).arg("commit").args(args);
        Run::from(c.output().unwrap())
    }

    /// `git init --bare` beside the repo, added as `origin`.
    pub fn bare_remote(&self) -> PathBuf {
        let bare = self.sibling("remote.git");
        Run::from(
            git_cmd(self.root.parent().unwrap())
                .args(["init", "-q", "--bare", "-b", "main", "remote.git"])
                .output()
                .unwrap(),
        )
        .ok();
        self.git(&["remote", "add", "origin", bare.to_str().unwrap()])
            .ok();
        bare
    }

    /// A real `git push` (hooks run), with hookctl's build on PATH.
    pub fn push(&self, args: &[&str]) -> Run {
        let mut c = git_cmd(&self.root);
        c.env("PATH", Repo::path_with_bin()).arg("push").args(args);
        Run::from(c.output().unwrap())
    }
}

/// A repository holding a workspace monorepo, nothing written but its root: a `package.json`
/// (`acme`, private) listing `globs` as npm/yarn/bun `workspaces`. Add packages with
/// [`Repo::package`].
pub fn workspace(globs: &[&str]) -> Repo {
    let r = Repo::new();
    let globs = serde_json::to_string(globs).unwrap();
    r.write(
        "package.json",
        format!(r#"{{"name":"acme","private":true,"workspaces":{globs}}}"#),
    );
    r
}

/// [`workspace`] in pnpm's form: the globs in `pnpm-workspace.yaml`, none in `package.json`.
pub fn pnpm_workspace(globs: &[&str]) -> Repo {
    let r = Repo::new();
    let list: String = globs.iter().map(|g| format!("  - \"{g}\"\n")).collect();
    r.write("package.json", r#"{"name":"acme","private":true}"#)
        .write("pnpm-workspace.yaml", format!("packages:\n{list}"));
    r
}

impl Repo {
    /// A workspace package: `dir/package.json` naming it `name`, and `dir/hookctl.toml` holding
    /// `config` when there is one.
    pub fn package(&self, dir: &str, name: &str, config: Option<&str>) -> &Repo {
        self.write(&format!("{dir}/package.json"), format!(r#"{{"name":"{name}"}}"#));
        if let Some(config) = config {
            self.write(&format!("{dir}/hookctl.toml"), config);
        }
        self
    }
}

pub fn run_with_stdin(mut c: Command, stdin: Option<&str>) -> Run {
    use std::io::Write;
    c.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    Run::from(child.wait_with_output().unwrap())
}

pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap_or_else(|e| panic!("{}: {e}", src.display())) {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to);
        } else {
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
}

// --- jobs helpers ---

impl Repo {
    /// A minimal hook shim in `.git/hooks/<hook>` that runs this build of hookctl.
    pub fn install_shim(&self, hook: &str) -> &Repo {
        use std::os::unix::fs::PermissionsExt;
        let dir = self.root.join(".git/hooks");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(hook);
        std::fs::write(&path, format!("#!/bin/sh\nexec \"{BIN}\" run {hook} \"$@\"\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        self
    }

    /// Run `hookctl` in the repo with extra environment variables and optional stdin.
    pub fn hookctl_env(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut c = Command::new(BIN);
        c.current_dir(&self.root).args(args);
        for v in GIT_VARS {
            c.env_remove(v);
        }
        c.env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        for (k, v) in env {
            c.env(k, v);
        }
        run_with_stdin(c, stdin)
    }
}

/// `(rule, path, what)` of every finding of `hookctl check --format json ARGS`, where `what` is
/// the specifier, else the env var name, else the resolved path. Asserts the exit code agrees.
/// Without `--all-findings` or `--baseline`, `--new` is added: the findings a hook would block on.
pub fn check_findings(repo: &Repo, args: &[&str]) -> Vec<(String, String, String)> {
    let mut a = vec!["check", "--format", "json"];
    if !args
        .iter()
        .any(|a| matches!(*a, "--all-findings" | "--baseline" | "--new"))
    {
        a.push("--new");
    }
    a.extend_from_slice(args);
    let run = repo.hookctl(&a);
    assert!(
        run.code == 0 || run.code == 1,
        "unexpected exit {}\n{}",
        run.code,
        run.all()
    );
    let json = run.json();
    let list = json["findings"].as_array().unwrap().clone();
    assert_eq!(
        run.code == 1,
        list.iter().any(|f| f["severity"] == "error"),
        "exit code vs findings\n{}",
        run.all()
    );
    list.iter()
        .map(|f| {
            let what = f.get("specifier").or(f.get("name")).or(f.get("resolved"));
            let what = what.and_then(|v| v.as_str()).unwrap_or("").to_string();
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                what,
            )
        })
        .collect()
}

/// One expected finding for [`check_findings`].
pub fn finding(rule: &str, path: &str, what: &str) -> (String, String, String) {
    (rule.to_string(), path.to_string(), what.to_string())
}

/// `text` with this platform's npm package name (`@hookctl/cli-linux-x64-gnu`) as
/// `@hookctl/[PLATFORM]`, so that snapshots hold on every platform.
pub fn platform_neutral(text: &str) -> String {
    match hookctl::install::npm_platform_package() {
        Some((name, _)) => text.replace(name, "@hookctl/[PLATFORM]"),
        None => text.to_string(),
    }
}

/// `text` with the paths of this run made stable for a snapshot: the hookctl binary as
/// `[BIN]`, the repository's temporary folder (which holds the repo and its siblings) as
/// `[TMP]`, and the platform package's name (see [`platform_neutral`]).
pub fn scrub(repo: &Repo, text: &str) -> String {
    let tmp = repo.root.parent().unwrap();
    let mut out = text.replace(BIN, "[BIN]");
    for t in [tmp.canonicalize().unwrap(), tmp.to_path_buf()] {
        out = out.replace(&t.display().to_string(), "[TMP]");
    }
    platform_neutral(&out)
}

/// Snapshot `text` under `name` with the repo's temporary path replaced by `[REPO]` and
/// timings by `[TIME]`, so that snapshots are stable across runs and machines.
#[macro_export]
macro_rules! snapshot {
    ($repo:expr, $name:expr, $text:expr) => {{
        let root = $repo.root.display().to_string();
        let canonical = $repo.root.canonicalize().unwrap().display().to_string();
        // The folder holding the repo and its siblings (remotes, clones, logs).
        let tmp = $repo.root.parent().unwrap().display().to_string();
        let tmp_canonical = $repo.root.parent().unwrap().canonicalize().unwrap().display().to_string();
        // This platform's npm package name (a pattern that never matches where there is none).
        let platform = hookctl::install::npm_platform_package()
            .map_or_else(|| String::from(r"[^\s\S]"), |(name, _)| regex::escape(name));
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            filters => vec![
                (regex::escape($crate::common::BIN).leak() as &str, "[BIN]"),
                (regex::escape(env!("CARGO_MANIFEST_DIR")).leak() as &str, "[CRATE]"),
                (regex::escape(&canonical).leak() as &str, "[REPO]"),
                (regex::escape(&root).leak() as &str, "[REPO]"),
                (regex::escape(&tmp_canonical).leak() as &str, "[TEMP]"),
                (regex::escape(&tmp).leak() as &str, "[TEMP]"),
                (platform.leak() as &str, "@hookctl/[PLATFORM]"),
                (r"/tmp/\.tmp[A-Za-z0-9]+", "[TEMP]"),
                (r"/tmp/hookctl-it-[A-Za-z0-9]+", "[TEMP]"),
                (r"in \d+ ms", "in [TIME] ms"),
                (r#""elapsed_ms": \d+"#, r#""elapsed_ms": "[TIME]""#),
                (r"\(\d+\.\d+s\)", "([TIME]s)"),
                (r"\b\d+\.\d\ds\b", "[T]s"),
                (r#""version": "\d+\.\d+\.\d+""#, r#""version": "[VERSION]""#),
                // Commit ids differ from run to run (commit dates are not fixed).
                (r"\b[0-9a-f]{40}\b", "[OID]"),
                (r"\b[0-9a-f]{7,12}\.\.[0-9a-f]{7,12}\b", "[OID]..[OID]"),
                (r"(refs/\S+) \([0-9a-f]{7,12}\)", "$1 ([OID])"),
                // Where `sh` is differs between systems (/bin/sh, /usr/bin/sh).
                (r"`sh` found at /(usr/)?bin/sh\b", "`sh` found at [SH]"),
            ],
        }, {
            insta::assert_snapshot!($name, $text);
        });
    }};
}

/// A command's whole result as users see it (prek's `cmd_snapshot!`): whether it succeeded, its
/// exit code, stdout and stderr, with the filters of [`snapshot!`]. One snapshot pins every
/// word, where `contains` pins a few.
#[macro_export]
macro_rules! cmd_snapshot {
    ($repo:expr, $name:expr, $run:expr) => {{
        let run: &$crate::common::Run = &$run;
        snapshot!($repo, $name, run.shown());
    }};
}

/// Several steps of a test as one text for one snapshot: each `$ label` followed by its run as
/// [`cmd_snapshot!`] shows it, so that a scenario is pinned whole, step by step.
pub fn transcript<L: AsRef<str>, R: std::borrow::Borrow<Run>>(
    steps: impl IntoIterator<Item = (L, R)>,
) -> String {
    steps
        .into_iter()
        .map(|(label, run)| format!("$ {}\n{}", label.as_ref(), run.borrow().shown()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A prerequisite a developer's machine may lack (a tool from npm, a file beside the clone):
/// `found`, or, when it is missing, a note on stderr saying why the test checked nothing and how
/// to make it run. Where `require` is set (`.ci/run` exports `HOOKCTL_REQUIRE_*` for what it
/// installs) or `CI` is, a missing prerequisite fails the test instead: CI never skips.
#[track_caller]
pub fn prerequisite<T>(found: Option<T>, require: &str, why: &str) -> Option<T> {
    if found.is_none() {
        for var in [require, "CI"] {
            assert!(
                std::env::var_os(var).is_none(),
                "{var} is set, so this test may not skip: {why}"
            );
        }
        eprintln!("skipped: {why} (with {require}=1 this is a failure)");
    }
    found
}

/// `text` with each run of consecutive job results (a `✔`/`✘`/`ok`/`FAIL` line and the indented
/// lines under it) sorted: jobs that run at the same time finish, and are shown, in any order.
pub fn jobs_sorted(text: &str) -> String {
    let is_job = |l: &str| ["✔ ", "✘ ", "ok ", "FAIL "].iter().any(|p| l.starts_with(p));
    let mut out = String::new();
    let mut blocks: Vec<String> = Vec::new();
    // Sorted by the block without its first line's duration (`✔ lint (0.02s)`): two jobs of one
    // name (the root's and a package's) must not be ordered by which finished faster.
    let untimed = |b: &String| {
        let (first, rest) = b.split_once('\n').unwrap_or((b, ""));
        let name = match first.rfind(" (") {
            Some(i) if first.ends_with("s)") => &first[..i],
            _ => first,
        };
        format!("{name}\n{rest}")
    };
    let flush = |blocks: &mut Vec<String>, out: &mut String| {
        blocks.sort_by_cached_key(untimed);
        out.push_str(&blocks.concat());
        blocks.clear();
    };
    for line in text.split_inclusive('\n') {
        if is_job(line) {
            blocks.push(line.to_string());
        } else if let (true, Some(last)) = (line.starts_with("  "), blocks.last_mut()) {
            last.push_str(line);
        } else {
            flush(&mut blocks, &mut out);
            out.push_str(line);
        }
    }
    flush(&mut blocks, &mut out);
    out
}

/// A `hookctl.toml` with one `pre-commit` job named `name` and no built-in checks; `rest` holds
/// the job's keys (and any tables after it).
pub fn pre_commit_job(name: &str, rest: &str) -> String {
    format!("[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"{name}\"\n{rest}")
}

/// A path as the `&str` a config or shell line needs.
pub fn s(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Wait for an event (a marker file a job writes); `secs` only bounds a broken run.
pub fn wait_for(mut cond: impl FnMut() -> bool, secs: u64) -> bool {
    let until = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while std::time::Instant::now() < until {
        if cond() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    cond()
}

/// The lines of a file a job appends to (none when it does not exist).
pub fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(String::from)
        .collect()
}

/// A private TMPDIR beside the repository, where staged views and checkouts go.
pub fn tmpdir(r: &Repo) -> PathBuf {
    let t = r.sibling("tmp");
    std::fs::create_dir_all(&t).unwrap();
    t
}

/// What hookctl left in [`tmpdir`].
pub fn leftovers(r: &Repo) -> Vec<PathBuf> {
    std::fs::read_dir(tmpdir(r))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect()
}

/// `hookctl ARGS` in the repo with the private [`tmpdir`], the C locale and no inherited git or
/// hookctl state (not even a nesting marker or a progress interval).
pub fn isolated_hookctl(r: &Repo, args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(&r.root)
        .args(args)
        .env("TMPDIR", tmpdir(r))
        .env("LC_ALL", "C")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null());
    for v in GIT_VARS
        .iter()
        .chain(&["HOOKCTL_RUNNING", "HOOKCTL_PROGRESS_SECS"])
    {
        c.env_remove(v);
    }
    c
}

/// [`isolated_hookctl`] run to the end.
pub fn isolated_run(r: &Repo, args: &[&str]) -> Run {
    run_with_stdin(isolated_hookctl(r, args), None)
}

/// A live (not zombie) process.
pub fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{}/stat", pid.trim()))
        .ok()
        .and_then(|st| st.rsplit(')').next().map(|rest| rest.trim_start().to_string()))
        .is_some_and(|rest| !rest.starts_with('Z') && !rest.starts_with('X'))
}

/// Run `hookctl ARGS` in the repo under a pseudo-terminal (`script`), with `input` typed in.
pub fn in_terminal(r: &Repo, args: &str, env: &[(&str, &str)], input: &str) -> String {
    let mut c = Command::new("script");
    c.current_dir(&r.root)
        .args(["-qfec", &format!("{BIN} {args}"), "/dev/null"])
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .env_remove("HOOKCTL");
    for (k, v) in env {
        c.env(k, v);
    }
    run_with_stdin(c, Some(input)).stdout
}

pub fn has_script() -> bool {
    Command::new("script")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}
