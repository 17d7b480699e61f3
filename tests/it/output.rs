//! The output layer: colour per stream, closed pipes, quiet/verbose (issue 10).

use std::path::Path;
use std::process::{Command, Stdio};

use crate::common::*;

/// A repo whose index has one blocking finding (an unresolved relative import).
fn broken() -> Repo {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "src/a.ts",
        "import { b } from './missing';\nexport const a = b;\n",
    );
    r.add(&["package.json", "src/a.ts"]);
    r
}

/// `hookctl` with stdout connected to a pipe whose reading end is already closed (as in
/// `hookctl check | true`), so every write to stdout fails with EPIPE.
fn with_closed_stdout(dir: &Path, args: &[&str]) -> Run {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("GIT_DIR")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped());
    let out = c.output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::new(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn check_into_a_closed_pipe_exits_quietly_with_the_findings_exit_code() {
    let r = broken();
    for format in ["human", "json", "sarif", "github"] {
        let run = with_closed_stdout(&r.root, &["check", "--format", format]);
        assert_eq!(
            run.code,
            1,
            "{format}: the finding still fails the check\n{}",
            run.all()
        );
        run.lacks("Broken pipe").lacks("panicked");
    }
    r.write("src/a.ts", "export const a = 1;\n").add(&["src/a.ts"]);
    let run = with_closed_stdout(&r.root, &["check"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

#[test]
fn doctor_into_a_closed_pipe_does_not_panic() {
    let r = broken();
    let run = with_closed_stdout(&r.root, &["doctor"]);
    assert_ne!(run.code, 101, "{}", run.all());
    run.lacks("panicked").lacks("Broken pipe");
}

/// Runs `hookctl ARGS` with stderr on a pseudo-terminal and stdout into a file; returns
/// (stdout file, what the terminal received).
fn on_a_terminal(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    const SCRIPT: &str = r#"
import os, pty, subprocess, sys
master, slave = pty.openpty()
out = open(sys.argv[1], "wb")
p = subprocess.Popen(sys.argv[2:], stdout=out, stderr=slave, stdin=subprocess.DEVNULL)
os.close(slave)
chunks = []
while True:
    try:
        b = os.read(master, 65536)
    except OSError:
        break
    if not b:
        break
    chunks.append(b)
p.wait()
sys.stdout.buffer.write(b"".join(chunks))
"#;
    let file = dir.join(".git/stdout.txt");
    let mut c = Command::new("python3");
    c.current_dir(dir)
        .arg("-c")
        .arg(SCRIPT)
        .arg(&file)
        .arg(BIN)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("CLICOLOR")
        .env("TERM", "xterm-256color")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (
        std::fs::read_to_string(&file).unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn colour_is_decided_per_stream_report_to_a_file_from_a_terminal_has_none() {
    let r = broken();
    // The report goes to a file: no escape codes, although stderr is a terminal.
    let (file, _) = on_a_terminal(&r.root, &["check"], &[]);
    assert!(file.contains("error[imports/unresolved]"), "{file}");
    assert!(!file.contains('\x1b'), "escape codes in a file: {file:?}");
    // stderr is the terminal: an error there is coloured...
    let (_, tty) = on_a_terminal(&r.root, &["check", "no/such/path"], &[]);
    assert!(tty.contains("no such file or folder"), "{tty}");
    assert!(tty.contains("\x1b["), "stderr on a terminal is coloured: {tty:?}");
    // ...unless NO_COLOR (non-empty) or --no-color says otherwise.
    let (_, tty) = on_a_terminal(&r.root, &["check", "no/such/path"], &[("NO_COLOR", "1")]);
    assert!(
        tty.contains("no such file or folder") && !tty.contains('\x1b'),
        "{tty:?}"
    );
    let (_, tty) = on_a_terminal(&r.root, &["--no-color", "check", "no/such/path"], &[]);
    assert!(
        tty.contains("no such file or folder") && !tty.contains('\x1b'),
        "{tty:?}"
    );
}

#[test]
fn clicolor_force_colours_a_file_and_no_color_flag_wins() {
    let r = broken();
    let run = r.hookctl_env(&["check"], &[("CLICOLOR_FORCE", "1")], None);
    assert!(
        run.stdout.contains("\x1b["),
        "CLICOLOR_FORCE=1 colours a pipe: {:?}",
        run.stdout
    );
    let run = r.hookctl_env(&["--no-color", "check"], &[("CLICOLOR_FORCE", "1")], None);
    assert!(!run.stdout.contains('\x1b'), "{:?}", run.stdout);
    let run = r.hookctl(&["check"]);
    assert!(
        !run.stdout.contains('\x1b'),
        "a pipe is not coloured: {:?}",
        run.stdout
    );
}

#[test]
fn summary_says_one_file_in_the_singular() {
    let r = broken();
    r.hookctl(&["check"])
        .code(1)
        .contains("1 file checked,")
        .lacks("1 files");
}
