//! Every configuration error: exit 2, toml's own line, column and snippet, a message that says
//! what to do (issue 10: errors pointed at the wrong line, bad regexes and globs passed load).

use crate::common::*;

/// `hookctl check` with this `hookctl.toml`: exit 2, the error at `line`; returns stderr.
fn config_error(r: &Repo, toml: &str, line: usize) -> String {
    r.write("hookctl.toml", toml);
    let run = r.hookctl(&["check"]);
    run.code(2)
        .contains("error: invalid configuration in")
        .contains(&format!("caused by: TOML parse error at line {line}, column"));
    run.stderr
}

/// A realistic file: the bad value sits far down, after tables that parse fine.
fn padded(bad: &str) -> (String, usize) {
    let head = "[rules]\n\"env/unused\" = \"warning\"\n\n[imports]\ngenerated = [\"gen\"]\n\n[pre-commit]\nchecks = [\"imports\", \"env\"]\n\n[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"eslint {files}\"\nglob = \"*.ts\"\n\n";
    (format!("{head}{bad}"), head.lines().count() + 1)
}

#[test]
fn config_errors_point_at_their_own_line_with_a_snippet() {
    let r = Repo::new();
    r.write("a.ts", "export {};\n").add(&["a.ts"]);
    let cases: &[(&str, &str, usize)] = &[
        // (name, text after the padding, line offset of the bad value within it)
        (
            "bad_timeout",
            "[[pre-push.jobs]]\nname = \"build\"\nrun = \"npm run build\"\ntimeout = \"10 parsecs\"\n",
            3,
        ),
        (
            "unknown_job_key",
            "[[pre-push.jobs]]\nname = \"build\"\nrun = \"x\"\nglobb = \"*.ts\"\n",
            3,
        ),
        (
            "invalid_job_glob",
            "[[pre-push.jobs]]\nname = \"t\"\nrun = \"x\"\nglob = \"src/**/*.{ts\"\n",
            3,
        ),
        (
            "job_root_outside",
            "[[pre-push.jobs]]\nname = \"t\"\nrun = \"x\"\nroot = \"../elsewhere\"\n",
            3,
        ),
        (
            "invalid_job_root_glob",
            "[[pre-push.jobs]]\nname = \"t\"\nrun = \"x\"\nroot = \"apps/{web\"\n",
            3,
        ),
        ("unknown_check_group", "[pre-push]\nchecks = [\"import\"]\n", 1),
        (
            "job_named_like_a_group",
            "[[pre-push.jobs]]\nname = \"env\"\nrun = \"x\"\n",
            1,
        ),
        ("hook_name_typo", "[pre-comit]\nchecks = [\"imports\"]\n", 0),
        (
            "hook_name_typo_push",
            "[[pre-psuh.jobs]]\nname = \"t\"\nrun = \"x\"\n",
            0,
        ),
        ("bad_max_file_size", "[scan]\nmax_file_size = \"lots\"\n", 1),
        ("toml_syntax", "[pre-push\nchecks = []\n", 0),
    ];
    for (name, bad, offset) in cases {
        let (text, first) = padded(bad);
        let stderr = config_error(&r, &text, first + offset);
        snapshot!(r, format!("config_error_{name}"), stderr);
    }
    // The regex in `[imports]`, and the unknown rule, on their own lines in a short file.
    let stderr = config_error(
        &r,
        "[imports]\ngenerated = []\nnot_files = [\"^~icons/\", \"(unclosed\"]\n",
        3,
    );
    snapshot!(r, "config_error_invalid_not_files_regex", stderr);
    let stderr = config_error(
        &r,
        "[rules]\n\"imports/untracked\" = \"off\"\n\"imports/unresolvd\" = \"warning\"\n",
        3,
    );
    snapshot!(r, "config_error_unknown_rule", stderr);
    let stderr = config_error(&r, "verbose = true\n[rules]\n", 1);
    snapshot!(r, "config_error_top_level_value", stderr);
    let stderr = config_error(&r, "[rules]\n\"imports/untracked\" = \"never\"\n", 2);
    snapshot!(r, "config_error_unknown_level", stderr);
}

/// The valid twin of `invalid_job_root_glob`: a glob `root` is read once, and its job runs in
/// each folder it matches that holds staged files.
#[test]
fn a_valid_root_glob_runs_its_job_in_each_matching_folder() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        pre_commit_job(
            "t",
            "run = \"echo in $(basename $PWD): {files}\"\nroot = \"apps/{web,api}\"\n",
        ),
    )
    .write("apps/web/a.ts", "export {};\n")
    .write("apps/api/b.ts", "export {};\n")
    .write("apps/docs/c.ts", "export {};\n")
    .add(&["."]);
    let run = r.hookctl(&["run", "pre-commit"]);
    snapshot!(r, "config_root_glob_runs_per_folder", jobs_sorted(&run.shown()));
}

#[test]
fn custom_hooks_and_good_durations_still_load() {
    let r = Repo::new();
    r.write("a.ts", "export {};\n").add(&["a.ts"]);
    r.write(
        "hookctl.toml",
        "[pre-deploy]\n[[pre-deploy.jobs]]\nname = \"build\"\nrun = \"true\"\ntimeout = \"1m30s\"\n\n[post-commit]\nchecks = []\n\n[scan]\nmax_file_size = 2000000\n",
    );
    // Committed: pre-deploy's `git/clean` wants a clean work tree.
    r.commit_all("init");
    r.hookctl(&["check"]).ok();
    cmd_snapshot!(
        r,
        "config_errors_custom_hooks_and_good_durations_still_load",
        r.hookctl(&["run", "pre-deploy"])
    );
}

/// An invalid job glob used to pass `check` and fail only at `run`; an invalid `not_files`
/// regex was silently dropped. Both are exit 2 for every command that loads the config.
#[test]
fn invalid_globs_and_regexes_fail_every_command_at_load() {
    let r = Repo::new();
    r.write("a.ts", "export {};\n").add(&["a.ts"]);
    r.write(
        "hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"t\"\nrun = \"true\"\nglob = \"*.{ts\"\n",
    );
    cmd_snapshot!(
        r,
        "config_errors_invalid_globs_and_regexes_fail_every_command_at_load_1",
        r.hookctl(&["check"])
    );
    cmd_snapshot!(
        r,
        "config_errors_invalid_globs_and_regexes_fail_every_command_at_load_2",
        r.hookctl(&["run", "pre-commit"])
    );
    r.write("hookctl.toml", "[imports]\nnot_files = [\"[\"]\n");
    cmd_snapshot!(
        r,
        "config_errors_invalid_globs_and_regexes_fail_every_command_at_load_3",
        r.hookctl(&["check"])
    );
    cmd_snapshot!(
        r,
        "config_errors_invalid_globs_and_regexes_fail_every_command_at_load_4",
        r.hookctl(&["env", "diff", "--against", "a.ts"])
    );
    cmd_snapshot!(
        r,
        "config_errors_invalid_globs_and_regexes_fail_every_command_at_load_5",
        r.hookctl(&["doctor"])
    );
}
