//! Ordered jobs: `[[hook.groups]]` and `group` (one stage after another, the jobs of a stage
//! at the same time), `priority` as the shorthand, `fail_fast` per group, the built-in checks
//! placed first or last, and the summary in the configured order.

use std::fmt::Write as _;
use std::path::Path;

use crate::common::*;

fn run(r: &Repo, hook: &str) -> Run {
    isolated_run(r, &["run", hook])
}

/// A job that logs its start, waits for `waits_for` to have started (so the two can only
/// pass when they run at the same time), and logs its end.
fn job(name: &str, group: &str, log: &Path, waits_for: Option<&str>) -> String {
    let dir = log.parent().unwrap();
    let wait = match waits_for {
        Some(other) => format!(
            "until [ -e {d}/{other}.started ]; do sleep 0.01; done; ",
            d = s(dir)
        ),
        None => String::new(),
    };
    format!(
        r#"
[[pre-commit.jobs]]
name = "{name}"
group = "{group}"
timeout = "10s"
run = "echo start {name} >> {log}; touch {d}/{name}.started; {wait}echo end {name} >> {log}"
"#,
        log = s(log),
        d = s(dir)
    )
}

#[test]
fn groups_run_in_order_and_their_jobs_together() {
    let r = Repo::new();
    let log = r.sibling("log");
    let mut config = String::from(
        "[pre-commit]\nchecks = []\n[[pre-commit.groups]]\nname = \"fix\"\n[[pre-commit.groups]]\nname = \"check\"\n",
    );
    // Listed check-first: the order is the groups', not the list's.
    config.push_str(&job("lint", "check", &log, Some("types")));
    config.push_str(&job("types", "check", &log, Some("lint")));
    config.push_str(&job("format", "fix", &log, Some("sort")));
    config.push_str(&job("sort", "fix", &log, Some("format")));
    r.write("hookctl.toml", config).commit_all("init");
    run(&r, "pre-commit").ok();
    let got = lines(&log);
    let pos = |l: &str| {
        got.iter()
            .position(|x| x == l)
            .unwrap_or_else(|| panic!("{l}: {got:?}"))
    };
    // Inside a group each job waited for the other: they ran together.
    for (a, b) in [("format", "sort"), ("lint", "types")] {
        assert!(pos(&format!("start {a}")) < pos(&format!("end {b}")), "{got:?}");
        assert!(pos(&format!("start {b}")) < pos(&format!("end {a}")), "{got:?}");
    }
    // Between groups: every `fix` job ended before any `check` job started.
    let last_fix = pos("end format").max(pos("end sort"));
    let first_check = pos("start lint").min(pos("start types"));
    assert!(last_fix < first_check, "{got:?}");
}

#[test]
fn priority_is_a_shorthand_lowest_first_unset_last() {
    let r = Repo::new();
    let log = s(&r.sibling("log"));
    r.write(
        "hookctl.toml",
        format!(
            r#"
[pre-commit]
checks = []
[[pre-commit.jobs]]
name = "last"
run = "echo last >> {log}"
[[pre-commit.jobs]]
name = "second"
run = "echo second >> {log}"
priority = 2
[[pre-commit.jobs]]
name = "first"
run = "sleep 0.3; echo first >> {log}"
priority = 1
"#
        ),
    )
    .commit_all("init");
    let out = run(&r, "pre-commit");
    out.ok();
    assert_eq!(lines(Path::new(&log)), ["first", "second", "last"]);
    snapshot!(r, "ordering_priority", out.stderr);
}

#[test]
fn a_fail_fast_group_stops_the_hook_and_the_checks_placed_last() {
    let r = Repo::new();
    let log = s(&r.sibling("log"));
    r.write(
        "hookctl.toml",
        format!(
            r#"
[pre-commit]
checks_order = "last"

[[pre-commit.groups]]
name = "setup"

[[pre-commit.groups]]
name = "verify"
fail_fast = true

[[pre-commit.groups]]
name = "report"

[[pre-commit.jobs]]
name = "codegen"
group = "setup"
run = "echo codegen >> {log}"

[[pre-commit.jobs]]
name = "types"
group = "verify"
run = "echo types failed; exit 3"

[[pre-commit.jobs]]
name = "slow-tests"
group = "verify"
run = "sleep 30; echo slow >> {log}"

[[pre-commit.jobs]]
name = "coverage"
group = "report"
run = "echo coverage >> {log}"
"#
        ),
    )
    .write("a.ts", "export const a = 1;\n")
    .commit_all("init");
    let out = run(&r, "pre-commit");
    // slow-tests was cancelled, not waited for: it would have logged `slow` on its way out.
    assert_eq!(lines(Path::new(&log)), ["codegen"]);
    cmd_snapshot!(r, "ordering_fail_fast_group", out);
}

/// Orders shown as users see them: one row per configuration, each pinned by its snapshot.
#[test]
fn configured_orders_as_shown() {
    for (snapshot, hook, toml) in [
        // Without fail_fast a failing group lets the next run, and the summary keeps the
        // configuration's order (not the order jobs finished in).
        (
            "ordering_summary_order",
            "pre-commit",
            r#"
[pre-commit]
checks_order = "last"

[[pre-commit.jobs]]
name = "slow"
group = "one"
run = "sleep 0.5; echo slow"

[[pre-commit.jobs]]
name = "broken"
group = "one"
run = "exit 1"

[[pre-commit.jobs]]
name = "quick"
group = "one"
run = "echo quick"

[[pre-commit.jobs]]
name = "after"
group = "two"
run = "echo after"
"#,
        ),
        // pre-deploy places the checks first by default.
        (
            "ordering_pre_deploy",
            "pre-deploy",
            r#"
[pre-deploy]
checks = ["imports", "env"]
[[pre-deploy.jobs]]
name = "build"
priority = 1
run = "sleep 0.3; echo built"
[[pre-deploy.jobs]]
name = "smoke"
priority = 2
run = "echo smoke"
"#,
        ),
    ] {
        let r = Repo::new();
        r.write("hookctl.toml", toml)
            .write("a.ts", "export const a = 1;\n")
            .commit_all("init");
        cmd_snapshot!(r, snapshot, run(&r, hook));
    }
}

#[test]
fn ordering_mistakes_are_config_errors_with_file_and_line() {
    let r = Repo::new();
    r.write("a.txt", "1").commit_all("init");
    let mut text = String::new();
    for (title, toml) in [
        (
            "group and priority on one job",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\ngroup = \"a\"\npriority = 1\n",
        ),
        (
            "groups and priorities in one hook",
            "[pre-commit]\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\ngroup = \"a\"\n[[pre-commit.jobs]]\nname = \"y\"\nrun = \"true\"\npriority = 1\n",
        ),
        (
            "a group that is not declared",
            "[pre-commit]\n[[pre-commit.groups]]\nname = \"lint\"\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\ngroup = \"lint\"\n[[pre-commit.jobs]]\nname = \"y\"\nrun = \"true\"\ngroup = \"lnit\"\n",
        ),
        (
            "a declared group no job uses",
            "[pre-commit]\n[[pre-commit.groups]]\nname = \"lint\"\n[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\n",
        ),
        ("a bad checks_order", "[pre-commit]\nchecks_order = \"middle\"\n"),
    ] {
        r.write("hookctl.toml", toml);
        let out = run(&r, "pre-commit");
        let _ = writeln!(text, "## {title}: exit {}\n{}", out.code, out.stderr);
    }
    snapshot!(r, "ordering_config_errors", text);
}

/// The README's example of conditions, ref-range hooks and groups is a valid configuration.
#[test]
fn the_readme_example_loads() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("### Conditions, ref-range hooks and order")
        .nth(1)
        .expect("the README section");
    let toml = section
        .split("```toml\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("its example");
    let c =
        hookctl::config::parse(Path::new("hookctl.toml"), toml).unwrap_or_else(|e| panic!("{}", e.chain()));
    assert_eq!(c.hooks["pre-commit"].groups.len(), 2);
    assert_eq!(c.hooks["post-merge"].jobs.len(), 2);
}
