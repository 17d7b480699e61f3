//! Issue 20, jobs part: no unstaged edit lost (not even to SIGKILL), `stage_fixed` that agrees
//! with git's own indexes, views that show jobs the same world, and no input that panics,
//! recurses, runs a file name as shell or writes raw control bytes to the terminal. Each test
//! failed on the main branch before these fixes.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

const STAGED: &str = "export const a = 1;\nconsole.log(a);\n";
const WORKTREE: &str = "export const a = 1;\n// console output removed, not staged yet\n";

fn cmd(r: &Repo, args: &[&str]) -> Command {
    isolated_hookctl(r, args)
}

fn run(r: &Repo, args: &[&str]) -> Run {
    isolated_run(r, args)
}

/// A repo with `src/a.ts` partially staged (staged: a `console.log`; on disk: removed) and a
/// fully staged `src/b.ts`; `jobs` are `[[pre-commit.jobs]]` tables.
fn partial_repo(jobs: impl FnOnce(&Repo) -> String) -> Repo {
    let r = Repo::new();
    let jobs = jobs(&r);
    r.write("hookctl.toml", format!("[pre-commit]\nchecks = []\n{jobs}"))
        .write("src/a.ts", "export const a = 1;\n")
        .write("src/b.ts", "export const b = 1;\n")
        .commit_all("init");
    r.write("src/a.ts", STAGED).add(&["src/a.ts"]);
    r.write("src/a.ts", WORKTREE);
    r.write("src/b.ts", "export const b = 2;\n").add(&["src/b.ts"]);
    r
}

/// `text` with this test's temporary paths, run ids and timings replaced.
fn scrub(r: &Repo, text: &str) -> String {
    let tmp = r
        .root
        .parent()
        .unwrap()
        .canonicalize()
        .unwrap()
        .display()
        .to_string();
    let mut text = text.replace(&tmp, "[TMP]");
    for (re, with) in [
        (r"restore/kept-[0-9a-f-]+", "restore/kept-[RUN]"),
        (r" in \d+\.\d+s", " in [TIME]s"),
        (r"hookctl-clean-[0-9a-f-]+", "hookctl-clean-[RUN]"),
    ] {
        text = regex::Regex::new(re)
            .unwrap()
            .replace_all(&text, with)
            .into_owned();
    }
    text
}

/// Snapshot stderr with the temporary paths of this test replaced.
macro_rules! snap {
    ($r:expr, $name:expr, $text:expr) => {{
        let text = scrub(&$r, &$text);
        snapshot!($r, $name, text);
    }};
}

// ---- Critical 2: an unstaged edit lost to SIGKILL ----------------------------------------

/// A repo where a hookctl run was killed (-9) while its job, running in the staged view,
/// had rewritten the real work-tree copy of the partially staged `src/a.ts` ("clobbered");
/// the config then has no jobs left.
fn killed_run_repo() -> Repo {
    // The job runs in the view (its file is partially staged) and writes the real work-tree
    // file through GIT_WORK_TREE, then hangs; hookctl is killed outright meanwhile.
    let r = partial_repo(|r| {
        format!(
            "[[pre-commit.jobs]]\nname = \"fmt-all\"\nglob = \"a.ts\"\nrun = '''printf 'clobbered' > \"$GIT_WORK_TREE/src/a.ts\"; touch {}; sleep 100'''\n",
            s(&r.sibling("started"))
        )
    });
    let started = r.sibling("started");
    let mut child = cmd(&r, &["run", "pre-commit"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Started, and recorded by hookctl (the record is written right after the spawn).
    let records = r.path(".git/hookctl/jobs");
    let recorded = || std::fs::read_dir(&records).is_ok_and(|mut d| d.next().is_some());
    assert!(
        wait_for(|| started.exists() && recorded(), 30),
        "the job never started"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(r.read("src/a.ts"), "clobbered", "the job did rewrite the file");
    r.write("hookctl.toml", "[pre-commit]\nchecks = []\n");
    r
}

#[test]
fn sigkill_while_a_job_rewrites_an_unstaged_edit_loses_nothing() {
    let r = killed_run_repo();
    // Any later run puts the user's bytes back, before its own work, and says so.
    let out = run(&r, &["run", "pre-commit"]);
    out.ok();
    assert_eq!(r.read("src/a.ts"), WORKTREE);
    assert_eq!(r.git(&["show", ":src/a.ts"]).stdout, STAGED);
    snap!(r, "job_trust_sigkill_recovery", out.stderr);
    // What it replaced is kept where the message says.
    let kept = out.stderr.split("kept at ").nth(1).unwrap().trim();
    assert_eq!(std::fs::read_to_string(kept).unwrap(), "clobbered");
    // Nothing left to do on the next run, and no view or job left behind.
    run(&r, &["run", "pre-commit"]).ok().lacks("put back");
    assert!(leftovers(&r).is_empty(), "{:?}", leftovers(&r));
}

/// Not only `hookctl run`: whichever command the user types first after the kill (a check by
/// hand, doctor, a hook with `HOOKCTL=0`, the env and resolve commands) puts the edits back and
/// says where the replaced version is kept; `doctor` keeps naming that place afterwards.
#[test]
fn any_command_after_a_sigkill_puts_the_edits_back() {
    type Case<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);
    let cases: &[Case] = &[
        ("check", &["check"], &[]),
        ("doctor", &["doctor"], &[]),
        ("run_disabled", &["run", "pre-commit"], &[("HOOKCTL", "0")]),
        ("env_diff", &["env", "diff", "--against", "src/b.ts"], &[]),
        ("resolve", &["resolve"], &[]),
    ];
    for (name, args, env) in cases {
        let r = killed_run_repo();
        let mut c = cmd(&r, args);
        c.envs(env.iter().copied());
        let out = run_with_stdin(c, None);
        assert_eq!(r.read("src/a.ts"), WORKTREE, "{name}: {}", out.all());
        assert_eq!(r.git(&["show", ":src/a.ts"]).stdout, STAGED, "{name}");
        let said: Vec<&str> = out
            .stderr
            .lines()
            .filter(|l| l.contains("put back") || l.contains("job process group"))
            .collect();
        // The killed run's view went with it.
        assert!(leftovers(&r).is_empty(), "{name}: {:?}", leftovers(&r));
        // Each command says it in the same words.
        snap!(r, "job_trust_recovery_by_any_command", said.join("\n"));
        let kept = out
            .stderr
            .split("kept at ")
            .nth(1)
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .trim();
        assert_eq!(std::fs::read_to_string(kept).unwrap(), "clobbered", "{name}");
        // Later, doctor still names where the replaced version is.
        let doctor = run(&r, &["doctor"]);
        let warned: Vec<&str> = doctor
            .stdout
            .lines()
            .filter(|l| l.contains("kept at") || l.contains("compare each kept"))
            .collect();
        assert!(
            warned.iter().any(|l| l.contains(kept)),
            "{name}: {}",
            doctor.all()
        );
        if *name == "check" {
            snap!(r, "job_trust_doctor_names_kept_versions", warned.join("\n"));
        }
    }
}

// ---- stage_fixed through `git commit <path>` -----------------------------------------------

fn fixer(stage_fixed: bool) -> String {
    format!(
        "[[pre-commit.jobs]]\nname = \"fmt\"\nglob = \"*.ts\"\nrun = \"sed -i 's/const/let/' {{files}}\"\nstage_fixed = {stage_fixed}\n"
    )
}

#[test]
fn stage_fixed_with_git_commit_path_leaves_index_and_head_agreeing() {
    for args in [
        &["-q", "-m", "x", "a.ts"][..],
        &["-q", "-m", "x", "-a"],
        &["-q", "-m", "x", "-i", "a.ts"],
    ] {
        let r = Repo::new();
        r.write(
            "hookctl.toml",
            format!("[pre-commit]\nchecks = []\n{}", fixer(true)),
        )
        .write("a.ts", "export const a = 1;\n")
        .commit_all("init")
        .install_shim("pre-commit");
        r.write("a.ts", "export const a = 2;\n");
        r.commit(args).ok();
        assert_eq!(
            r.git(&["show", "HEAD:a.ts"]).stdout,
            "export let a = 2;\n",
            "{args:?}"
        );
        assert_eq!(
            r.git(&["show", ":a.ts"]).stdout,
            "export let a = 2;\n",
            "{args:?}"
        );
        assert_eq!(r.git(&["status", "--porcelain"]).stdout, "", "{args:?}");
    }
}

// ---- line endings: compared through git's clean filter --------------------------------------

#[test]
fn crlf_work_trees_are_not_partially_staged() {
    for (setup, attrs) in [("autocrlf", ""), ("attributes", "*.ts text eol=crlf\n")] {
        let r = Repo::new();
        if setup == "autocrlf" {
            r.git(&["config", "core.autocrlf", "true"]).ok();
        }
        r.write(".gitattributes", attrs)
            .write(
                "hookctl.toml",
                format!("[pre-commit]\nchecks = []\n{}", fixer(true)),
            )
            .write("a.ts", "export const a = 1;\r\n")
            .commit_all("init")
            .install_shim("pre-commit");
        r.write("a.ts", "export const a = 2;\r\nexport const b = 3;\r\n")
            .add(&["a.ts"]);
        let out = r.commit(&["-q", "-m", "x"]);
        out.ok().lacks("unstaged edits");
        assert_eq!(
            r.git(&["show", "HEAD:a.ts"]).stdout,
            "export let a = 2;\nexport let b = 3;\n",
            "{setup}"
        );
        assert_eq!(r.git(&["status", "--porcelain"]).stdout, "", "{setup}");
    }
}

// ---- a rename or deletion is never a fix -----------------------------------------------------

#[test]
fn a_fixer_that_deletes_or_renames_a_staged_file_fails_and_changes_nothing() {
    for (name, run_cmd, partial) in [
        ("delete", "rm {files}", false),
        ("rename", "for f in {files}; do mv \"$f\" \"$f.bak\"; done", false),
        ("delete-in-view", "rm {files}", true),
    ] {
        let r = Repo::new();
        r.write(
            "hookctl.toml",
            pre_commit_job(
                "fmt",
                &format!("glob = \"*.ts\"\nrun = '{run_cmd}'\nstage_fixed = true\n"),
            ),
        )
        .write("a.ts", "export const a = 1;\n")
        .commit_all("init");
        r.write("a.ts", "export const a = 2;\n").add(&["a.ts"]);
        if partial {
            r.write("a.ts", "export const a = 2;\n// unstaged\n");
        }
        let index = r.git(&["ls-files", "-s"]).stdout;
        let disk = r.read("a.ts");
        let out = run(&r, &["run", "pre-commit"]);
        out.code(1);
        assert_eq!(
            r.git(&["ls-files", "-s"]).stdout,
            index,
            "{name}: the index changed"
        );
        assert_eq!(r.read("a.ts"), disk, "{name}: the file is not back");
        if name == "delete" {
            snap!(r, "job_trust_fixer_deletes", out.stderr);
        }
        if !partial {
            out.contains("deleted or renamed `a.ts`");
        }
    }
}

// ---- run --files of a file git does not track ---------------------------------------------

#[test]
fn run_files_of_an_untracked_or_ignored_file_says_what_it_is_and_runs() {
    let r = Repo::new();
    let seen = r.sibling("seen");
    r.write(
        "hookctl.toml",
        pre_commit_job("show", &format!("run = \"cat {{files}} >> {}\"\n", s(&seen))),
    )
    .write(".gitignore", "dist/\n")
    .write("a.ts", "tracked\n")
    .commit_all("init");
    r.write("new.ts", "untracked\n").write("dist/x.js", "ignored\n");
    let out = run(&r, &["run", "pre-commit", "--files", "new.ts", "dist/x.js"]);
    out.ok();
    assert_eq!(std::fs::read_to_string(&seen).unwrap(), "untracked\nignored\n");
    snap!(r, "job_trust_files_untracked", out.stderr);
}

// ---- symlinks to a partially staged file ----------------------------------------------------

#[test]
fn symlinks_to_a_partially_staged_file_show_the_staged_content() {
    // (committed link, job glob, what the job reads)
    for (link, target, glob, reads) in [
        ("src/link.ts", "a.ts", "a.ts", "src/link.ts"),
        ("other/link.ts", "../src/a.ts", "a.ts", "other/link.ts"),
        ("lib", "src", "a.ts", "lib/a.ts"),
        ("b.ts", "src/a.ts", "b.ts", "{files}"),
    ] {
        let r = Repo::new();
        let seen = r.sibling("seen");
        r.write(
            "hookctl.toml",
            pre_commit_job(
                "show",
                &format!("glob = \"{glob}\"\nrun = \"cat {reads} > {}\"\n", s(&seen)),
            ),
        )
        .write("src/a.ts", "export const a = 1;\n")
        .commit_all("init");
        std::fs::create_dir_all(r.path(link).parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, r.path(link)).unwrap();
        r.add(&[link]);
        if link != "b.ts" {
            r.commit_all("link");
        }
        r.write("src/a.ts", STAGED).add(&["src/a.ts"]);
        r.write("src/a.ts", WORKTREE);
        run(&r, &["run", "pre-commit"]).ok();
        assert_eq!(
            std::fs::read_to_string(&seen).unwrap(),
            STAGED,
            "{link} -> {target}"
        );
        assert_eq!(r.read("src/a.ts"), WORKTREE);
    }
}

// ---- the same world in a view and in place -------------------------------------------------

#[test]
fn a_job_sees_the_same_world_with_and_without_a_partially_staged_file() {
    let world = |partial: bool| -> String {
        let r = Repo::new();
        let out = r.sibling("world");
        r.write(
            "hookctl.toml",
            pre_commit_job("world", &format!("glob = \"*.ts\"\nrun = '''{{ test -d .git && echo dot-git; git rev-parse --show-toplevel --git-dir; git diff --cached --name-only; env | grep -E '^(GIT_|HOOKCTL)' | sort; }} > {} 2>&1'''\n",
                s(&out)
            )),
        )
        .write("a.ts", "export const a = 1;\n")
        .commit_all("init");
        r.write("a.ts", "export const a = 2;\n").add(&["a.ts"]);
        if partial {
            r.write("a.ts", "export const a = 3;\n");
        }
        run(&r, &["run", "pre-commit"]).ok();
        let root = r.root.canonicalize().unwrap().display().to_string();
        std::fs::read_to_string(out).unwrap().replace(&root, "[REPO]")
    };
    let in_place = world(false);
    assert_eq!(world(true), in_place);
    assert!(in_place.starts_with("dot-git\n[REPO]\n"), "{in_place}");
}

// ---- interactive + timeout -------------------------------------------------------------------

#[test]
fn an_interactive_jobs_children_die_at_its_timeout() {
    let r = Repo::new();
    let pid = r.sibling("pid");
    r.write(
        "hookctl.toml",
        format!(
            "[[pre-commit.jobs]]\nname = \"prompt\"\ninteractive = true\ntimeout = 1\nrun = \"sleep 100 & echo $! > {}; wait\"\n",
            s(&pid)
        ),
    );
    r.write("a.ts", "1").add(&["a.ts"]);
    // The job has the terminal, here hookctl's own stdio: a file, so that a surviving child
    // holding it cannot keep this test waiting.
    let err = r.sibling("stderr");
    let status = cmd(&r, &["run", "pre-commit"])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err).unwrap())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    assert!(std::fs::read_to_string(&err).unwrap().contains("timed out"));
    let pid = std::fs::read_to_string(&pid).unwrap();
    assert!(
        wait_for(|| !alive(&pid), 10),
        "the job's child {pid} survived its timeout"
    );
}

// ---- memory is bounded by a constant ----------------------------------------------------------

#[test]
fn a_large_partially_staged_file_costs_constant_memory() {
    const MIB: usize = 1 << 20;
    let r = Repo::new();
    let line = "export const filler = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx';\n";
    let big: String = line.repeat(128 * MIB / line.len());
    r.write(
        "hookctl.toml",
        pre_commit_job("count", "glob = \"*.ts\"\nrun = \"wc -c {files}\"\n"),
    )
    .write("big.ts", "export const a = 1;\n")
    .commit_all("init");
    r.write("big.ts", &big).add(&["big.ts"]);
    r.write("big.ts", format!("{big}// unstaged\n"));
    drop(big);
    let rss = r.sibling("rss");
    let c = cmd(&r, &["run", "pre-commit"]);
    let program = c.get_program().to_owned();
    let mut time = Command::new("/usr/bin/time");
    time.arg("-f").arg("%M").arg("-o").arg(&rss).arg(program);
    time.args(c.get_args()).current_dir(&r.root).stdin(Stdio::null());
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => time.env(k, v),
            None => time.env_remove(k),
        };
    }
    let out = run_with_stdin(time, None);
    cmd_snapshot!(
        r,
        "job_trust_a_large_partially_staged_file_costs_constant_memory",
        out
    );
    let kib: usize = std::fs::read_to_string(&rss).unwrap().trim().parse().unwrap();
    eprintln!("peak RSS of hookctl and the git it ran, 128 MiB partially staged file: {kib} KiB");
    assert!(
        kib < 64 * 1024,
        "hookctl (or a git it ran) peaked at {kib} KiB for a 128 MiB file"
    );
    assert!(r.read("big.ts").ends_with("// unstaged\n"));
}

// ---- leftovers of a killed run are swept by any later run -------------------------------------

#[test]
fn a_view_left_by_a_sigkilled_run_is_swept_by_any_later_run() {
    let r = partial_repo(|r| {
        format!(
            "[[pre-commit.jobs]]\nname = \"hang\"\nglob = \"*.ts\"\nrun = \"touch {}; sleep 100\"\n",
            s(&r.sibling("started"))
        )
    });
    let started = r.sibling("started");
    let mut child = cmd(&r, &["run", "pre-commit"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Started, and recorded by hookctl (a SIGKILL between the spawn and the record cannot be
    // recovered from, and is not what this tests).
    let records = r.path(".git/hookctl/jobs");
    let recorded = || std::fs::read_dir(&records).is_ok_and(|mut d| d.next().is_some());
    assert!(
        wait_for(|| started.exists() && recorded(), 30),
        "the job never started"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(leftovers(&r).len(), 1);
    // The next run needs no view (the file is now fully staged) and runs another hook.
    r.write(
        "hookctl.toml",
        "[pre-commit]\nchecks = []\n[other]\nchecks = []\n[[other.jobs]]\nname = \"x\"\nrun = \"true\"\n",
    );
    r.add(&["src/a.ts", "hookctl.toml"]);
    cmd_snapshot!(
        r,
        "job_trust_a_view_left_by_a_sigkilled_run_is_swept_by_any_later_run",
        run(&r, &["run", "other"])
    );
    assert!(leftovers(&r).is_empty(), "left behind: {:?}", leftovers(&r));
}

// ---- a hook never runs a nested run of itself ------------------------------------------------

/// A job that runs its own hook again is refused, whether `HOOKCTL_RUNNING` says so (through
/// another hook's job) or the job's environment lost it (`env -i`, `env -u`, a tool that resets
/// the environment: refused from hookctl's own process tree). Another hook inside a job still
/// runs.
#[test]
fn a_job_that_runs_its_own_hook_is_refused() {
    let rows = [
        // (snapshot, how the job runs pre-commit again, another hook's table); both scrubbed
        // environments are refused in the same words.
        (
            "job_trust_nested",
            format!("{BIN} run deploy"),
            format!(
                "[deploy]\nchecks = []\n[[deploy.jobs]]\nname = \"back\"\nrun = '''{BIN} run pre-commit'''\n"
            ),
        ),
        (
            "job_trust_nested_scrubbed_env",
            format!("env -u HOOKCTL_RUNNING {BIN} run pre-commit"),
            String::new(),
        ),
        (
            "job_trust_nested_scrubbed_env",
            format!("env -i PATH=\"$PATH\" HOME=\"$HOME\" {BIN} run pre-commit"),
            String::new(),
        ),
    ];
    let other = "[other]\nchecks = []\n[[other.jobs]]\nname = \"o\"\nrun = \"true\"\n";
    let pid = regex::Regex::new(r"hookctl process \d+").unwrap();
    for (name, again, table) in rows {
        let r = Repo::new();
        let count = r.sibling("count");
        // Bounded by the job itself, so that a broken binary fails instead of forking forever.
        r.write(
            "hookctl.toml",
            pre_commit_job(
                "again",
                &format!(
                    "run = '''echo x >> {c}; test $(wc -l < {c}) -lt 4 && {again}'''\n{table}{other}",
                    c = s(&count)
                ),
            ),
        );
        r.write("a.ts", "1").add(&["a.ts"]);
        let out = run(&r, &["run", "pre-commit"]);
        out.code(1);
        assert_eq!(
            std::fs::read_to_string(&count).unwrap(),
            "x\n",
            "{name}: the hook ran again"
        );
        let text = out.stderr.replace(BIN, "[BIN]");
        snap!(r, name, pid.replace_all(&text, "hookctl process [PID]"));
        // Another hook from a job is no nesting.
        let prefix = again.split(BIN).next().unwrap();
        r.write(
            "hookctl.toml",
            pre_commit_job("other", &format!("run = '''{prefix}{BIN} run other'''\n{other}")),
        );
        run(&r, &["run", "pre-commit"]).ok();
    }
}

// ---- durations -------------------------------------------------------------------------------

#[test]
fn durations_are_validated_at_load_and_at_read() {
    let r = Repo::new();
    r.write("a.ts", "1").commit_all("init");
    let mut shown = String::new();
    for timeout in [
        "\"18446744073709551615s\"",
        "\"300000000000y\"",
        "9223372036854775807",
        "\"25h\"",
        "\"0s\"",
    ] {
        r.write(
            "hookctl.toml",
            pre_commit_job("x", &format!("run = \"true\"\ntimeout = {timeout}\n")),
        );
        let out = run(&r, &["run", "pre-commit", "--all-files"]);
        out.code(2).lacks("panicked");
        shown.push_str(&out.stderr);
    }
    r.write("hookctl.toml", pre_commit_job("x", "run = \"true\"\n"));
    for secs in ["1e20", "NaN", "-1", "0", "inf", "soon"] {
        let out = run_with_stdin(
            {
                let mut c = cmd(&r, &["run", "pre-commit", "--all-files"]);
                c.env("HOOKCTL_PROGRESS_SECS", secs);
                c
            },
            None,
        );
        out.code(2).lacks("panicked");
        shown.push_str(&out.stderr);
    }
    snap!(r, "job_trust_durations", shown);
}

// ---- `{files}` inside the user's own quotes --------------------------------------------------

#[test]
fn placeholders_inside_the_users_quotes_are_refused_at_load() {
    let r = Repo::new();
    r.write("a.ts", "1").commit_all("init");
    let mut shown = String::new();
    for run_cmd in [
        "'echo \"{files}\"'",
        "\"sh -c 'lint {files}'\"",
        "'prettier --write \"{files}\"'",
        "'''cat <<EOF\n{1}\nEOF'''",
    ] {
        r.write("hookctl.toml", pre_commit_job("x", &format!("run = {run_cmd}\n")));
        let out = run(&r, &["run", "pre-commit", "--all-files"]);
        out.code(2);
        shown.push_str(&out.stderr);
    }
    snap!(r, "job_trust_misquoted", shown);
    // A file name that is shell code never runs, whatever the quoting.
    r.write("hookctl.toml", pre_commit_job("x", "run = 'echo {files}'\n"))
        .write("$(touch PWNED).ts", "1")
        .add(&["$(touch PWNED).ts"]);
    run(&r, &["run", "pre-commit"]).ok();
    assert!(!r.path("PWNED").exists());
}

#[test]
fn migrate_rewrites_lefthooks_quoted_staged_files() {
    let r = Repo::new();
    r.write(
        "lefthook.yml",
        "pre-commit:\n  commands:\n    fmt:\n      run: prettier --write \"{staged_files}\" && git add '{staged_files}'\n    echo:\n      run: echo \"changed {staged_files}\"\n",
    )
    .commit_all("init");
    let out = run(&r, &["migrate"]);
    out.ok();
    // `"{staged_files}"` and `'{staged_files}'` become `{files}`; `echo` is not a job.
    snap!(
        r,
        "job_trust_migrate_rewrites_lefthooks_quoted_staged_files_toml",
        r.read("hookctl.toml")
    );
    cmd_snapshot!(r, "job_trust_migrate_rewrites_lefthooks_quoted_staged_files", out);
    // What migrate writes loads.
    run(
        &r,
        &["run", "pre-commit", "--job", "fmt", "--files", "lefthook.yml"],
    )
    .lacks("invalid configuration");
}

// ---- control characters in file names ---------------------------------------------------------

#[test]
fn control_characters_in_paths_are_escaped_in_job_messages_and_progress() {
    let r = Repo::new();
    let err = r.sibling("stderr");
    let dir = "apps/e\x1b[2Jvil\x07";
    r.write(
        "hookctl.toml",
        pre_commit_job("fmt", &format!("root = \"apps/*\"\nrun = '''i=0; while ! grep -q 'still running' {e} && [ $i -lt 500 ]; do sleep 0.02; i=$((i+1)); done; sed -i 's/1/2/' {{files}}'''\n",
            e = s(&err)
        )),
    )
    .write(&format!("{dir}/a\rb.ts"), "1\n")
    .commit_all("init");
    r.write(&format!("{dir}/a\rb.ts"), "1 1\n").add(&["apps"]);
    let file = std::fs::File::create(&err).unwrap();
    let status = cmd(&r, &["run", "pre-commit"])
        .env("HOOKCTL_PROGRESS_SECS", "0.05")
        .stdout(Stdio::null())
        .stderr(file)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    let text = std::fs::read_to_string(&err).unwrap();
    for c in ['\x1b', '\x07', '\r'] {
        assert!(!text.contains(c), "raw {c:?} in:\n{text:?}");
    }
    assert!(
        text.contains("still running: fmt (apps/e\\x1b[2Jvil\\x07)"),
        "{text}"
    );
    let fix: String = text
        .lines()
        .filter(|l| !l.contains("still running"))
        .map(|l| format!("{l}\n"))
        .collect();
    snap!(r, "job_trust_escaped", fix);
}

// ---- the hook script honours HOOKCTL exactly as the binary does -------------------------------

#[test]
fn the_hook_script_honours_hookctl_exactly_as_the_binary() {
    use std::os::unix::fs::PermissionsExt;
    let r = Repo::new();
    let marker = r.sibling("legacy-ran");
    let legacy = r.path(".git/hooks/pre-commit");
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    std::fs::write(&legacy, format!("#!/bin/sh\ntouch {}\n", s(&marker))).unwrap();
    std::fs::set_permissions(&legacy, std::fs::Permissions::from_mode(0o755)).unwrap();
    r.hookctl(&["install", "--hooks", "pre-commit"]).ok();
    r.write("a.ts", "1").add(&["a.ts"]);
    for value in [
        " 0", "false ", "\tNO\n", "off\r", "\x0cno", "0", "0x", "", " ", "o ff", "\u{a0}0", "\x0b0", "1",
    ] {
        let _ = std::fs::remove_file(&marker);
        let mut shim = Command::new(r.path(".git/hooks/pre-commit"));
        shim.current_dir(&r.root)
            .env("HOOKCTL", value)
            .env("PATH", Repo::path_with_bin())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        for v in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "HOOKCTL_RUNNING",
            "HOOKCTL_SKIP",
        ] {
            shim.env_remove(v);
        }
        let hook = run_with_stdin(shim, None);
        let shim_off = !marker.exists();
        let binary = run_with_stdin(
            {
                let mut c = cmd(&r, &["run", "pre-commit"]);
                c.env("HOOKCTL", value);
                c
            },
            None,
        );
        let binary_off = binary.stderr.contains(", skipping pre-commit");
        assert_eq!(
            shim_off,
            binary_off,
            "HOOKCTL={value:?}\nshim: {}\nbinary: {}",
            hook.all(),
            binary.all()
        );
    }
}

#[test]
fn a_view_in_a_linked_worktree_has_its_gitfile_and_leaves_the_real_one_alone() {
    let r = Repo::new();
    let seen = r.sibling("seen-toplevel");
    r.write(
        "hookctl.toml",
        pre_commit_job(
            "world",
            &format!(
                "glob = \"*.ts\"\nrun = 'test -f .git && git rev-parse --show-toplevel > {}'\n",
                s(&seen)
            ),
        ),
    )
    .write("a.ts", "export const a = 1;\n")
    .commit_all("init");
    let wt = r.sibling("wt");
    r.git(&["worktree", "add", "-q", s(&wt).as_str(), "-b", "wt"])
        .ok();
    let gitfile = std::fs::read(wt.join(".git")).unwrap();
    std::fs::write(wt.join("a.ts"), "export const a = 2;\n").unwrap();
    assert!(git_cmd(&wt).args(["add", "a.ts"]).status().unwrap().success());
    std::fs::write(wt.join("a.ts"), "export const a = 3;\n").unwrap();
    let mut c = cmd(&r, &["run", "pre-commit"]);
    c.current_dir(&wt);
    run_with_stdin(c, None).ok();
    assert_eq!(std::fs::read(wt.join(".git")).unwrap(), gitfile);
    let seen = std::fs::read_to_string(&seen).unwrap();
    assert_eq!(Path::new(seen.trim()), wt.canonicalize().unwrap());
}
