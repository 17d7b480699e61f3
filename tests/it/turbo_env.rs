//! `env/turbo-filtered` on `fixtures/turbo-strict`, and against turbo itself: the fixture's
//! build prints the variables turbo hands it (`turbo run build --env-mode=strict`, offline, no
//! cache), and the rule must fire exactly for the variables turbo removed.

use std::collections::{BTreeMap, BTreeSet};
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

#[test]
fn the_rule_fires_exactly_for_the_variables_real_turbo_removes() {
    let Some(turbo) = turbo_bin() else { return };
    let r = fixture();
    let version = Command::new(&turbo).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        r.read("TURBO_VERSION").trim(),
        "the fixture records the turbo version it was checked with"
    );
    let every: BTreeSet<&str> = READS.iter().flat_map(|(_, _, n)| n.iter().copied()).collect();
    let home = r.sibling("turbo-home");
    std::fs::create_dir_all(&home).unwrap();
    let mut c = Command::new(&turbo);
    c.current_dir(&r.root)
        .args([
            "run",
            "build",
            "--env-mode=strict",
            "--cache=local:,remote:",
            "--output-logs=full",
        ])
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
    // What each package's build saw.
    let mut seen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in text.lines() {
        if let Some((task, rest)) = line.split_once(": SEEN ") {
            let pkg = task.trim().trim_end_matches(":build").to_string();
            seen.insert(pkg, rest.split_whitespace().map(str::to_string).collect());
        }
    }
    assert_eq!(seen.len(), 2, "{text}");
    // Removed by turbo, per reading file.
    let mut removed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut report = String::new();
    for (path, pkg, names) in READS {
        let gone: BTreeSet<String> = names
            .iter()
            .filter(|n| !seen[*pkg].contains(**n))
            .map(std::string::ToString::to_string)
            .collect();
        report.push_str(&format!(
            "turbo {pkg}#build, code of {path}:\n  removed: {}\n",
            gone.iter().cloned().collect::<Vec<_>>().join(" ")
        ));
        if !gone.is_empty() {
            removed.insert(path.to_string(), gone);
        }
    }
    let found = rule_findings(&r);
    for (path, names) in &found {
        report.push_str(&format!(
            "env/turbo-filtered in {path}: {}\n",
            names.iter().cloned().collect::<Vec<_>>().join(" ")
        ));
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
    snapshot!(r, "turbo_env_turbo_beside_the_rule", report);
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
