//! Issue 11 items 1 and 2: jobs see the staged content of partially staged files without a
//! stash, never lose the user's unstaged edits, and fixes are re-staged (`stage_fixed`) or
//! reported.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::common::*;

const STAGED: &str = "export const a = 1;\nconsole.log(a);\n";
const WORKTREE: &str = "export const a = 1;\n// console output removed, not staged yet\n";

/// Every file of the work tree (outside `.git`) with its bytes, symlinks as their targets.
fn tree_bytes(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(root.join(&dir)).unwrap().flatten() {
            let rel = dir.join(e.file_name());
            if rel == Path::new(".git") {
                continue;
            }
            let t = e.file_type().unwrap();
            if t.is_dir() {
                stack.push(rel);
            } else if t.is_symlink() {
                let target = std::fs::read_link(e.path()).unwrap();
                out.push((rel, target.into_os_string().into_encoded_bytes()));
            } else {
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// What must be byte-identical after a hook: work tree, index entries and file, stash, refs.
#[derive(Debug, PartialEq)]
struct State {
    files: Vec<(PathBuf, Vec<u8>)>,
    index: String,
    index_file: Vec<u8>,
    stash: String,
    refs: String,
}

fn state(r: &Repo) -> State {
    State {
        files: tree_bytes(&r.root),
        index: r.git(&["ls-files", "-s"]).stdout,
        index_file: std::fs::read(r.path(".git/index")).unwrap(),
        stash: r.git(&["stash", "list"]).stdout,
        refs: r.git(&["for-each-ref"]).stdout,
    }
}

/// A repo with `src/a.ts` partially staged (staged: a `console.log`; on disk: removed), a fully
/// staged `src/b.ts`, an unstaged-only edit, a `node_modules` package and a root config a tool
/// would look for. `jobs(&repo)` gives the `[[pre-commit.jobs]]` tables.
fn partial_repo(jobs: impl FnOnce(&Repo) -> String) -> Repo {
    let r = Repo::new();
    let jobs = jobs(&r);
    r.write("hookctl.toml", format!("[pre-commit]\nchecks = []\n{jobs}"))
        .write(".gitignore", "node_modules\n")
        .write("node_modules/tool/index.js", "module.exports = 1;\n")
        .write("lint.config.json", "{\"forbid\": \"console.log\"}\n")
        .write("src/a.ts", "export const a = 1;\n")
        .write("src/b.ts", "export const b = 1;\n")
        .write("src/other.ts", "export const o = 1;\n")
        .commit_all("init");
    r.write("src/a.ts", STAGED).add(&["src/a.ts"]);
    r.write("src/a.ts", WORKTREE);
    r.write("src/b.ts", "export const b = 2;\n").add(&["src/b.ts"]);
    r.write("src/other.ts", "export const o = 2; // unstaged only\n");
    r
}

fn hook_cmd(r: &Repo) -> Command {
    isolated_hookctl(r, &["run", "pre-commit"])
}

fn run_hook(r: &Repo) -> Run {
    run_with_stdin(hook_cmd(r), None)
}

/// A lint-like job: records what it sees and where, checks that it finds `node_modules` and a
/// root config, then runs `tail` (e.g. a grep for `console.log` in `{files}`).
fn lint_job(r: &Repo, tail: &str, extra: &str) -> String {
    let seen = s(&r.sibling("seen"));
    format!(
        "
[[pre-commit.jobs]]
name = \"lint\"
glob = \"*.ts\"
{extra}
run = '''cat {{files}} > {seen}; pwd > {seen}.pwd; test -f node_modules/tool/index.js && grep -q console.log lint.config.json && {tail}'''
"
    )
}

const GREP: &str = "! grep -n console.log {files}";

fn seen(r: &Repo) -> String {
    std::fs::read_to_string(r.sibling("seen")).unwrap()
}

#[test]
fn lint_job_sees_the_staged_text_of_a_partially_staged_file() {
    let r = partial_repo(|r| lint_job(r, GREP, ""));
    r.add(&["hookctl.toml"]);
    let before = state(&r);
    cmd_snapshot!(
        r,
        "staged_lint_job_sees_the_staged_text_of_a_partially_staged_file",
        run_hook(&r)
    );
    // The job saw the staged a.ts (with console.log) and the staged b.ts, not the disk.
    assert_eq!(seen(&r), format!("{STAGED}export const b = 2;\n"));
    let pwd = std::fs::read_to_string(r.sibling("seen.pwd")).unwrap();
    assert_ne!(
        Path::new(pwd.trim()),
        r.root.canonicalize().unwrap(),
        "ran in place"
    );
    assert_eq!(state(&r), before);
    assert!(leftovers(&r).is_empty(), "left behind: {:?}", leftovers(&r));
    // A real `git commit` is blocked too, and nothing moved.
    r.install_shim("pre-commit");
    r.commit(&["-q", "-m", "x"]).code(1);
    assert_eq!(r.read("src/a.ts"), WORKTREE);
    assert_eq!(r.git(&["show", ":src/a.ts"]).stdout, STAGED);
    assert_eq!(r.git(&["stash", "list"]).stdout, "");
    // Once the staged text is clean, the commit passes and records exactly the staged blobs.
    r.write("src/a.ts", "export const a = 1;\n").add(&["src/a.ts"]);
    r.write("src/a.ts", "export const a = 1;\n// more, unstaged\n");
    r.commit(&["-q", "-m", "x"]).ok();
    assert_eq!(r.git(&["show", "HEAD:src/a.ts"]).stdout, "export const a = 1;\n");
    assert_eq!(r.read("src/a.ts"), "export const a = 1;\n// more, unstaged\n");
}

#[test]
fn usual_commit_runs_in_place() {
    let r = partial_repo(|r| lint_job(r, GREP, ""));
    r.write("src/a.ts", STAGED).add(&["src/a.ts", "hookctl.toml"]);
    run_hook(&r).code(1);
    let pwd = std::fs::read_to_string(r.sibling("seen.pwd")).unwrap();
    assert_eq!(Path::new(pwd.trim()), r.root.canonicalize().unwrap());
}

#[test]
fn passing_and_timed_out_jobs_leave_everything_byte_identical() {
    for (tail, extra, code, says) in [
        ("true", "", 0, "lint"),
        ("sleep 30", "timeout = 1", 1, "timed out"),
    ] {
        let r = partial_repo(|r| lint_job(r, tail, extra));
        r.add(&["hookctl.toml"]);
        let before = state(&r);
        run_hook(&r).code(code).contains(says);
        assert_eq!(state(&r), before, "{tail}");
        assert_eq!(seen(&r), format!("{STAGED}export const b = 2;\n"));
        assert!(leftovers(&r).is_empty());
    }
}

fn spawn_and_wait_for_job(r: &Repo) -> std::process::Child {
    let mut c = hook_cmd(r);
    c.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    let child = c.spawn().unwrap();
    let started = r.sibling("seen.pwd");
    assert!(wait_for(
        || std::fs::read_to_string(&started).is_ok_and(|s| s.ends_with('\n')),
        20
    ));
    child
}

#[test]
fn sigint_and_sigkill_of_hookctl_leave_everything_byte_identical() {
    let r = partial_repo(|r| lint_job(r, "sleep 100", ""));
    r.add(&["hookctl.toml"]);
    let before = state(&r);
    // SIGINT: exit 130, the view removed, nothing changed.
    let child = spawn_and_wait_for_job(&r);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert_eq!(state(&r), before);
    assert!(leftovers(&r).is_empty(), "left behind: {:?}", leftovers(&r));
    // SIGKILL: nothing unwinds, and still nothing of the user's changed; the next run removes
    // the view and kills the job left running.
    std::fs::remove_file(r.sibling("seen.pwd")).unwrap();
    let mut child = spawn_and_wait_for_job(&r);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(state(&r), before);
    assert_eq!(leftovers(&r).len(), 1);
    let cfg = r.read("hookctl.toml").replace("sleep 100", "true");
    r.write("hookctl.toml", &cfg);
    cmd_snapshot!(
        r,
        "staged_sigint_and_sigkill_of_hookctl_leave_everything_byte_identical",
        run_hook(&r)
    );
    assert!(leftovers(&r).is_empty(), "left behind: {:?}", leftovers(&r));
    assert_eq!(r.read("src/a.ts"), WORKTREE);
    assert_eq!(r.git(&["show", ":src/a.ts"]).stdout, STAGED);
}

#[test]
fn a_job_that_rewrites_unstaged_edits_on_disk_gets_them_put_back_and_fails() {
    // The job writes the real work-tree file (not its `{files}`): the user's version returns.
    let r = partial_repo(|r| {
        format!(
            "[[pre-commit.jobs]]\nname = \"fmt-all\"\nglob = \"b.ts\"\nrun = \"printf 'clobbered' > {}\"\n",
            s(&r.path("src/a.ts"))
        )
    });
    r.add(&["hookctl.toml"]);
    let before = state(&r);
    cmd_snapshot!(
        r,
        "staged_a_job_that_rewrites_unstaged_edits_on_disk_gets_them_put_back_and_fails",
        run_hook(&r)
    );
    assert_eq!(state(&r), before);
}

/// A formatter-like fixer: drops trailing semicolons in place (`sed -i` replaces the file).
fn fixer(stage_fixed: bool) -> String {
    format!(
        "[[pre-commit.jobs]]\nname = \"fmt\"\nglob = \"*.ts\"\nrun = \"sed -i 's/;$//' {{files}}\"\nstage_fixed = {stage_fixed}\n"
    )
}

#[test]
fn stage_fixed_commits_the_fixed_blob() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        format!("[pre-commit]\nchecks = []\n{}", fixer(true)),
    )
    .write("a.ts", "export const a = 1\n")
    .write("b.ts", "export const b = 1\n")
    .commit_all("init")
    .install_shim("pre-commit");
    r.write("a.ts", "export const a = 2;\n")
        .write("b.ts", "export const b = 2;\n");
    r.add(&["a.ts"]);
    r.commit(&["-q", "-m", "fix"]).ok();
    assert_eq!(r.git(&["show", "HEAD:a.ts"]).stdout, "export const a = 2\n");
    assert_eq!(r.read("a.ts"), "export const a = 2\n");
    // Only the job's staged file was touched and staged: b.ts is still the user's, unstaged.
    assert_eq!(r.read("b.ts"), "export const b = 2;\n");
    assert_eq!(r.git(&["status", "--porcelain"]).stdout, " M b.ts\n");
}

#[test]
fn without_stage_fixed_a_changed_staged_file_fails_the_hook_naming_it() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        format!("[pre-commit]\nchecks = []\n{}", fixer(false)),
    )
    .write("a.ts", "export const a = 1\n")
    .commit_all("init")
    .install_shim("pre-commit");
    r.write("a.ts", "export const a = 2;\n").add(&["a.ts"]);
    cmd_snapshot!(
        r,
        "staged_without_stage_fixed_a_changed_staged_file_fails_the_hook_naming_it",
        r.commit(&["-q", "-m", "fix"])
    );
    assert_eq!(r.git(&["rev-list", "--count", "HEAD"]).stdout.trim(), "1");
    assert_eq!(r.git(&["show", ":a.ts"]).stdout, "export const a = 2;\n");
}

#[test]
fn fixer_on_a_partially_staged_file_is_refused_and_nothing_is_lost() {
    let r = partial_repo(|_| fixer(true));
    r.write("src/a.ts", "export const a = 1;\nconsole.log(a);\n// unstaged;\n");
    r.add(&["hookctl.toml"]);
    let before = state(&r);
    cmd_snapshot!(
        r,
        "staged_fixer_on_a_partially_staged_file_is_refused_and_nothing_is_lost",
        run_hook(&r)
    );
    let after = state(&r);
    // src/a.ts: work tree and index exactly as before; src/b.ts: fixed and re-staged.
    assert_eq!(
        r.read("src/a.ts"),
        "export const a = 1;\nconsole.log(a);\n// unstaged;\n"
    );
    assert_eq!(r.git(&["show", ":src/a.ts"]).stdout, STAGED);
    assert_eq!(r.read("src/b.ts"), "export const b = 2\n");
    assert_eq!(r.git(&["show", ":src/b.ts"]).stdout, "export const b = 2\n");
    assert_eq!(after.stash, before.stash);
    assert_eq!(after.refs, before.refs);
    let unchanged = |st: &State| -> Vec<(PathBuf, Vec<u8>)> {
        st.files
            .iter()
            .filter(|(p, _)| p != Path::new("src/b.ts"))
            .cloned()
            .collect()
    };
    assert_eq!(unchanged(&after), unchanged(&before));
    assert!(leftovers(&r).is_empty());
}

#[test]
fn fix_detection_also_works_by_hand_with_all_files() {
    // `--all-files` has no staged blob ids at hand: `git diff-files` finds what changed.
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        format!("[pre-commit]\nchecks = []\n{}", fixer(false)),
    )
    .write("a.ts", "export const a = 1;\n")
    .write("b.ts", "export const b = 1\n")
    .commit_all("init");
    let index = std::fs::read(r.path(".git/index")).unwrap();
    let run = r.hookctl(&["run", "pre-commit", "--all-files"]);
    cmd_snapshot!(r, "staged_fix_detection_also_works_by_hand_with_all_files", run);
    assert_eq!(r.git(&["show", ":a.ts"]).stdout, "export const a = 1;\n");
    assert_eq!(
        std::fs::read(r.path(".git/index")).unwrap(),
        index,
        "hookctl wrote the index"
    );
}
