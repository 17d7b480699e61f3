//! `hookctl run`: jobs, `{files}`, pre-push refs, clean-room runs, through real `git commit`
//! and `git push` with a hook shim.

use std::path::Path;

use crate::common::*;

fn config(r: &Repo, toml: &str) {
    r.write("hookctl.toml", toml);
}

#[test]
fn files_are_the_staged_ones_quoted_with_spaces_and_unicode() {
    let r = Repo::new();
    let out = r.sibling("files.txt");
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "list"
run = '''for f in {{files}}; do printf '%s\n' "$f"; done > {out}'''
glob = "*.{{ts,tsx}}"
"#,
            out = s(&out)
        ),
    );
    r.write("old.ts", "1")
        .commit_all("init")
        .install_shim("pre-commit");
    r.write("my file.ts", "a")
        .write("café/ünï.tsx", "b")
        .write("it's.ts", "c")
        .write("README.md", "d")
        .write("old.ts", "2")
        .write("unstaged.ts", "e");
    r.add(&["my file.ts", "café/ünï.tsx", "it's.ts", "README.md"]);
    r.commit(&["-q", "-m", "add"]).ok();
    let mut got = lines(&out);
    got.sort();
    assert_eq!(got, ["café/ünï.tsx", "it's.ts", "my file.ts"]);
}

#[test]
fn sequential_jobs_run_in_config_order() {
    let r = Repo::new();
    let log = s(&r.sibling("log"));
    config(
        &r,
        &format!(
            r#"
[pre-commit]
parallel = false
[[pre-commit.jobs]]
name = "a"
run = "sleep 0.6; echo a >> {log}"
[[pre-commit.jobs]]
name = "b"
run = "sleep 0.3; echo b >> {log}"
[[pre-commit.jobs]]
name = "c"
run = "echo c >> {log}"
"#
        ),
    );
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(lines(Path::new(&log)), ["a", "b", "c"]);
}

#[test]
fn parallel_jobs_overlap() {
    let r = Repo::new();
    let log = s(&r.sibling("log"));
    // `b` only finishes once `a` has started: deadlocks (and times out) if run one by one.
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "a"
run = "echo a-start >> {log}; sleep 3; echo a-end >> {log}"
[[pre-commit.jobs]]
name = "b"
run = "i=0; until grep -q a-start {log}; do sleep 0.1; i=$((i+1)); [ $i -gt 50 ] && exit 1; done; echo b-end >> {log}"
timeout = 10
"#
        ),
    );
    r.hookctl(&["run", "pre-commit"]).ok();
    // As many jobs at once as the machine has CPUs: one CPU runs them one by one.
    let expected = if std::thread::available_parallelism().map_or(1, std::num::NonZero::get) < 2 {
        ["a-start", "a-end", "b-end"]
    } else {
        ["a-start", "b-end", "a-end"]
    };
    assert_eq!(lines(Path::new(&log)), expected);
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let r = Repo::new();
    let (pid, ended) = (r.sibling("pid"), r.sibling("ended"));
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "slow"
run = "(sleep 100; echo ended > {ended}) & echo $! > {pid}; wait"
timeout = 1
"#,
            pid = s(&pid),
            ended = s(&ended)
        ),
    );
    let run = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(r, "jobs_timeout_kills_the_whole_process_group", run);
    // The snapshot shows durations as [T]; the configured timeout is exact.
    run.contains("slow: timed out after 1.00s");
    // Killed, not waited for: had hookctl waited for the background part (which holds the
    // job's output open), it would have ended first.
    assert!(
        !ended.exists(),
        "hookctl waited for the job's background process to end"
    );
    let pid = std::fs::read_to_string(&pid).unwrap();
    assert!(wait_for(|| !alive(&pid), 3), "background sleep {pid} survived");
}

#[test]
fn failing_job_blocks_the_commit_and_shows_its_output() {
    let r = Repo::new();
    config(
        &r,
        r#"
[[pre-commit.jobs]]
name = "lint"
run = "echo 'src/a.ts:1 no-unused-vars' >&2; exit 3"
fail_text = "run `npm run lint -- --fix`"
[[pre-commit.jobs]]
name = "fine"
run = "echo fine-output"
"#,
    );
    r.write("a.ts", "x").commit_all("init").install_shim("pre-commit");
    let head = r.git(&["rev-parse", "HEAD"]).stdout;
    r.write("a.ts", "y").add(&["a.ts"]);
    // Jobs run at the same time: shown in any order.
    snapshot!(
        r,
        "jobs_failing_job_blocks_the_commit_and_shows_its_output_1",
        jobs_sorted(&r.commit(&["-q", "-m", "change"]).shown())
    );
    assert_eq!(r.git(&["rev-parse", "HEAD"]).stdout, head);
    // --quiet: only the failing job.
    cmd_snapshot!(
        r,
        "jobs_failing_job_blocks_the_commit_and_shows_its_output_2",
        r.hookctl(&["--quiet", "run", "pre-commit"])
    );
}

#[test]
fn job_without_matching_files_is_skipped() {
    let r = Repo::new();
    let marker = r.sibling("ran");
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "lint"
run = "touch {m}; eslint {{files}}"
glob = "*.py"
[[pre-commit.jobs]]
name = "typecheck"
run = "touch {m}"
glob = "*.ts"
"#,
            m = s(&marker)
        ),
    );
    r.write("a.md", "x").add(&["a.md"]);
    cmd_snapshot!(
        r,
        "jobs_job_without_matching_files_is_skipped",
        r.hookctl(&["run", "pre-commit"])
    );
    assert!(!marker.exists());
}

#[test]
fn custom_hook_runs_by_hand_with_all_tracked_files() {
    let r = Repo::new();
    let out = r.sibling("out");
    config(
        &r,
        &format!(
            r#"
[[pre-deploy.jobs]]
name = "deploy-check"
run = "echo {{files}} > {out}; echo \"$STAGE\" >> {out}"
glob = "*.ts"
env = {{ STAGE = "prod" }}
"#,
            out = s(&out)
        ),
    );
    r.write("a.ts", "1").write("b/c.ts", "2").commit_all("init");
    r.write("untracked.ts", "3");
    r.hookctl(&["run", "pre-deploy"]).ok();
    assert_eq!(lines(&out), ["a.ts b/c.ts", "prod"]);

    cmd_snapshot!(
        r,
        "jobs_custom_hook_runs_by_hand_with_all_tracked_files",
        r.hookctl(&["run", "pre-deploi"])
    );
    // git only runs installed hooks: one with nothing configured has nothing to do.
    let run = r.hookctl(&["run", "commit-msg", ".git/COMMIT_EDITMSG"]);
    run.ok();
    assert_eq!(run.all(), "");
}

#[test]
fn root_limits_files_and_runs_there() {
    let r = Repo::new();
    let out = r.sibling("out");
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "web"
root = "packages/web"
run = "pwd > {out}; echo {{files}} >> {out}"
glob = "src/**/*.ts"
"#,
            out = s(&out)
        ),
    );
    r.write("packages/web/src/a.ts", "1")
        .write("packages/web/src/deep/b.ts", "1")
        .write("packages/web/c.ts", "1")
        .write("packages/api/src/d.ts", "1")
        .write("src/e.ts", "1");
    r.add(&["."]);
    r.hookctl(&["run", "pre-commit"]).ok();
    let got = lines(&out);
    assert!(got[0].ends_with("/repo/packages/web"), "{got:?}");
    assert_eq!(got[1], "src/a.ts src/deep/b.ts");
}

#[test]
fn commit_all_uses_gits_temporary_index() {
    let r = Repo::new();
    let out = r.sibling("out");
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "list"
run = "echo {{files}} >> {out}"
[[pre-commit.jobs]]
name = "clean-cat"
run = "cat tracked.ts >> {out}"
clean = true
"#,
            out = s(&out)
        ),
    );
    r.write("tracked.ts", "v1\n")
        .commit_all("init")
        .install_shim("pre-commit");
    r.write("tracked.ts", "v2\n");
    // By hand, nothing is staged: the list job is skipped and the clean checkout has v1.
    r.hookctl(&["run", "pre-commit"]).ok();
    assert_eq!(lines(&out), ["v1"]);
    std::fs::remove_file(&out).unwrap();
    // `git commit -a` stages into a temporary index and points GIT_INDEX_FILE at it.
    r.commit(&["-q", "-a", "-m", "all"]).ok();
    let mut got = lines(&out);
    got.sort();
    assert_eq!(got, ["tracked.ts", "v2"]);
}

fn push_repo(job: &str) -> (Repo, std::path::PathBuf) {
    let r = Repo::new();
    let out = r.sibling("out");
    config(&r, &job.replace("OUT", &s(&out)));
    r.write("base.ts", "0").commit_all("init");
    r.bare_remote();
    r.push(&["-q", "origin", "main"]).ok();
    r.install_shim("pre-push");
    (r, out)
}

#[test]
fn push_of_two_refs_fails_only_for_the_second() {
    let (r, _) = push_repo(
        r#"
[[pre-push.jobs]]
name = "guard"
run = 'echo "checking $HOOKCTL_PUSH_REF"; test "$HOOKCTL_PUSH_REF" != refs/heads/b'
"#,
    );
    r.git(&["checkout", "-q", "-b", "a"]).ok();
    r.write("a.ts", "a").commit_all("a");
    r.git(&["checkout", "-q", "-b", "b"]).ok();
    r.write("b.ts", "b").commit_all("b");
    let run = r.push(&["origin", "a", "b"]);
    cmd_snapshot!(r, "jobs_push_of_two_refs_fails_only_for_the_second", run);
    let all = run.all();
    let (a_part, b_part) = all.split_at(all.find("pre-push refs/heads/b").unwrap());
    assert!(!a_part.contains("exit code"), "{all}");
    assert!(b_part.contains("exit code 1"), "{all}");
    // Nothing reached the remote.
    r.git(&["ls-remote", "--exit-code", "origin", "refs/heads/a"])
        .code(2);
}

#[test]
fn new_branch_is_compared_with_the_merge_base_of_the_default_branch() {
    let (r, out) = push_repo(
        r#"
[rules]
# The dirty work tree below is the point: `git/clean` would refuse the push.
"git/clean" = "off"
[pre-push]
parallel = false
[[pre-push.jobs]]
name = "list"
run = 'echo {files} > OUT; echo "$HOOKCTL_PUSH_FROM $HOOKCTL_PUSH_TO" >> OUT'
[[pre-push.jobs]]
name = "clean"
run = 'cat feature.ts >> OUT; test ! -e local-only.ts'
clean = true
"#,
    );
    let base = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    r.git(&["checkout", "-q", "-b", "feature"]).ok();
    r.write("feature.ts", "committed\n").commit_all("feature");
    let tip = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    // Work-tree changes after the commit are not what is pushed.
    r.write("feature.ts", "dirty\n").write("local-only.ts", "x");
    r.push(&["-q", "origin", "feature"]).ok();
    assert_eq!(lines(&out), ["feature.ts", &format!("{base} {tip}"), "committed"]);
    r.git(&["ls-remote", "--exit-code", "origin", "refs/heads/feature"])
        .ok();
}

#[test]
fn deleting_a_remote_branch_runs_nothing() {
    let (r, out) = push_repo(
        r#"
[[pre-push.jobs]]
name = "always-fails"
run = "touch OUT; exit 1"
"#,
    );
    r.push(&["-q", "--no-verify", "origin", "main:old"]).ok();
    r.push(&["-q", "origin", "--delete", "old"]).ok();
    assert!(!out.exists());
    // The same job does block a real push.
    r.write("x.ts", "1").commit_all("x");
    r.push(&["-q", "origin", "main"]).code(1);
    assert!(out.exists());
}

#[test]
fn clean_checkout_is_exactly_the_index_and_is_removed() {
    let r = Repo::new();
    let out = r.sibling("out");
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "build"
clean = true
run = '''pwd > {out}; cat app.ts >> {out}; test ! -e untracked.ts && test -L node_modules && cat node_modules/pkg/index.js >> {out} && echo built > dist.txt'''
"#,
            out = s(&out)
        ),
    );
    r.write("app.ts", "staged\n").add(&["app.ts"]);
    r.write("app.ts", "on disk only\n")
        .write("untracked.ts", "x")
        .write("node_modules/pkg/index.js", "module\n");
    r.hookctl(&["run", "pre-commit"]).ok();
    let got = lines(&out);
    assert_eq!(got[1..], ["staged", "module"], "{got:?}");
    let dir = Path::new(&got[0]);
    assert!(!dir.starts_with(&r.root));
    assert!(!dir.exists(), "{} was left behind", dir.display());
    assert!(r.path("node_modules/pkg/index.js").exists());
    assert!(!r.path("dist.txt").exists());
}

#[test]
fn clean_checkout_is_removed_after_a_timeout() {
    let r = Repo::new();
    let out = r.sibling("out");
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "hang"
clean = true
timeout = "1s"
run = "pwd > {out}; sleep 100"
"#,
            out = s(&out)
        ),
    );
    r.write("a.ts", "1").add(&["a.ts"]);
    cmd_snapshot!(
        r,
        "jobs_clean_checkout_is_removed_after_a_timeout",
        r.hookctl(&["run", "pre-commit"])
    );
    let dir = std::fs::read_to_string(&out).unwrap();
    assert!(!Path::new(dir.trim()).exists(), "{dir} was left behind");
}

#[test]
fn sigterm_stops_jobs_and_removes_the_clean_checkout() {
    let r = Repo::new();
    let (out, pid, ended) = (r.sibling("out"), r.sibling("pid"), r.sibling("ended"));
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "hang"
clean = true
run = "(sleep 100; echo ended > {ended}) & echo $! > {pid}; pwd > {out}; wait"
"#,
            out = s(&out),
            pid = s(&pid),
            ended = s(&ended)
        ),
    );
    r.write("a.ts", "1").add(&["a.ts"]);
    let mut c = std::process::Command::new(BIN);
    c.current_dir(&r.root)
        .args(["run", "pre-commit"])
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .env_remove("HOOKCTL")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = c.spawn().unwrap();
    assert!(wait_for(
        || std::fs::read_to_string(&out).is_ok_and(|s| s.ends_with('\n')),
        20
    ));
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!ended.exists(), "hookctl waited for the job to end");
    // 128 + SIGTERM, as a shell reports it (issue 9.7).
    assert_eq!(output.status.code(), Some(143));
    assert!(String::from_utf8_lossy(&output.stderr).contains("interrupted by SIGTERM"));
    let dir = std::fs::read_to_string(&out).unwrap();
    assert!(!Path::new(dir.trim()).exists(), "{dir} was left behind");
    let pid = std::fs::read_to_string(&pid).unwrap();
    assert!(wait_for(|| !alive(&pid), 3), "job process {pid} survived");
}

#[test]
fn partially_staged_file_index_worktree_and_stash_are_untouched() {
    let r = Repo::new();
    config(
        &r,
        r#"
[[pre-commit.jobs]]
name = "lint"
run = "cat {files} > /dev/null"
[[pre-commit.jobs]]
name = "clean"
run = "cat a.ts; exit 1"
clean = true
"#,
    );
    r.write("a.ts", "line1\n").commit_all("init");
    r.write("a.ts", "line1\nstaged\n").add(&["a.ts"]);
    r.write("a.ts", "line1\nstaged\nunstaged\n")
        .write("new.ts", "untracked");
    let snapshot = |r: &Repo| {
        (
            r.git(&["ls-files", "-s", "--debug"]).stdout,
            std::fs::read(r.path(".git/index")).unwrap(),
            r.read("a.ts"),
            r.git(&["stash", "list"]).stdout,
            r.git(&["status", "--porcelain", "-uall"]).stdout,
            r.git(&["for-each-ref"]).stdout,
        )
    };
    let before = snapshot(&r);
    // Jobs run at the same time: shown in any order.
    snapshot!(
        r,
        "jobs_partially_staged_file_index_worktree_and_stash_are_untouched",
        jobs_sorted(
            &r.hookctl_env(&["run", "pre-commit"], &[("LC_ALL", "C.UTF-8")], None)
                .shown()
        )
    );
    assert_eq!(snapshot(&r), before);
}

#[test]
fn hookctl_0_and_hookctl_skip() {
    let r = Repo::new();
    let (a, b) = (r.sibling("a"), r.sibling("b"));
    config(
        &r,
        &format!(
            r#"
[[pre-commit.jobs]]
name = "lint"
run = "touch {a}; exit 1"
[[pre-commit.jobs]]
name = "test"
run = "touch {b}"
"#,
            a = s(&a),
            b = s(&b)
        ),
    );
    let run = r.hookctl_env(&["run", "pre-commit"], &[("HOOKCTL", "0")], None);
    run.ok();
    assert_eq!(run.stderr, "hookctl: HOOKCTL=0, skipping pre-commit\n");
    assert!(!a.exists() && !b.exists());

    cmd_snapshot!(
        r,
        "jobs_hookctl_0_and_hookctl_skip",
        r.hookctl_env(&["run", "pre-commit"], &[("HOOKCTL_SKIP", "lint,imports")], None)
    );
    assert!(!a.exists() && b.exists());
    r.hookctl(&["run", "pre-commit"]).code(1);
    assert!(a.exists());
}

#[test]
fn fail_fast_cancels_the_rest() {
    let r = Repo::new();
    let marker = r.sibling("ran");
    config(
        &r,
        &format!(
            r#"
[pre-commit]
parallel = false
fail_fast = true
[[pre-commit.jobs]]
name = "first"
run = "exit 1"
[[pre-commit.jobs]]
name = "second"
run = "touch {m}"
"#,
            m = s(&marker)
        ),
    );
    cmd_snapshot!(
        r,
        "jobs_fail_fast_cancels_the_rest",
        r.hookctl(&["run", "pre-commit"])
    );
    assert!(!marker.exists());
}

#[test]
fn bad_job_config_is_a_usage_error() {
    let r = Repo::new();
    config(
        &r,
        "[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\nroot = \"../outside\"\n",
    );
    cmd_snapshot!(
        r,
        "jobs_bad_job_config_is_a_usage_error_1",
        r.hookctl(&["run", "pre-commit"])
    );
    config(
        &r,
        "[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\nglob = \"a{b\"\n",
    );
    cmd_snapshot!(
        r,
        "jobs_bad_job_config_is_a_usage_error_2",
        r.hookctl(&["run", "pre-commit"])
    );
}

#[test]
fn checkouts_left_by_a_killed_hookctl_are_swept() {
    let r = Repo::new();
    let tmp = r.sibling("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    // A pid above the kernel's maximum can never be running.
    let pid_max: u64 =
        std::fs::read_to_string("/proc/sys/kernel/pid_max").map_or(4_194_304, |s| s.trim().parse().unwrap());
    let stale = tmp.join(format!("hookctl-clean-{}-0-00000000", pid_max + 1));
    let live = tmp.join(format!("hookctl-clean-{}-0-00000000", std::process::id()));
    let other = tmp.join("someone-elses-dir");
    for d in [&stale, &live, &other] {
        std::fs::create_dir_all(d.join("repo")).unwrap();
    }
    config(
        &r,
        "[[pre-commit.jobs]]\nname = \"build\"\nclean = true\nrun = \"true\"\n",
    );
    r.write("a.ts", "1").add(&["a.ts"]);
    r.hookctl_env(&["run", "pre-commit"], &[("TMPDIR", tmp.to_str().unwrap())], None)
        .ok();
    assert!(!stale.exists(), "a dead hookctl's checkout is removed");
    assert!(live.exists(), "a running process's checkout is kept");
    assert!(other.exists(), "other programs' files are never touched");
}

#[test]
fn placeholders_in_arguments_are_not_expanded_again() {
    // Issue 9.5: `{1}` expanding to text that contains `{files}` must not re-open the quoting.
    let r = Repo::new();
    config(
        &r,
        "[[pre-push.jobs]]\nname = \"say\"\nrun = \"echo pushing to {1}: {files}\"\n",
    );
    r.write("base.ts", "0").commit_all("init");
    let bare = r.sibling("remote.git");
    git_cmd(r.root.parent().unwrap())
        .args(["init", "-q", "--bare", "-b", "main", "remote.git"])
        .status()
        .unwrap();
    r.git(&["remote", "add", "x{files}", bare.to_str().unwrap()]).ok();
    r.install_shim("pre-push");
    r.write("new$(touch PWNED).ts", "1").commit_all("evil name");
    let run = r.push(&["x{files}", "main"]);
    cmd_snapshot!(r, "jobs_placeholders_in_arguments_are_not_expanded_again", run);
    assert!(!r.path("PWNED").exists(), "the file name was run as a command");
    assert!(!r.sibling("PWNED").exists());
}

#[test]
fn tags_of_trees_and_blobs_pass_and_annotated_tags_are_peeled() {
    // Issue 9.9: only commits are checked; a tag of a tree or a blob is not "missing".
    let (r, out) = push_repo(
        r#"
[[pre-push.jobs]]
name = "seen"
run = 'echo "$HOOKCTL_PUSH_REF $HOOKCTL_PUSH_TO" >> OUT'
"#,
    );
    let tree = r.git(&["rev-parse", "HEAD^{tree}"]).stdout.trim().to_string();
    let blob = r.git(&["rev-parse", "HEAD:base.ts"]).stdout.trim().to_string();
    r.git(&["tag", "tree-tag", &tree]).ok();
    r.git(&["tag", "-a", "-m", "blob", "blob-tag", &blob]).ok();
    r.push(&["-q", "origin", "tree-tag", "blob-tag"]).ok();
    assert!(
        !out.exists(),
        "nothing to check for trees and blobs: {:?}",
        lines(&out)
    );
    r.git(&["ls-remote", "--exit-code", "origin", "refs/tags/tree-tag"])
        .ok();

    // An annotated tag of a commit is checked as that commit, built-in checks included.
    r.write("bad.ts", "import { x } from './missing';\n")
        .commit_all("bad");
    let commit = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    r.git(&["tag", "-a", "-m", "release", "v1"]).ok();
    cmd_snapshot!(
        r,
        "jobs_tags_of_trees_and_blobs_pass_and_annotated_tags_are_peeled",
        r.push(&["origin", "v1"])
    );
    assert_eq!(lines(&out), [format!("refs/tags/v1 {commit}")]);
}

#[test]
fn bare_repository_pushes_are_checked_without_a_work_tree() {
    // Issue 9.8: hooks installed in a bare repository refused every push.
    let src = Repo::new();
    src.write("a.ts", "export const a = 1;\n").commit_all("init");
    let parent = src.root.parent().unwrap();
    for name in ["mirror.git", "target.git"] {
        git_cmd(parent)
            .args(["init", "-q", "--bare", "-b", "main", name])
            .status()
            .unwrap();
    }
    let mirror = src.sibling("mirror.git");
    let target = src.sibling("target.git");
    src.git(&["push", "-q", mirror.to_str().unwrap(), "main"]).ok();
    src.hookctl_in(&mirror, &["install"], None).ok();
    src.hookctl_in(&mirror, &["doctor"], None).ok();
    let push = |extra: &[&str]| {
        let mut c = git_cmd(&mirror);
        c.env("PATH", Repo::path_with_bin())
            .args(["push", target.to_str().unwrap()])
            .args(extra);
        let out = c.output().unwrap();
        (
            out.status.code(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        )
    };
    let (code, all) = push(&["main"]);
    assert_eq!(code, Some(0), "{all}");
    assert!(!all.contains("not inside a git work tree"), "{all}");

    // A commit that breaks an import is blocked, from the objects alone.
    src.write("b.ts", "import { a } from './gone';\n")
        .commit_all("bad");
    src.git(&["push", "-q", mirror.to_str().unwrap(), "main"]).ok();
    let (code, all) = push(&["main"]);
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("imports/unresolved"), "{all}");
}

#[test]
fn clean_links_never_write_outside_the_checkout() {
    // Issue 9.10: `web` is a symlink in the snapshot to a folder outside the repository; linking
    // `web/node_modules` must not create anything there.
    let r = Repo::new();
    let outside = r.sibling("outside");
    std::fs::create_dir_all(&outside).unwrap();
    config(
        &r,
        "[[pre-commit.jobs]]\nname = \"build\"\nclean = true\nlink = [\"web/node_modules\"]\nrun = \"true\"\n",
    );
    r.write("web/node_modules/pkg/index.js", "x")
        .add(&["hookctl.toml"]);
    // Stage `web` as a symlink to `outside` while the work tree keeps a real `web/` folder.
    let mut c = git_cmd(&r.root);
    c.args(["hash-object", "-w", "--stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(outside.to_str().unwrap().as_bytes()).unwrap();
    }
    let blob = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
    r.git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("120000,{},web", blob.trim()),
    ])
    .ok();
    let run = r.hookctl(&["run", "pre-commit"]);
    let written: Vec<_> = std::fs::read_dir(&outside)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(written.is_empty(), "hookctl wrote {written:?}\n{}", run.all());
    cmd_snapshot!(r, "jobs_clean_links_never_write_outside_the_checkout", run);
}

/// Peak resident memory of this test process's waited-for children, in KiB (Linux).
#[expect(unsafe_code, reason = "getrusage has no safe wrapper in the dependencies")]
fn children_max_rss_kib() -> i64 {
    // SAFETY: getrusage writes into the zeroed struct we own.
    unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &raw mut usage);
        usage.ru_maxrss
    }
}

#[test]
fn runaway_output_is_bounded_and_logged() {
    // Issue 9.7: `yes` with a timeout grew hookctl to gigabytes and printed for minutes.
    let r = Repo::new();
    config(
        &r,
        "[[pre-commit.jobs]]\nname = \"spam\"\nrun = \"yes\"\ntimeout = \"2s\"\n",
    );
    r.write("a.ts", "1").add(&["a.ts"]);
    let run = r.hookctl(&["run", "pre-commit"]);
    // Not a snapshot: 2 MiB of output, its cut depends on how much came before the timeout.
    // Killed at its timeout (`yes` never ends by itself), and what is shown is bounded below.
    run.code(1).contains("timed out after 2.00s");
    // 1 MiB at each end of `y\n` lines, each 2-byte line shown as the 8 bytes `  │ y\n`.
    let shown = run.stderr.len();
    assert!(shown < 9 << 20, "printed {shown} bytes");
    let rss = children_max_rss_kib();
    assert!(rss < 200 * 1024, "a child peaked at {rss} KiB");
    let note = run
        .stderr
        .lines()
        .find(|l| l.contains("bytes of output dropped here"))
        .unwrap_or_else(|| panic!("no note in:\n{}", &run.stderr[..2000.min(shown)]))
        .to_string();
    let log = note
        .split(" in ")
        .last()
        .and_then(|rest| rest.strip_suffix(']'))
        .unwrap_or_else(|| panic!("no log named: {note}"));
    let log = Path::new(log);
    assert!(log.starts_with(r.path(".git/hookctl/logs")), "{note}");
    let size = std::fs::metadata(log).unwrap().len();
    assert!(
        size > 2 << 20 && size <= (64 << 20) + (1 << 20) + 4096,
        "log is {size} bytes"
    );
    let head = std::fs::read(log).unwrap();
    assert!(head.starts_with(b"y\ny\ny\n"));
}

#[test]
fn sigint_exits_130_and_kills_the_job() {
    let r = Repo::new();
    let (pid, ended) = (r.sibling("pid"), r.sibling("ended"));
    config(
        &r,
        &format!(
            "[[pre-commit.jobs]]\nname = \"hang\"\nrun = \"(sleep 100; echo ended > {}) & echo $! > {}; wait\"\n",
            s(&ended),
            s(&pid)
        ),
    );
    r.write("a.ts", "1").add(&["a.ts"]);
    let mut c = std::process::Command::new(BIN);
    c.current_dir(&r.root)
        .args(["run", "pre-commit"])
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .env_remove("HOOKCTL")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = c.spawn().unwrap();
    assert!(wait_for(
        || std::fs::read_to_string(&pid).is_ok_and(|s| s.ends_with('\n')),
        20
    ));
    std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(!ended.exists(), "hookctl waited for the job to end");
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    let pid = std::fs::read_to_string(&pid).unwrap();
    assert!(wait_for(|| !alive(&pid), 3), "job process {pid} survived");
}

#[test]
fn job_groups_of_a_killed_hookctl_are_killed_by_the_next_run() {
    // Issue 9.7: SIGKILL to hookctl left the job's process group running.
    let r = Repo::new();
    let pid = r.sibling("pid");
    config(
        &r,
        &format!(
            "[[hang.jobs]]\nname = \"hang\"\nrun = \"sleep 100 & echo $! > {}; wait\"\n",
            s(&pid)
        ),
    );
    r.write("a.ts", "1").commit_all("init");
    let mut c = std::process::Command::new(BIN);
    c.current_dir(&r.root)
        .args(["run", "hang"])
        .env_remove("GIT_INDEX_FILE")
        .env_remove("GIT_DIR")
        .env_remove("HOOKCTL")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let mut child = c.spawn().unwrap();
    // The job runs, and hookctl has recorded its process group (written right after the spawn:
    // a SIGKILL between the two cannot be recovered from, and is not what this tests).
    let records = r.path(".git/hookctl/jobs");
    assert!(wait_for(
        || std::fs::read_to_string(&pid).is_ok_and(|s| s.ends_with('\n'))
            && std::fs::read_dir(&records).is_ok_and(|mut d| d.next().is_some()),
        20
    ));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let pid = std::fs::read_to_string(&pid).unwrap();
    // hookctl is gone (waited for above): nothing but the next run can stop the job.
    assert!(
        alive(&pid),
        "the job should outlive a SIGKILLed hookctl until the next run"
    );
    cmd_snapshot!(
        r,
        "jobs_job_groups_of_a_killed_hookctl_are_killed_by_the_next_run",
        r.hookctl(&["run", "pre-commit"])
    );
    assert!(
        wait_for(|| !alive(&pid), 10),
        "orphaned job process {pid} still runs"
    );
    let records = std::fs::read_dir(r.path(".git/hookctl/jobs")).map_or(0, std::iter::Iterator::count);
    assert_eq!(records, 0);
}

#[test]
fn unknown_skip_names_warn_with_a_suggestion() {
    let r = Repo::new();
    config(&r, "[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"true\"\n");
    let run = r.hookctl_env(
        &["run", "pre-commit"],
        &[("HOOKCTL_SKIP", "lnt,imports/unresolved,env")],
        None,
    );
    cmd_snapshot!(r, "jobs_unknown_skip_names_warn_with_a_suggestion", run);
    assert_eq!(
        run.stderr.matches("HOOKCTL_SKIP: no job").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn a_job_named_like_a_check_group_is_a_config_error() {
    let r = Repo::new();
    config(
        &r,
        "[[pre-commit.jobs]]\nname = \"ok\"\nrun = \"true\"\n[[pre-commit.jobs]]\nname = \"imports\"\nrun = \"true\"\n",
    );
    cmd_snapshot!(
        r,
        "jobs_a_job_named_like_a_check_group_is_a_config_error",
        r.hookctl(&["run", "pre-commit"])
    );
}

#[test]
fn check_of_a_path_that_does_not_exist_is_a_usage_error() {
    let r = Repo::new();
    r.write("src/a.ts", "export {};\n").commit_all("init");
    cmd_snapshot!(
        r,
        "jobs_check_of_a_path_that_does_not_exist_is_a_usage_error",
        r.hookctl(&["check", "src/nope.ts"])
    );
    r.hookctl(&["check", "src/a.ts"]).ok();
    r.hookctl(&["check", "src"]).ok();
    // Deleted on disk but still in the snapshot: fine.
    r.remove("src/a.ts");
    r.hookctl(&["check", "src/a.ts"]).ok();
}

#[test]
fn deeply_nested_valid_json_is_readable() {
    let r = Repo::new();
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    r.write(
        "package.json",
        format!("{{\"name\": \"x\", \"dependencies\": {{\"zod\": \"1\"}}, \"deep\": {deep}}}"),
    )
    .write("a.ts", "import { z } from 'zod';\n")
    .commit_all("init");
    r.hookctl(&["check", "--all-findings"])
        .ok()
        .lacks("files/unreadable");
    // Past hookctl's limit, the message says it is a limit, with the place.
    let deeper = format!("{}{}", "[".repeat(1001), "]".repeat(1001));
    r.write("package.json", format!("{{\"deep\":\n{deeper}}}"))
        .add(&["package.json"]);
    cmd_snapshot!(
        r,
        "jobs_deeply_nested_valid_json_is_readable",
        r.hookctl(&["check", "--all-findings"])
    );
}
