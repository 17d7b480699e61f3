//! What users see, pinned whole: every output format of `check`, and `install`, `doctor`,
//! `init` (insta snapshots under tests/it/snapshots, temp paths and timings filtered).

use crate::common::*;

/// The postmortem: two untracked imports and an env var only in `.env.local`.
fn postmortem() -> Repo {
    let r = Repo::fixture("postmortem");
    r.git(&["add", "-A"]).ok();
    r.git(&["reset", "-q", "--", "lib/utils"]).ok();
    r
}

#[test]
fn check_output_in_every_format() {
    let r = postmortem();
    let human = r.hookctl(&["check"]);
    human.code(1);
    snapshot!(r, "check_human", human.stdout);
    let json = r.hookctl(&["check", "--format", "json"]);
    json.code(1);
    snapshot!(r, "check_json", json.stdout);
    let sarif = r.hookctl(&["check", "--format", "sarif"]);
    sarif.code(1);
    snapshot!(r, "check_sarif", sarif.stdout);
    let github = r.hookctl(&["check", "--format", "github"]);
    github.code(1);
    snapshot!(r, "check_github", github.stdout);
    // The README's example is this output.
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block: String = human.stdout.lines().take(7).map(|l| format!("{l}\n")).collect();
    assert!(
        readme.contains(&block),
        "README example differs from the output:\n{block}"
    );
}

#[test]
fn check_output_marks_new_findings_against_head() {
    let r = postmortem();
    r.git(&["commit", "-q", "--no-verify", "-m", "gallery"]).ok();
    r.write("app/extra.ts", "import './nope';\n")
        .add(&["app/extra.ts"]);
    let human = r.hookctl(&["check"]);
    human.code(1);
    snapshot!(r, "check_human_marked", human.stdout);
    let new = r.hookctl(&["check", "--new"]);
    new.code(1);
    snapshot!(r, "check_human_new_only", new.stdout);
}

#[test]
fn install_doctor_init_output() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"app","dependencies":{"next":"14.0.0"}}"#,
    );
    r.write(
        "tsconfig.json",
        r#"{"compilerOptions":{"baseUrl":".","paths":{"@/*":["./src/*"]}}}"#,
    );
    r.write(".env.example", "DATABASE_URL=\n");
    r.write("src/a.ts", "export const a = 1;\n");
    r.commit_all("init");
    let init = r.hookctl(&["init"]);
    init.ok();
    snapshot!(r, "init_stderr", init.stderr);
    snapshot!(r, "init_hookctl_toml", r.read("hookctl.toml"));
    let install = r.hookctl(&["install"]);
    install.ok();
    snapshot!(r, "install_stderr", install.stderr);
    // A job whose program is everywhere (where exactly varies: filtered below).
    r.write(
        "hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"hello\"\nrun = \"sh -c true\"\n",
    );
    let bin_dir = std::path::Path::new(BIN).parent().unwrap().display().to_string();
    let doctor = r.hookctl_env(&["doctor"], &[("PATH", "/usr/bin:/bin")], None);
    doctor.ok();
    let out = doctor.stdout.replace(&bin_dir, "[BIN]");
    let out = regex::Regex::new(r"found at /\S+")
        .unwrap()
        .replace_all(&out, "found at [PATH]");
    snapshot!(r, "doctor_stdout", out);
    let quiet = r.hookctl_env(&["doctor", "-q"], &[("PATH", "/usr/bin:/bin")], None);
    quiet.ok();
    assert_eq!(quiet.stdout, "", "doctor -q with nothing to say prints nothing");
}
