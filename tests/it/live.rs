//! Issue 11 item 3: live progress, colour for jobs on a colour terminal, interactive jobs.

use std::process::Command;

use crate::common::*;

const SLOW: &str = "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"slow\"\nrun = \"sleep 2.5; echo FC=$FORCE_COLOR CC=$CLICOLOR_FORCE\"\n";

#[test]
fn without_a_terminal_a_still_running_line_comes_every_interval() {
    // Driven by events, not by a time window: the job runs until the test has read the second
    // `still running` line from hookctl's stderr, whatever the machine's load.
    use std::io::{BufRead, BufReader};
    let r = Repo::new();
    let marker = r.sibling("seen-two-lines");
    r.write(
        "hookctl.toml",
        format!(
            "[pre-commit]\nchecks = []\n[[pre-commit.jobs]]\nname = \"slow\"\nrun = \"until [ -e '{}' ]; do sleep 0.05; done; echo FC=$FORCE_COLOR CC=$CLICOLOR_FORCE\"\ntimeout = \"120s\"\n",
            s(&marker)
        ),
    );
    let mut c = Command::new(BIN);
    c.current_dir(&r.root)
        .args(["run", "pre-commit"])
        .env("HOOKCTL_PROGRESS_SECS", "1")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env_remove("HOOKCTL")
        .env_remove("HOOKCTL_SKIP")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "hookctl: still running: slow (2s)" {
            std::fs::write(&marker, "").unwrap();
        }
        lines.push(line);
    }
    assert!(child.wait().unwrap().success(), "{lines:#?}");
    let progress: Vec<&String> = lines.iter().filter(|l| l.contains("still running")).collect();
    // One line per interval, in order (a loaded machine may print a third before the job sees
    // the marker; none comes after the job ended, as the pipe closing shows).
    let expected: Vec<String> = (1..=progress.len())
        .map(|n| format!("hookctl: still running: slow ({n}s)"))
        .collect();
    assert!(progress.len() >= 2, "{lines:#?}");
    assert_eq!(progress, expected.iter().collect::<Vec<_>>(), "{lines:#?}");
    // Not a colour terminal: no forced colour for the job.
    assert!(lines.iter().any(|l| l.contains("FC= CC=")), "{lines:#?}");
    // The default interval is 30 s: nothing for a short job.
    std::fs::write(&marker, "").unwrap();
    r.hookctl(&["run", "pre-commit"]).ok().lacks("still running");
}

#[test]
fn on_a_terminal_a_status_line_shows_running_jobs_and_jobs_get_colour() {
    assert!(
        has_script(),
        "these tests need util-linux `script` for a pseudo-terminal"
    );
    let r = Repo::new();
    r.write("hookctl.toml", SLOW);
    let out = in_terminal(&r, "run pre-commit", &[], "");
    assert!(out.contains("running: slow (1s)"), "{out:?}");
    assert!(out.contains("running: slow (2s)"), "{out:?}");
    assert!(
        out.contains("\r\x1b[2K"),
        "the status line is redrawn in place: {out:?}"
    );
    assert!(out.contains("FC=1 CC=1"), "{out:?}");
    assert!(!out.contains("still running"), "{out:?}");
    // NO_COLOR: hookctl is not colouring, so neither are the jobs.
    let out = in_terminal(&r, "run pre-commit", &[("NO_COLOR", "1")], "");
    assert!(out.contains("FC= CC="), "{out:?}");
}

#[test]
fn interactive_job_runs_alone_with_the_terminal() {
    assert!(
        has_script(),
        "these tests need util-linux `script` for a pseudo-terminal"
    );
    let r = Repo::new();
    let log = s(&r.sibling("log"));
    r.write(
        "hookctl.toml",
        format!(
            r#"[pre-commit]
checks = []
[[pre-commit.jobs]]
name = "before"
run = "echo before-start >> {log}; sleep 1; echo before-end >> {log}"
[[pre-commit.jobs]]
name = "prompt"
interactive = true
run = "printf 'message? '; read answer; echo \"answer=$answer\" >> {log}; test -t 0 && test -t 1 && echo tty >> {log}"
[[pre-commit.jobs]]
name = "after"
run = "echo after >> {log}"
"#
        ),
    );
    let out = in_terminal(&r, "run pre-commit", &[], "feat: hello\n");
    assert!(out.contains("message? "), "{out:?}");
    let got = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        got, "before-start\nbefore-end\nanswer=feat: hello\ntty\nafter\n",
        "{out:?}"
    );
}
