//! `extends`: a chain from a local file and from an npm package under `node_modules`, merged
//! in order as one configuration (jobs by name, `enabled = false` dropping an inherited job),
//! its errors at the file and line that set the key, `hookctl config show`, and the caches
//! keyed on the merged content.

use crate::common::*;
use std::fmt::Write as _;

const BASE: &str = r#"[rules]
"env/unused" = "warning"

[env]
allow = ["BASE_URL"]

[[pre-commit.jobs]]
name = "lint"
run = "echo lint {files}"
glob = "*.ts"

[[pre-commit.jobs]]
name = "typecheck"
run = "echo typecheck"
"#;

const PACKAGE: &str = r#"[commit]
max_subject_length = 72

[[pre-commit.jobs]]
name = "format"
run = "echo format {files}"

[[pre-commit.jobs]]
name = "no-todo"
run = "! grep -n TODO {files}"
glob = "*.ts"
"#;

const ROOT: &str = r#"extends = ["./tooling/hookctl.base.toml", "@acme/hookctl-config"]

[rules]
"env/unused" = "off"

[pre-commit]
parallel = false

[[pre-commit.jobs]]
name = "lint"
glob = ["*.ts", "*.tsx"]

[[pre-commit.jobs]]
name = "format"
enabled = false
"#;

fn chained() -> Repo {
    let r = Repo::new();
    r.write("tooling/hookctl.base.toml", BASE)
        .write("node_modules/@acme/hookctl-config/hookctl.toml", PACKAGE)
        .write(
            "node_modules/@acme/hookctl-config/package.json",
            r#"{"name":"@acme/hookctl-config","version":"1.0.0"}"#,
        )
        .write(".gitignore", "node_modules/\n")
        .write("hookctl.toml", ROOT)
        .write("src/a.ts", "export const a = 1;\n");
    r.add(&[
        ".gitignore",
        "hookctl.toml",
        "tooling/hookctl.base.toml",
        "src/a.ts",
    ]);
    r
}

#[test]
fn a_chain_from_a_local_file_and_a_package_runs_as_one_config() {
    let r = chained();
    r.hookctl(&["install"]).ok();
    // lint (base, glob overridden here), typecheck (base), no-todo (package); format dropped.
    let run = r.commit(&["-q", "-m", "feat: a"]);
    cmd_snapshot!(r, "extends_commit_runs_the_merged_jobs", run);
    assert_eq!(run.code, 0);
    // The package's job blocks what it should, from the package's file.
    r.write("src/b.ts", "// TODO remove\nexport const b = 1;\n");
    r.add(&["src/b.ts"]);
    let run = r.commit(&["-q", "-m", "feat: b"]);
    assert_eq!(run.code, 1, "{}", run.all());
    run.contains("no-todo").contains("TODO remove");
    // Its twin without the TODO passes.
    r.write("src/b.ts", "export const b = 1;\n");
    r.add(&["src/b.ts"]);
    r.commit(&["-q", "-m", "feat: b"]).ok();
}

#[test]
fn config_show_says_where_each_value_came_from() {
    let r = chained();
    r.write(
        "apps/web/hookctl.toml",
        "[rules]\n\"env/dynamic\" = \"warning\"\n\n[[pre-commit.jobs]]\nname = \"web-test\"\nrun = \"echo web {files}\"\n",
    )
    .write("apps/web/package.json", r#"{"name":"@acme/web"}"#)
    .write("package.json", r#"{"private":true,"workspaces":["apps/*"]}"#)
    .write("hookctl.local.toml", "[env]\nallow = [\"MY_LAPTOP\"]\n");
    cmd_snapshot!(r, "config_show_extends", r.hookctl(&["config", "show"]));
    cmd_snapshot!(
        r,
        "config_show_package",
        r.hookctl(&["config", "show", "--package", "@acme/web"])
    );
}

#[test]
fn a_bad_key_in_a_base_is_reported_at_the_base_file_and_line() {
    let r = chained();
    r.write(
        "node_modules/@acme/hookctl-config/hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"no-todo\"\nrun = \"echo\"\nglobb = \"*.ts\"\n",
    );
    cmd_snapshot!(r, "extends_error_in_package", r.hookctl(&["run", "pre-commit"]));
    // A job that the extending file completes is valid: the merged config is validated.
    r.write(
        "tooling/hookctl.base.toml",
        "[[pre-commit.jobs]]\nname = \"lint\"\nglob = \"*.ts\"\n",
    )
    .write("node_modules/@acme/hookctl-config/hookctl.toml", "")
    .write(
        "hookctl.toml",
        "extends = [\"./tooling/hookctl.base.toml\"]\n[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"echo lint {files}\"\n",
    );
    r.hookctl(&["run", "pre-commit"]).ok().contains("lint");
    // Without the extending file's `run`, the base's job is incomplete: said at the base's line.
    r.write("hookctl.toml", "extends = [\"./tooling/hookctl.base.toml\"]\n");
    cmd_snapshot!(
        r,
        "extends_error_incomplete_job",
        r.hookctl(&["run", "pre-commit"])
    );
}

#[test]
fn a_missing_package_or_a_loop_is_a_config_error() {
    let r = chained();
    std::fs::remove_dir_all(r.path("node_modules")).unwrap();
    cmd_snapshot!(
        r,
        "extends_package_not_installed",
        r.hookctl(&["run", "pre-commit"])
    );
    r.write("tooling/hookctl.base.toml", "extends = [\"../hookctl.toml\"]\n")
        .write("hookctl.toml", "extends = [\"./tooling/hookctl.base.toml\"]\n");
    cmd_snapshot!(r, "extends_loop", r.hookctl(&["config", "show"]));
}

/// The clean-file cache is keyed on the merged `[imports]`: editing only a base changes the
/// verdict of a warm run exactly as of a cold one.
#[test]
fn editing_a_base_invalidates_cached_verdicts() {
    let r = Repo::new();
    r.write(
        "tooling/base.toml",
        "[imports]\nnot_files = [\"^virtual:\", \"^\\\\./gen/\"]\n",
    )
    .write("hookctl.toml", "extends = [\"./tooling/base.toml\"]\n")
    .write(
        "src/a.ts",
        "import { x } from \"./gen/x\";\nexport const a = x;\n",
    );
    r.commit_all("init");
    let findings = |r: &Repo| {
        check_findings(r, &["--rev", "HEAD", "--all-findings"])
            .into_iter()
            .map(|(rule, path, _)| format!("{rule} {path}"))
            .collect::<Vec<_>>()
    };
    assert!(findings(&r).is_empty());
    assert!(findings(&r).is_empty(), "warm");
    // Only the base changes (not hookctl.toml, not the commit).
    r.write("tooling/base.toml", "[imports]\nnot_files = [\"^virtual:\"]\n");
    assert_eq!(findings(&r), ["imports/unresolved src/a.ts"]);
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    assert_eq!(findings(&r), ["imports/unresolved src/a.ts"], "cold");
}

/// The same code in two workspace packages, one with a `hookctl.toml` of its own.
const WEB_SETTINGS: &str = r#"[env]
allow = ["WEB_KEY"]

[imports]
not_files = ["^~icons/"]

[deps]
dev_globs = ["**/tools/**"]

[secrets]
skip = ["**/keys/**"]

[rules]
"env/unused" = "warning"
"#;

fn two_packages(web_settings: &str) -> Repo {
    let r = workspace(&["packages/*"]);
    r.write(".env.example", "UNUSED_AT_ROOT=\n");
    for pkg in ["web", "api"] {
        r.write(
            &format!("packages/{pkg}/package.json"),
            format!(r#"{{"name":"{pkg}","scripts":{{"start":"node src/page.js"}},"devDependencies":{{"vitest":"1.0.0"}}}}"#),
        )
        .write(
            &format!("packages/{pkg}/src/page.ts"),
            "import icons from \"~icons/mdi\";\nexport const key = process.env.WEB_KEY;\nexport default icons;\n",
        )
        .write(
            &format!("packages/{pkg}/tools/gen.ts"),
            "import { describe } from \"vitest\";\nexport default describe;\n",
        )
        .write(
            &format!("packages/{pkg}/keys/aws.ts"),
            format!("export const id = \"{}\";\n", ["AKIA", "Q3EGRIVYX2N7TB5K"].concat()),
        )
        .write(&format!("packages/{pkg}/.env.example"), "UNUSED_IN_PACKAGE=\n");
    }
    r.write("packages/web/hookctl.toml", web_settings);
    r.commit_all("init");
    r
}

fn finding_lines(r: &Repo, args: &[&str]) -> Vec<String> {
    check_findings(r, args)
        .into_iter()
        .map(|(rule, path, _)| format!("{rule} {path}"))
        .collect()
}

/// Nearest wins in a run of the whole repository: a package's `[env]`, `[imports]`, `[deps]`,
/// `[secrets]` and `[rules]` (a rule off at the root, on in the package) apply to its files exactly as in a run of that package, and the
/// package beside it keeps the root's.
#[test]
fn a_packages_settings_apply_to_its_files_in_a_whole_repository_run() {
    let r = two_packages(WEB_SETTINGS);
    let whole = r.hookctl(&["check", "--all-findings"]);
    cmd_snapshot!(r, "nested_settings_whole_repository", whole);
    // The same verdicts for the package's files as its own run gives (a commit touching both).
    for pkg in ["web", "api"] {
        r.write(
            &format!("packages/{pkg}/src/extra.ts"),
            "import more from \"~icons/more\";\nexport const k = process.env.WEB_KEY;\nexport default more;\n",
        );
    }
    r.git(&["add", "-A"]).ok();
    let staged_whole = r.hookctl(&["run", "pre-commit"]);
    let web_only = r.hookctl(&["run", "pre-commit", "--package", "web"]);
    let web_lines = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| l.contains("packages/web/"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        web_lines(&staged_whole.all()),
        web_lines(&web_only.all()),
        "{}\n---\n{}",
        staged_whole.all(),
        web_only.all()
    );
    staged_whole.contains("packages/api/src/extra.ts");
}

/// Caches key on every nested configuration's content: editing only a package's
/// `hookctl.toml` changes a warm run exactly as a cold one.
#[test]
fn editing_only_a_packages_file_changes_a_warm_run_as_a_cold_one() {
    let r = two_packages(WEB_SETTINGS);
    let args = ["--rev", "HEAD", "--all-findings"];
    let before = finding_lines(&r, &args);
    assert_eq!(finding_lines(&r, &args), before, "warm");
    // Only the package's file changes (not the commit): `~icons/` is reported again there.
    r.write(
        "packages/web/hookctl.toml",
        WEB_SETTINGS.replace("not_files = [\"^~icons/\"]", "not_files = []"),
    );
    let warm = finding_lines(&r, &args);
    assert_ne!(warm, before, "the edit changes the verdicts");
    std::fs::remove_dir_all(r.path(".git/hookctl")).unwrap();
    assert_eq!(finding_lines(&r, &args), warm, "cold = warm");
}

/// What has no meaning for a folder (`[cache]`, `[server]`, `[commit]`) is refused in a
/// package's own file, with its line and why; set by a base the package extends (shared with
/// the root), the root's value stays and nothing is refused. A hook's own keys are not refused
/// (nearest wins: `nested_hooks.rs`).
#[test]
fn repository_wide_keys_in_a_packages_file_are_refused_with_their_line() {
    let r = two_packages(WEB_SETTINGS);
    let mut text = String::new();
    for (title, extra) in [
        ("[cache]", "\n[cache]\nremote = \"turbo\"\n"),
        ("[server]", "\n[server]\non_timeout = \"refuse\"\n"),
        ("[commit]", "\n[commit]\nmax_subject_length = 50\n"),
        (
            "a hook's checks (allowed)",
            "\n[pre-commit]\nchecks = [\"imports\"]\n",
        ),
    ] {
        r.write("packages/web/hookctl.toml", format!("{WEB_SETTINGS}{extra}"));
        for args in [&["check"][..], &["run", "pre-commit", "--package", "web"][..]] {
            let run = r.hookctl(args);
            let _ = writeln!(
                text,
                "## {title}, hookctl {}: exit {}\n{}",
                args.join(" "),
                run.code,
                run.stderr.lines().next().unwrap_or_default()
            );
        }
    }
    snapshot!(r, "nested_repository_wide_refused", text);
}

/// A base shared by the root and a package may set `[commit]`: in the package's configuration
/// the root's value stays, and `config show --package` says it comes from the root's file (the
/// base's value is not shown as if the package had set it).
#[test]
fn config_show_of_a_package_shows_the_roots_repository_wide_values_as_the_roots() {
    let r = two_packages(WEB_SETTINGS);
    r.write("tooling/base.toml", "[commit]\nmax_subject_length = 10\n")
        .write("hookctl.toml", "[commit]\nmax_subject_length = 72\n")
        .write(
            "packages/web/hookctl.toml",
            format!("extends = [\"../../tooling/base.toml\"]\n{WEB_SETTINGS}"),
        );
    let run = r.hookctl(&["config", "show", "--package", "web"]);
    cmd_snapshot!(r, "nested_config_show_provenance", run);
}

/// A package's file costs a pass of the engine over the snapshot only when the root's pass
/// cannot give its answer: levels alone (`[rules]`) are applied to the root's findings when
/// they are finalized; another per-file setting, or a rule the root turns off and the package
/// turns on, needs its own pass. Either way the package's files get the verdicts of a run of
/// that package.
#[test]
fn a_package_pays_for_a_pass_of_its_own_only_when_levels_cannot_answer() {
    let rows: &[(&str, &str, usize)] = &[
        ("levels only", "[rules]\n\"env/undeclared\" = \"warning\"\n", 1),
        (
            "a rule off at the root, on in the package",
            "[rules]\n\"env/unused\" = \"warning\"\n",
            2,
        ),
        ("another per-file setting", "[env]\nallow = [\"WEB_KEY\"]\n", 2),
    ];
    for (name, settings, passes) in rows {
        let r = two_packages(settings);
        let timed = r.hookctl_env(&["check", "--all-findings"], &[("HOOKCTL_TIMINGS", "1")], None);
        let setups = timed
            .all()
            .lines()
            .filter(|l| l.contains("timing: resolver setup:"))
            .count();
        assert_eq!(setups, *passes, "{name}: engine passes\n{}", timed.all());
        // (rule, path, severity) of the package's files.
        let web = || -> Vec<String> {
            let run = r.hookctl(&["check", "--all-findings", "--format", "json"]);
            let mut v: Vec<String> = run.json()["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["path"].as_str().unwrap().starts_with("packages/web/"))
                .map(|f| format!("{} {} {}", f["rule"], f["path"], f["severity"]))
                .collect();
            v.sort();
            v
        };
        let with_file = web();
        std::fs::rename(r.path("packages/web/hookctl.toml"), r.path("moved.toml")).unwrap();
        let without = web();
        assert_ne!(
            with_file, without,
            "{name}: the package's file changes its verdicts"
        );
    }
}

/// `hookctl resolve` and `{affected}` resolve each file with its nearest package's `[imports]`,
/// as the checks do: `~icons/` is not a file in `web` (its `not_files`), and its `./dep` import
/// is not followed there, while `api` keeps the root's.
#[test]
fn resolve_and_affected_use_each_files_nearest_imports() {
    let r = two_packages(
        WEB_SETTINGS
            .replace(
                "not_files = [\"^~icons/\"]",
                "not_files = [\"^~icons/\", \"^\\\\./dep$\"]",
            )
            .as_str(),
    );
    for pkg in ["web", "api"] {
        r.write(&format!("packages/{pkg}/src/dep.ts"), "export const d = 1;\n")
            .write(
                &format!("packages/{pkg}/src/uses.ts"),
                "import { d } from \"./dep\";\nexport const u = d;\n",
            );
    }
    r.write(
        "hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"affected\"\nrun = \"echo {affected}\"\n",
    );
    r.commit_all("deps");
    let run = r.hookctl(&["resolve"]);
    let lines: Vec<String> = run
        .stdout
        .lines()
        .filter(|l| l.contains("~icons") || l.contains("./dep"))
        .map(str::to_string)
        .collect();
    // The twin: the same imports in the two packages resolve differently.
    let verdicts = |pkg: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.contains(&format!("packages/{pkg}/")))
            .map(|l| l.replace(pkg, "PKG"))
            .collect()
    };
    assert_ne!(verdicts("web"), verdicts("api"), "{}", lines.join("\n"));
    for pkg in ["web", "api"] {
        r.write(&format!("packages/{pkg}/src/dep.ts"), "export const d = 2;\n");
    }
    r.add(&["packages/web/src/dep.ts", "packages/api/src/dep.ts"]);
    let affected = r.hookctl(&["run", "pre-commit", "--job", "affected"]);
    snapshot!(
        r,
        "nested_resolve_and_affected",
        format!(
            "$ hookctl resolve (imports of ~icons and ./dep)\n{}\n\n$ hookctl run pre-commit --job affected\n{}",
            lines.join("\n"),
            affected.shown()
        )
    );
}
