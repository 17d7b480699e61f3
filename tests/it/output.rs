//! The output layer: colour per stream, closed pipes, quiet/verbose (issue 10).

use std::fmt::Write as _;
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
    cmd_snapshot!(
        r,
        "output_summary_says_one_file_in_the_singular",
        r.hookctl(&["check"])
    );
}

/// A 5.5 MB minified bundle on one line with 200,000 `require("./mN")` calls, none of which
/// resolves (issue 10: the human renderer printed the whole line per finding, for minutes).
fn minified_bundle() -> Vec<u8> {
    bundle(200_000, 5_500_000)
}

fn bundle(requires: usize, size: usize) -> Vec<u8> {
    let mut s = String::with_capacity(size + 100);
    s.push_str("!function(){");
    for i in 0..requires {
        let _ = write!(s, "require(\"./m{i}\");");
    }
    while s.len() < size {
        s.push_str("var q=function(a){return a};");
    }
    s.push_str("}();");
    s.into_bytes()
}

#[test]
fn a_huge_minified_file_is_skipped_by_default_and_counted_in_the_summary() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write("vendor/bundle.js", minified_bundle());
    r.write("src/a.ts", "export const a = 1;\n");
    r.add(&["package.json", "vendor/bundle.js", "src/a.ts"]);
    cmd_snapshot!(
        r,
        "output_a_huge_minified_file_is_skipped_by_default_and_counted_in_the_summary",
        r.hookctl(&["check"])
    );
    let doc = r.hookctl(&["check", "--format", "json"]).ok().json();
    assert_eq!(doc["summary"]["skipped_too_large"], 1, "{doc}");
    assert_eq!(doc["findings"].as_array().unwrap().len(), 0);
    cmd_snapshot!(
        r,
        "output_a_huge_minified_file_is_skipped_by_default_and_counted_in_the_summary_1",
        r.hookctl(&["--verbose", "check"])
    );
}

#[test]
fn a_huge_minified_file_within_the_limit_is_counted_in_full_and_capped_in_human_output() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write("hookctl.toml", "[scan]\nmax_file_size = \"8 MiB\"\n");
    r.write("vendor/bundle.js", minified_bundle());
    r.add(&["package.json", "hookctl.toml", "vendor/bundle.js"]);
    let human = r.hookctl(&["check"]);
    cmd_snapshot!(
        r,
        "output_a_huge_minified_file_within_the_limit_is_counted_in_full_and_capped_in_human_output",
        human
    );
    assert_eq!(human.stdout.matches("error[imports/unresolved]").count(), 20);
    // Each shown line is a window of at most 160 columns, not the 5.5 MB line.
    assert!(
        human.stdout.len() < 40_000,
        "{} bytes of human output",
        human.stdout.len()
    );
    let longest = human.stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(longest <= 170, "a line of {longest} characters");
    cmd_snapshot!(
        r,
        "output_a_huge_minified_file_within_the_limit_is_counted_in_full_and_capped_in_human_output_1",
        human
    );
    // JSON, SARIF and GitHub completeness: `machine_formats_list_every_finding_of_a_minified_file`
    // (a second run of the 5.5 MB bundle costs some 15 s in a debug build, most of it parsing).
}

/// SARIF and GitHub annotations stay complete (a smaller bundle: each run of the 5.5 MB one costs
/// some 15 s in a debug build, most of it parsing).
#[test]
fn machine_formats_list_every_finding_of_a_minified_file() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write("vendor/bundle.js", bundle(5_000, 300_000));
    r.add(&["package.json", "vendor/bundle.js"]);
    let sarif = r.hookctl(&["check", "--format", "sarif"]).code(1).json();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 5_000);
    let gh = r.hookctl(&["check", "--format", "github"]);
    gh.code(1);
    assert_eq!(
        gh.stdout.lines().filter(|l| l.starts_with("::error ")).count(),
        5_000
    );
    let human = r.hookctl(&["check"]);
    cmd_snapshot!(
        r,
        "output_machine_formats_list_every_finding_of_a_minified_file",
        human
    );
    assert_eq!(human.stdout.matches("error[imports/unresolved]").count(), 20);
}

/// `--verbose` on `check` used to add nothing (issue 10).
#[test]
fn verbose_check_lists_scanned_cached_skipped_and_silenced() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(".gitignore", "generated/\n");
    r.write("generated/client.ts", "export const c = 1;\n");
    r.write(
        "src/a.ts",
        "import { c } from '../generated/client';\nexport const a = c;\n",
    );
    r.write("src/b.ts", "export const b = 1;\n");
    r.add(&["package.json", ".gitignore", "src/a.ts", "src/b.ts"]);
    cmd_snapshot!(
        r,
        "output_verbose_check_lists_scanned_cached_skipped_and_silenced",
        r.hookctl(&["--verbose", "check"])
    );
    cmd_snapshot!(
        r,
        "output_verbose_check_lists_scanned_cached_skipped_and_silenced_1",
        r.hookctl(&["--verbose", "check"])
    );
    cmd_snapshot!(
        r,
        "output_verbose_check_lists_scanned_cached_skipped_and_silenced_2",
        r.hookctl(&["check"])
    );
}
