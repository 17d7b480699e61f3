//! Nearest wins for a hook's own keys: a workspace package's `hookctl.toml` may set `skip`,
//! `only`, `checks`, `parallel`, `fail_fast`, `groups`, `checks_order` and `file_checkout`;
//! they govern that package's jobs and the built-in checks of its files, in a run of the whole
//! repository as in a run of that package, while the root's keep governing the rest. Each row
//! is run with the package's key and without it (the twin): the key must change what the user
//! sees.

use crate::common::*;
use std::fmt::Write as _;

const ROOT: &str = r#"[[pre-commit.jobs]]
name = "root-job"
run = "echo root-job"

[[post-checkout.jobs]]
name = "root-checkout"
run = "echo root-checkout"
"#;

/// The package's jobs, after its `[pre-commit]` keys.
const WEB_JOBS: &str = r#"
[[pre-commit.jobs]]
name = "web-a"
run = "echo web-a"

[[pre-commit.jobs]]
name = "web-b"
run = "echo web-b"
"#;

/// A monorepo with two packages, a staged file in each reading an undeclared variable; `web`
/// has `web_keys` then its jobs (`WEB_JOBS` unless `web_keys` holds some).
fn repo(web_keys: &str) -> Repo {
    let jobs = if web_keys.contains("[[pre-commit.jobs]]") {
        ""
    } else {
        WEB_JOBS
    };
    let r = workspace(&["packages/*"]);
    r.write(".env.example", "\n")
        .write("hookctl.toml", ROOT)
        .package("packages/web", "web", Some(&format!("{web_keys}{jobs}")))
        .package("packages/api", "api", None)
        .commit_all("init");
    r.write(
        "packages/web/src/a.ts",
        "export const a = process.env.WEB_ONLY;\n",
    )
    .write(
        "packages/api/src/b.ts",
        "export const b = process.env.API_ONLY;\n",
    )
    .add(&["packages/web/src/a.ts", "packages/api/src/b.ts"]);
    r
}

/// The jobs of the `fail_fast` row: the first fails.
const FAILING: &str = "\n[[pre-commit.jobs]]\nname = \"web-a\"\nrun = \"echo web-a fails; exit 1\"\n\n[[pre-commit.jobs]]\nname = \"web-b\"\nrun = \"echo web-b\"\n";

/// The jobs of the `groups` row.
const GROUPED: &str = "\n[[pre-commit.jobs]]\nname = \"web-a\"\nrun = \"echo web-a\"\ngroup = \"second\"\n\n[[pre-commit.jobs]]\nname = \"web-b\"\nrun = \"echo web-b\"\ngroup = \"first\"\n";

/// `(row, the package's [pre-commit] keys, its jobs, hookctl's arguments)`.
const ROWS: &[(&str, &str, &str, &[&str])] = &[
    (
        "only: the package's part runs on release branches only",
        "[pre-commit]\nonly = [{ ref = \"release/*\" }]\n",
        WEB_JOBS,
        &["run", "pre-commit"],
    ),
    (
        "only, in a run of the package",
        "[pre-commit]\nonly = [{ ref = \"release/*\" }]\n",
        WEB_JOBS,
        &["run", "pre-commit", "--package", "web"],
    ),
    (
        "checks: the package's files get its check groups",
        "[pre-commit]\nchecks = [\"secrets\"]\n",
        WEB_JOBS,
        &["run", "pre-commit"],
    ),
    (
        "checks, in a run of the package",
        "[pre-commit]\nchecks = [\"secrets\"]\n",
        WEB_JOBS,
        &["run", "pre-commit", "--package", "web"],
    ),
    (
        "fail_fast and parallel = false: the package's first failure stops its own jobs",
        "[pre-commit]\nfail_fast = true\nparallel = false\n",
        FAILING,
        &["run", "pre-commit"],
    ),
    (
        "groups: the package's jobs in its groups' order",
        "[[pre-commit.groups]]\nname = \"first\"\n\n[[pre-commit.groups]]\nname = \"second\"\n",
        GROUPED,
        &["run", "pre-commit"],
    ),
];

#[test]
fn a_packages_hook_keys_govern_its_jobs_and_its_files() {
    let mut text = String::new();
    for (row, keys, jobs, args) in ROWS {
        let keys = format!("{keys}{jobs}");
        let with = repo(&keys).hookctl(args);
        let without = repo(jobs).hookctl(args);
        assert_ne!(
            jobs_sorted(&with.all()),
            jobs_sorted(&without.all()),
            "{row}: the package's keys change nothing\n{}",
            with.all()
        );
        let r = repo(&keys);
        let run = r.hookctl(args);
        let _ = writeln!(
            text,
            "## {row}\n$ hookctl {}\n{}",
            args.join(" "),
            scrub(&r, &jobs_sorted(&run.shown()))
        );
    }
    snapshot!(Repo::new(), "nested_hook_keys", text);
}

/// `HOOKCTL_SKIP` names a job of a package's part like any other: it is skipped, with no
/// "no job is named" warning.
#[test]
fn hookctl_skip_names_a_job_of_a_packages_part() {
    let r = repo("[pre-commit]\nparallel = false\n");
    let run = r.hookctl_env(&["run", "pre-commit"], &[("HOOKCTL_SKIP", "web-a")], None);
    run.lacks("no job, rule or check group is named")
        .lacks("│ web-a")
        .contains("│ web-b");
}

/// `checks_order = "last"` in a package: its files are checked after its jobs, so a fixer
/// among them is checked as fixed; the root's files are still checked first.
#[test]
fn a_packages_checks_order_places_its_files_checks_after_its_jobs() {
    let fixer = "[pre-commit]\nchecks_order = \"last\"\n\n[[pre-commit.jobs]]\nname = \"web-a\"\nrun = \"printf 'export const a = 1;\\\\n' > src/a.ts\"\nstage_fixed = true\n";
    let r = repo(fixer);
    let last = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(r, "nested_checks_order_last", last);
    // The twin: placed first (the root's order), the file is checked before the fixer ran.
    let first = repo(&fixer.replace("checks_order = \"last\"\n", ""));
    let run = first.hookctl(&["run", "pre-commit"]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.contains("WEB_ONLY");
}

/// `file_checkout = true` in a package: `git checkout -- file` (flag 0) runs the package's
/// `post-checkout` jobs, not the root's.
#[test]
fn a_packages_file_checkout_runs_its_jobs_after_a_file_checkout() {
    let keys = "[post-checkout]\nfile_checkout = true\n\n[[post-checkout.jobs]]\nname = \"web-checkout\"\nrun = \"echo web-checkout {files}\"\n";
    // Flag 0 with two refs that differ (as `ref_hooks.rs` runs it): the files of the second
    // commit are the changed files.
    let args = ["run", "post-checkout", "HEAD~1", "HEAD", "0"];
    let r = repo(keys);
    r.commit_all("files");
    let run = r.hookctl(&args);
    cmd_snapshot!(r, "nested_file_checkout", run);
    // The twin: without the key, a file checkout runs nothing.
    let r = repo(&keys.replace("file_checkout = true\n", ""));
    r.commit_all("files");
    let run = r.hookctl(&args);
    assert_eq!(run.all(), "", "{}", run.all());
}

/// A package inside the package of a `--package` run (its own `hookctl.toml`): its files get its
/// configuration (the root's, then its own), not the outer package's, as in a run of the whole
/// repository.
#[test]
fn a_package_inside_the_package_run_checks_its_files_with_its_own_config() {
    let r = workspace(&["packages/*", "packages/web/widgets"]);
    r.write(".env.example", "\n")
        .package("packages/web", "web", Some("[env]\nallow = [\"WEB_KEY\"]\n"))
        .package(
            "packages/web/widgets",
            "widgets",
            Some("[env]\nallow = [\"WIDGET_KEY\"]\n"),
        )
        .commit_all("init");
    let reads = "export const a = [process.env.WEB_KEY, process.env.WIDGET_KEY];\n";
    r.write("packages/web/src/a.ts", reads)
        .write("packages/web/widgets/src/w.ts", reads)
        .add(&["packages/web/src/a.ts", "packages/web/widgets/src/w.ts"]);
    let package = r.hookctl(&["run", "pre-commit", "--package", "web"]);
    cmd_snapshot!(r, "nested_package_inside_package_run", package);
    // The twin: the whole repository's run, where nearest wins already held, gives the inner
    // package's files the same verdicts.
    let whole = r.hookctl(&["run", "pre-commit"]);
    let widgets = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("widgets/src/w.ts"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        widgets(&package.stdout),
        widgets(&whole.stdout),
        "{}",
        whole.all()
    );
}

/// Checks placed both first (the root's) and last (a package's `checks_order = "last"`) end
/// with one summary line of the whole commit, and `--format json` prints one document: the
/// findings of both halves and their one summary.
#[test]
fn checks_placed_first_and_last_print_one_summary() {
    let keys = "[pre-commit]\nchecks_order = \"last\"\n";
    let r = repo(keys);
    let run = r.hookctl(&["run", "pre-commit", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}):\n{}", run.stdout));
    let names: Vec<&str> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(names, ["API_ONLY", "WEB_ONLY"], "{}", run.stdout);
    assert_eq!(doc["summary"]["errors"], 2, "{}", run.stdout);
    assert_eq!(doc["summary"]["files"], 2, "{}", run.stdout);
    // The root's `fail_fast` stops the checks placed last (its job fails; the root's half
    // found nothing): the first half's line still ends the output, once.
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"acme","private":true,"workspaces":["packages/*"]}"#,
    )
    .write(".env.example", "\n")
    .write(
        "hookctl.toml",
        "[pre-commit]\nfail_fast = true\n\n[[pre-commit.jobs]]\nname = \"root-job\"\nrun = \"echo root-job fails; exit 1\"\n",
    )
    .write("packages/web/package.json", r#"{"name":"web"}"#)
    .write("packages/api/package.json", r#"{"name":"api"}"#)
    .write("packages/web/hookctl.toml", keys);
    r.commit_all("init");
    r.write(
        "packages/web/src/a.ts",
        "export const a = process.env.WEB_ONLY;\n",
    )
    .write("packages/api/src/b.ts", "export const b = 1;\n")
    .add(&["packages/web/src/a.ts", "packages/api/src/b.ts"]);
    let run = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(r, "nested_checks_last_not_run", run);
}

/// A package inside the package of a `--package` run runs its own jobs there, with its own
/// table (nearest wins: its `fail_fast` stops its second job, not the outer package's), on
/// its files; a run of a sibling package runs none of them.
#[test]
fn a_package_inside_the_package_run_runs_its_jobs_with_its_own_table() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"acme","private":true,"workspaces":["packages/*","packages/web/widgets"]}"#,
    )
    .write(".env.example", "\n")
    .write("packages/web/package.json", r#"{"name":"web"}"#)
    .write(
        "packages/web/hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"web-job\"\nrun = \"echo web-job {files}\"\n",
    )
    .write("packages/api/package.json", r#"{"name":"api"}"#)
    .write("packages/web/widgets/package.json", r#"{"name":"widgets"}"#)
    .write(
        "packages/web/widgets/hookctl.toml",
        "[pre-commit]\nfail_fast = true\nparallel = false\n\n[[pre-commit.jobs]]\nname = \"widget-check\"\nrun = \"echo widget-check {files}; exit 1\"\n\n[[pre-commit.jobs]]\nname = \"widget-after\"\nrun = \"echo widget-after\"\n",
    );
    r.commit_all("init");
    r.write("packages/web/src/a.ts", "export const a = 1;\n")
        .write("packages/web/widgets/src/w.ts", "export const w = 1;\n")
        .write("packages/api/src/b.ts", "export const b = 1;\n")
        .add(&[
            "packages/web/src/a.ts",
            "packages/web/widgets/src/w.ts",
            "packages/api/src/b.ts",
        ]);
    let run = r.hookctl(&["run", "pre-commit", "--package", "web"]);
    let shown = jobs_sorted(&run.shown());
    snapshot!(r, "nested_package_run_inner_jobs", shown);
    // The twin: a sibling's run has none of them.
    let api = r.hookctl(&["run", "pre-commit", "--package", "api"]);
    assert_eq!(api.code, 0, "{}", api.all());
    api.lacks("widget-").lacks("web-job");
}

/// A package's `checks` may add a check group the root's table leaves out, in `pre-deploy`
/// (its own row, its files only) and `pre-push` as in `pre-commit`: the package's files get
/// it, the root's and other packages' files do not.
#[test]
fn a_packages_checks_add_a_group_in_pre_deploy_and_pre_push() {
    let root = "[pre-deploy]\nchecks = [\"imports\"]\n\n[pre-push]\nchecks = [\"imports\"]\n";
    let web = "[pre-deploy]\nchecks = [\"env\"]\n\n[pre-push]\nchecks = [\"env\"]\n";
    let build = |web: &str| {
        let r = Repo::new();
        r.write(
            "package.json",
            r#"{"name":"acme","private":true,"workspaces":["packages/*"]}"#,
        )
        .write(".env.example", "\n")
        .write("hookctl.toml", root)
        .write("packages/web/package.json", r#"{"name":"web"}"#)
        .write("packages/api/package.json", r#"{"name":"api"}"#)
        .write("packages/web/hookctl.toml", web)
        .write(
            "packages/web/src/a.ts",
            "export const a = process.env.WEB_ONLY;\n",
        )
        .write(
            "packages/api/src/b.ts",
            "export const b = process.env.API_ONLY;\n",
        )
        .write("src/c.ts", "export const c = process.env.ROOT_ONLY;\n");
        r.commit_all("init");
        r
    };
    let push = |r: &Repo| {
        let head = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
        let stdin = format!("refs/heads/main {head} refs/heads/main {}\n", "0".repeat(40));
        r.hookctl_env(&["run", "pre-push", "origin", "url"], &[], Some(&stdin))
    };
    let r = build(web);
    let deploy = r.hookctl(&["run", "pre-deploy"]);
    let pushed = push(&r);
    let mut text = String::new();
    let _ = writeln!(
        text,
        "$ hookctl run pre-deploy\n{}\n$ hookctl run pre-push\n{}",
        scrub(&r, &deploy.shown()),
        scrub(&r, &pushed.shown())
    );
    snapshot!(r, "nested_checks_add_group_deploy_push", text);
    // The twin: without the package's `checks`, no env finding anywhere.
    let r = build("");
    for run in [r.hookctl(&["run", "pre-deploy"]), push(&r)] {
        assert_eq!(run.code, 0, "{}", run.all());
        run.lacks("WEB_ONLY").lacks("API_ONLY").lacks("ROOT_ONLY");
    }
}
