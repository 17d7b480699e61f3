//! `env/turbo-filtered` on `fixtures/turbo-strict`, and against turbo itself: the fixture's
//! build prints the variables turbo hands it (`turbo run build --env-mode=strict`, offline, no
//! cache), and the rule must fire exactly for the variables turbo removed.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::Command;

use crate::common::*;

/// Every variable the fixture's code reads, by the package whose build runs that code
/// (`packages/lib` has no build: it runs inside `web`'s).
const READS: &[(&str, &str, &[&str])] = &[
    (
        "apps/web/src/config.ts",
        "web",
        &[
            "API_URL",
            "GLOBAL_URL",
            "FEATURE_SEARCH",
            "FEATURE_HIDDEN",
            "SENTRY_DSN",
            "SENTRY_SECRET",
            "DEPLOY_KEY",
            "NEXT_PUBLIC_SITE_URL",
            "VITE_TITLE",
            "DATABASE_URL",
            "STRIPE_KEY",
            "ADMIN_ONLY",
            "GITHUB_SHA",
        ],
    ),
    (
        "apps/admin/src/main.ts",
        "admin",
        &[
            "ADMIN_ONLY",
            "API_URL",
            "VITE_TITLE",
            "FEATURE_SEARCH",
            "MAILER_HOST",
            "CMS_TOKEN",
        ],
    ),
    ("packages/lib/src/index.ts", "web", &["LIB_REGION", "API_URL"]),
    // A build tool's config: the build evaluates it, so a filtered read is an error there.
    ("apps/web/next.config.mjs", "web", &["SENTRY_SECRET", "API_URL"]),
];

fn fixture() -> Repo {
    let r = Repo::fixture("turbo-strict");
    r.commit_all("turbo fixture");
    r
}

/// `env/turbo-filtered` findings: path -> names (with `?` for warnings).
fn rule_findings(r: &Repo) -> BTreeMap<String, BTreeSet<String>> {
    let run = r.hookctl(&["check", "--all-findings", "--format", "json"]);
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in run.json()["findings"].as_array().unwrap() {
        if f["rule"] == "env/turbo-filtered" {
            let name = f["name"].as_str().unwrap().to_string();
            let shown = if f["severity"] == "warning" {
                format!("{name}?")
            } else {
                name
            };
            out.entry(f["path"].as_str().unwrap().to_string())
                .or_default()
                .insert(shown);
        }
    }
    out
}

fn quiet_other_rules(r: &Repo) {
    r.write(
        "hookctl.toml",
        "[rules]\n\"env/undeclared\" = \"off\"\n\"imports/undeclared-dependency\" = \"off\"\n\"deps/lockfile-drift\" = \"off\"\n",
    );
    r.commit_all("only the turbo rule");
}

#[test]
fn strict_mode_findings_as_users_see_them() {
    let r = fixture();
    quiet_other_rules(&r);
    cmd_snapshot!(
        r,
        "turbo_env_strict_findings",
        r.hookctl(&["check", "--all-findings"])
    );
}

#[test]
fn passing_every_name_or_loose_mode_silences_the_rule() {
    let r = fixture();
    // The valid twin: every name passed (a wildcard for all of them, one list per task).
    let turbo = r.read("turbo.json").replace(
        "\"env\": [\"API_URL\", \"FEATURE_*\", \"!FEATURE_HIDDEN\"]",
        "\"env\": [\"*\"]",
    );
    let turbo = turbo.replace("\"env\": [\"ADMIN_ONLY\", \"API_URL\"]", "\"env\": [\"*\"]");
    let turbo = turbo.replace("\"!SENTRY_SECRET\"", "\"SENTRY_SECRET\"");
    r.write("turbo.json", &turbo);
    r.commit_all("pass everything");
    assert_eq!(rule_findings(&r), BTreeMap::new());
    // Loose mode by config, then by the root script's flag.
    let r = fixture();
    let loose = r
        .read("turbo.json")
        .replacen('{', "{\n  \"envMode\": \"loose\",", 1);
    r.write("turbo.json", loose);
    r.commit_all("loose");
    assert_eq!(rule_findings(&r), BTreeMap::new());
    let r = fixture();
    let pkg = r
        .read("package.json")
        .replace("\"turbo run build\"", "\"turbo run build --env-mode=loose\"");
    r.write("package.json", pkg);
    r.commit_all("loose flag");
    assert_eq!(rule_findings(&r), BTreeMap::new());
}

#[test]
fn a_package_turbo_json_overrides_the_root_task() {
    let r = fixture();
    r.write(
        "apps/web/turbo.json",
        r#"{ "extends": ["//"], "tasks": { "build": { "env": ["$TURBO_EXTENDS$", "DATABASE_URL", "LIB_REGION"] } } }"#,
    );
    r.commit_all("web's own turbo.json");
    let got = rule_findings(&r);
    // Names with `?` are warnings (a read that may run only at run time).
    let web: BTreeSet<&str> = got["apps/web/src/config.ts"]
        .iter()
        .map(|n| n.trim_end_matches('?'))
        .collect();
    assert!(!web.contains("DATABASE_URL"), "{got:?}");
    assert!(!got.contains_key("packages/lib/src/index.ts"), "{got:?}");
    assert!(web.contains("VITE_TITLE"), "{got:?}");
}

/// The turbo binary to check against: `HOOKCTL_TEST_TURBO` (`.ci/run` installs turbo from npm
/// and sets it, with `HOOKCTL_REQUIRE_TURBO=1` so that a missing turbo fails there).
fn turbo_bin() -> Option<String> {
    prerequisite(
        std::env::var("HOOKCTL_TEST_TURBO").ok().filter(|b| !b.is_empty()),
        "HOOKCTL_REQUIRE_TURBO",
        "set HOOKCTL_TEST_TURBO to a turbo binary (npm i turbo) to compare with turbo itself",
    )
}

/// Run real turbo on `r` (`turbo run build --env-mode=strict`, offline, no cache, plus
/// `extra`), every variable of `reads` set, and compare what each build saw with the rule's
/// findings: the rule must fire exactly for the variables turbo removed. The report shows both.
fn compare_with_turbo(turbo: &str, r: &Repo, reads: &[(&str, &str, &[&str])], extra: &[&str]) -> String {
    let every: BTreeSet<&str> = reads.iter().flat_map(|(_, _, n)| n.iter().copied()).collect();
    let home = r.sibling("turbo-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut c = Command::new(turbo);
    c.current_dir(&r.root)
        .args([
            "run",
            "build",
            "--env-mode=strict",
            "--cache=local:,remote:",
            "--output-logs=full",
        ])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap())
        .env("HOME", &home)
        .env("TURBO_TELEMETRY_DISABLED", "1")
        .env("DO_NOT_TRACK", "1");
    for name in &every {
        c.env(name, "set-by-ci");
    }
    let out = Command::output(&mut c).unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    // What each package's build saw (`web:build: SEEN ...`; a single-package repository's
    // task is plain `build: SEEN ...`, named `//` here).
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some((task, rest)) = line.split_once(": SEEN ") {
            let task = task.trim();
            let pkg = task.strip_suffix(":build").unwrap_or("//").to_string();
            seen.insert(pkg, rest.split_whitespace().map(str::to_string).collect());
        }
    }
    let pkgs: BTreeSet<&str> = reads.iter().map(|(_, p, _)| *p).collect();
    assert_eq!(seen.len(), pkgs.len(), "{text}");
    // Removed by turbo, per reading file.
    let mut removed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let flags: String = extra.iter().map(|f| format!(" {f}")).collect();
    let mut report = format!("turbo run build --env-mode=strict{flags}\n");
    for (path, pkg, names) in reads {
        let gone: BTreeSet<String> = names
            .iter()
            .filter(|n| !seen[*pkg].contains(**n))
            .map(std::string::ToString::to_string)
            .collect();
        let _ = writeln!(
            report,
            "turbo {pkg}#build, code of {path}:\n  removed: {}",
            gone.iter().cloned().collect::<Vec<_>>().join(" ")
        );
        if !gone.is_empty() {
            removed.insert(path.to_string(), gone);
        }
    }
    let found = rule_findings(r);
    for (path, names) in &found {
        let _ = writeln!(
            report,
            "env/turbo-filtered in {path}: {}",
            names.iter().cloned().collect::<Vec<_>>().join(" ")
        );
    }
    let found_names: BTreeMap<String, BTreeSet<String>> = found
        .into_iter()
        .map(|(p, n)| {
            (
                p,
                n.into_iter()
                    .map(|n| n.trim_end_matches('?').to_string())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(found_names, removed, "\n{report}");
    report
}

fn check_turbo_version(turbo: &str, r: &Repo) {
    let version = Command::new(turbo).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        r.read("TURBO_VERSION").trim(),
        "the fixture records the turbo version it was checked with"
    );
}

#[test]
fn the_rule_fires_exactly_for_the_variables_real_turbo_removes() {
    let Some(turbo) = turbo_bin() else { return };
    let r = fixture();
    check_turbo_version(&turbo, &r);
    let report = compare_with_turbo(&turbo, &r, READS, &[]);
    snapshot!(r, "turbo_env_turbo_beside_the_rule", report);
}

/// The reads of `fixtures/turbo-root-only` (one package: the root, a Vite app).
const ROOT_ONLY_READS: &[(&str, &str, &[&str])] = &[(
    "src/main.ts",
    "//",
    &[
        "API_URL",
        "GLOBAL_URL",
        "VITE_TITLE",
        "STRIPE_KEY",
        "NEXT_PUBLIC_SITE_URL",
    ],
)];

fn root_only_fixture() -> Repo {
    let r = Repo::fixture("turbo-root-only");
    quiet_other_rules(&r);
    r
}

/// Rows with twins, each checked against turbo itself: framework inference on (the default:
/// a Vite package's `VITE_*` pass) and off (`--framework-inference=false` in the script that
/// runs turbo: they are removed), in a monorepo and in a root-only turbo repository (turbo's
/// single-package mode: the root's tasks and framework).
#[test]
fn framework_inference_off_and_root_only_repositories_match_real_turbo() {
    let Some(turbo) = turbo_bin() else { return };
    let inference_off = |r: &Repo| {
        let pkg = r.read("package.json").replace(
            "\"turbo run build\"",
            "\"turbo run build --framework-inference=false\"",
        );
        r.write("package.json", pkg);
        r.commit_all("no framework inference");
    };
    let mut reports = String::new();
    // Monorepo, inference off: admin's (a Vite app's) VITE_TITLE is removed too.
    let r = fixture();
    inference_off(&r);
    let off = compare_with_turbo(&turbo, &r, READS, &["--framework-inference=false"]);
    assert!(
        rule_findings(&r)["apps/admin/src/main.ts"].contains("VITE_TITLE"),
        "{off}"
    );
    reports.push_str(&off);
    // Root-only, inference on (the twin): VITE_TITLE passes; STRIPE_KEY is removed.
    let r = root_only_fixture();
    check_turbo_version(&turbo, &r);
    let on = compare_with_turbo(&turbo, &r, ROOT_ONLY_READS, &[]);
    assert_eq!(
        rule_findings(&r)["src/main.ts"],
        BTreeSet::from(["STRIPE_KEY?".to_string()]),
        "{on}"
    );
    reports.push_str(&on);
    // Root-only, inference off.
    inference_off(&r);
    let off = compare_with_turbo(&turbo, &r, ROOT_ONLY_READS, &["--framework-inference=false"]);
    reports.push_str(&off);
    snapshot!(r, "turbo_env_inference_and_root_only_beside_turbo", reports);
}

/// The same rows without turbo (they run everywhere): what the rule reports.
#[test]
fn framework_inference_off_and_root_only_repositories() {
    // (fixture, framework inference, expected findings: path -> names, `?` for warnings)
    type Row<'a> = (&'a str, bool, &'a [(&'a str, &'a [&'a str])]);
    let rows: &[Row<'_>] = &[
        (
            "turbo-strict",
            false,
            &[("apps/admin/src/main.ts", &["VITE_TITLE"])],
        ),
        ("turbo-root-only", true, &[("src/main.ts", &["STRIPE_KEY?"])]),
        (
            "turbo-root-only",
            false,
            &[("src/main.ts", &["STRIPE_KEY?", "VITE_TITLE"])],
        ),
    ];
    for &(fixture_name, inference, expect) in rows {
        let r = Repo::fixture(fixture_name);
        if !inference {
            let pkg = r.read("package.json").replace(
                "\"turbo run build\"",
                "\"turbo run build --framework-inference=false\"",
            );
            r.write("package.json", pkg);
        }
        quiet_other_rules(&r);
        let got = rule_findings(&r);
        for (path, names) in expect {
            let want: BTreeSet<String> = names.iter().map(|n| (*n).to_string()).collect();
            let have = got.get(*path).cloned().unwrap_or_default();
            if fixture_name == "turbo-strict" {
                // Only the names this row is about: the fixture reports others as well.
                assert!(
                    want.is_subset(&have),
                    "{fixture_name} inference={inference}: {got:?}"
                );
            } else {
                assert_eq!(have, want, "{fixture_name} inference={inference}: {got:?}");
            }
        }
    }
    // Twin of the first row: with inference on, admin's VITE_TITLE passes.
    let r = fixture();
    quiet_other_rules(&r);
    assert!(
        !rule_findings(&r)
            .get("apps/admin/src/main.ts")
            .is_some_and(|n| n.contains("VITE_TITLE")),
    );
}

/// Certainty, from the real-repo table (trpc, midday): only the build's own evaluation of a read
/// is certain to break. A non-bundler tool's config (drizzle, run by migrations) is a warning; a
/// name the build script assigns itself is set inside the task; a bundler config counts for its
/// own package's build only.
#[test]
fn only_reads_the_build_evaluates_are_errors() {
    let r = fixture();
    r.write(
        "apps/web/drizzle.config.ts",
        "export default { url: process.env.DATABASE_URL };\n",
    );
    r.write(
        "apps/web/vite.config.ts",
        "export default { base: process.env.INPUT, x: process.env.SENTRY_SECRET };\n",
    );
    let pkg = r.read("apps/web/package.json").replace(
        "\"build\": \"node ../../print-env.mjs\"",
        "\"build\": \"INPUT=main node ../../print-env.mjs\"",
    );
    r.write("apps/web/package.json", pkg);
    r.write(
        "packages/lib/vite.config.ts",
        "export default { base: process.env.LIB_REGION };\n",
    );
    r.commit_all("configs");
    let got = rule_findings(&r);
    assert_eq!(
        got.get("apps/web/drizzle.config.ts")
            .map(|s| s.iter().map(String::as_str).collect::<Vec<_>>()),
        Some(vec!["DATABASE_URL?"]),
        "{got:?}"
    );
    // Twin: a filtered name in the bundler config the build evaluates stays an error.
    assert_eq!(
        got.get("apps/web/vite.config.ts")
            .map(|s| s.iter().map(String::as_str).collect::<Vec<_>>()),
        Some(vec!["SENTRY_SECRET"]),
        "{got:?}"
    );
    // lib has no build of its own: its vite.config runs in no task.
    assert!(!got.contains_key("packages/lib/vite.config.ts"), "{got:?}");
}
