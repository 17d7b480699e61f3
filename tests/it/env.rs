//! `hookctl env check` and `hookctl env diff` with the real binary. `fixtures/env-app` declares
//! `NEXTAUTH_SECRET`, `NEXTAUTH_URL`, `DATABASE_URL`, `DB_PORT`, `STRIPE_SECRET_KEY`,
//! `NEXT_PUBLIC_POSTHOG_KEY` and (optional) `SENTRY_DSN`; `.env.development` is a valid environment.

use std::fmt::Write as _;
use std::process::Command;

use serde_json::Value;

use crate::common::*;

fn app() -> Repo {
    Repo::fixture("env-app")
}

/// The findings of a `--format json` run, as (rule, path, line, name).
fn findings(run: &Run) -> Vec<(String, String, u64, String)> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["name"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn messages(run: &Run) -> Vec<String> {
    run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

/// `.env.development` with one line replaced (by its name).
fn dev_env_with(repo: &Repo, name: &str, line: &str) -> String {
    repo.read(".env.development")
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{name}=")) {
                line.to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn a_valid_environment_passes() {
    let repo = app();
    let run = repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.development",
        "--format",
        "json",
    ]);
    run.code(0);
    assert_eq!(findings(&run), []);
    assert_eq!(run.json()["summary"]["errors"], 0);
}

#[test]
fn too_short_nextauth_secret_is_invalid() {
    let repo = app();
    let env = dev_env_with(&repo, "NEXTAUTH_SECRET", "NEXTAUTH_SECRET=twelve-chars");
    repo.write(".env.production", env);
    let run = repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.production",
        "--format",
        "json",
    ]);
    run.code(1);
    assert_eq!(
        findings(&run),
        [(
            "env/invalid".into(),
            ".env.production".into(),
            1,
            "NEXTAUTH_SECRET".into()
        )]
    );
    snapshot!(
        repo,
        "env_invalid_short_secret_message",
        messages(&run).join("\n")
    );
    run.lacks("twelve-chars");
}

#[test]
fn a_url_variable_without_a_scheme_is_invalid() {
    let repo = app();
    repo.write(
        ".env.production",
        dev_env_with(&repo, "DATABASE_URL", "DATABASE_URL=db.internal:5432/app"),
    );
    let run = repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.production",
        "--format",
        "json",
    ]);
    run.code(1);
    assert_eq!(
        findings(&run),
        [(
            "env/invalid".into(),
            ".env.production".into(),
            3,
            "DATABASE_URL".into()
        )]
    );
    snapshot!(repo, "env_invalid_url_message", messages(&run).join("\n"));
    run.lacks("db.internal");
}

#[test]
fn a_port_out_of_range_is_invalid() {
    let repo = app();
    repo.write(".env.production", dev_env_with(&repo, "DB_PORT", "DB_PORT=70000"));
    let run = repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.production",
        "--format",
        "json",
    ]);
    run.code(1);
    assert_eq!(
        findings(&run),
        [(
            "env/invalid".into(),
            ".env.production".into(),
            4,
            "DB_PORT".into()
        )]
    );
    snapshot!(repo, "env_invalid_port_message", messages(&run).join("\n"));
    run.lacks("70000");
}

#[test]
fn a_stripe_test_key_fails_in_production_only() {
    let repo = app();
    let args = [
        "env",
        "check",
        "--env-file",
        ".env.development",
        "--format",
        "json",
    ];
    repo.hookctl(&args).code(0);
    let mut prod = args.to_vec();
    prod.extend(["--environment", "production"]);
    let run = repo.hookctl(&prod);
    run.code(1);
    assert_eq!(
        findings(&run),
        [(
            "env/invalid".into(),
            ".env.development".into(),
            5,
            "STRIPE_SECRET_KEY".into()
        )]
    );
    snapshot!(
        repo,
        "env_invalid_stripe_test_key_message",
        messages(&run).join("\n")
    );
    run.lacks("51ExampleKeyForTests");
    // Another environment keeps the base rule.
    let mut staging = args.to_vec();
    staging.extend(["--environment", "staging"]);
    repo.hookctl(&staging).code(0);
}

#[test]
fn a_missing_name_is_reported_where_it_is_declared() {
    let repo = app();
    let without: String = repo
        .read(".env.development")
        .lines()
        .filter(|l| !l.starts_with("DATABASE_URL="))
        .map(|l| format!("{l}\n"))
        .collect();
    repo.write(".env.production", without);
    let run = repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.production",
        "--format",
        "json",
    ]);
    run.code(1);
    assert_eq!(
        findings(&run),
        [(
            "env/missing".into(),
            ".env.example".into(),
            4,
            "DATABASE_URL".into()
        )]
    );
    // SENTRY_DSN is optional in hookctl.toml: absent and fine.
    run.lacks("SENTRY_DSN");
}

#[test]
fn an_empty_value_counts_as_set() {
    let repo = app();
    repo.write(
        ".env.production",
        dev_env_with(&repo, "NEXT_PUBLIC_POSTHOG_KEY", "NEXT_PUBLIC_POSTHOG_KEY="),
    );
    repo.hookctl(&["env", "check", "--env-file", ".env.production"])
        .code(0);
}

#[test]
fn later_env_files_win() {
    let repo = app();
    repo.write(".env.override", "DB_PORT=0\n");
    let run = repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.development",
        "--env-file",
        ".env.override",
        "--format",
        "json",
    ]);
    run.code(1);
    assert_eq!(
        findings(&run),
        [("env/invalid".into(), ".env.override".into(), 1, "DB_PORT".into())]
    );
    repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.override",
        "--env-file",
        ".env.development",
    ])
    .code(0);
}

#[test]
fn a_json_export_is_checked_with_line_numbers() {
    let repo = app();
    repo.write(
        "vercel-env.json",
        r#"{
  "NEXTAUTH_SECRET": "0123456789abcdef0123456789abcdef",
  "NEXTAUTH_URL": "https://app.example.com",
  "DATABASE_URL": "postgres://u@db/app",
  "DB_PORT": "not-a-port",
  "STRIPE_SECRET_KEY": "sk_test_abc",
  "NEXT_PUBLIC_POSTHOG_KEY": "phc_x"
}"#,
    );
    let run = repo.hookctl(&[
        "env",
        "check",
        "--json-file",
        "vercel-env.json",
        "--format",
        "json",
    ]);
    run.code(1);
    assert_eq!(
        findings(&run),
        [(
            "env/invalid".into(),
            "vercel-env.json".into(),
            5,
            "DB_PORT".into()
        )]
    );
}

#[test]
fn a_json_file_that_is_not_an_object_of_strings_is_a_usage_error() {
    let repo = app();
    repo.write("list.json", r#"["NEXTAUTH_SECRET"]"#);
    cmd_snapshot!(
        repo,
        "env_a_json_file_that_is_not_an_object_of_strings_is_a_usage_error_1",
        repo.hookctl(&["env", "check", "--json-file", "list.json"])
    );
    repo.write(
        "num.json",
        r#"{"NEXTAUTH_URL": "https://x.dev", "DB_PORT": 5432}"#,
    );
    cmd_snapshot!(
        repo,
        "env_a_json_file_that_is_not_an_object_of_strings_is_a_usage_error_2",
        repo.hookctl(&["env", "check", "--json-file", "num.json"])
    );
    repo.write("broken.json", r#"{"DB_PORT": "5432""#);
    cmd_snapshot!(
        repo,
        "env_a_json_file_that_is_not_an_object_of_strings_is_a_usage_error_3",
        repo.hookctl(&["env", "check", "--json-file", "broken.json"])
    );
}

#[test]
fn missing_env_file_or_no_source_is_a_usage_error() {
    let repo = app();
    cmd_snapshot!(
        repo,
        "env_missing_env_file_or_no_source_is_a_usage_error_1",
        repo.hookctl(&["env", "check", "--env-file", "nope.env"])
    );
    cmd_snapshot!(
        repo,
        "env_missing_env_file_or_no_source_is_a_usage_error_2",
        repo.hookctl(&["env", "check"])
    );
    repo.hookctl(&["env", "diff", "--against", "nope.env"]).code(2);
}

#[test]
fn a_bad_pattern_in_config_is_a_usage_error_saying_where() {
    let repo = app();
    repo.write("hookctl.toml", "[env.vars.DB_PORT]\npattern = \"(unclosed\"\n");
    // Refused when the config is read, with its file, line and column.
    cmd_snapshot!(
        repo,
        "env_a_bad_pattern_in_config_is_a_usage_error_saying_where",
        repo.hookctl(&["env", "check", "--env-file", ".env.development"])
    );
}

#[test]
fn a_binary_env_file_is_unreadable_not_a_panic() {
    let repo = app();
    let mut bytes = b"NEXTAUTH_SECRET=abc\n".to_vec();
    bytes.extend_from_slice(&[0x89, b'P', b'N', b'G', 0, 0, 0xff, 0xfe, b'\n']);
    repo.write("blob.env", &bytes);
    let run = repo.hookctl(&["env", "check", "--env-file", "blob.env", "--format", "json"]);
    run.code(1);
    let f = findings(&run);
    assert!(
        f.contains(&("files/unreadable".into(), "blob.env".into(), 2, String::new())),
        "{f:?}"
    );
    let binary = messages(&run).join("\n");
    // Nothing was read from it, so every required name is missing.
    assert!(f.iter().any(|x| x.0 == "env/missing" && x.3 == "NEXTAUTH_SECRET"));
    repo.write("latin1.env", b"NEXTAUTH_URL=caf\xe9\n");
    let run = repo.hookctl(&["env", "check", "--env-file", "latin1.env", "--format", "json"]);
    run.code(1);
    let text = format!(
        "# blob.env\n{binary}\n# latin1.env\n{}",
        messages(&run).join("\n")
    );
    snapshot!(repo, "env_unreadable_file_messages", text);
}

#[test]
fn a_malformed_line_is_reported_and_the_rest_is_read() {
    let repo = app();
    let env = repo
        .read(".env.development")
        .replacen("DB_PORT=5432", "DB_PORT=5432\nthis line is wrong", 1);
    repo.write(".env.production", env);
    let run = repo.hookctl(&[
        "env",
        "check",
        "--env-file",
        ".env.production",
        "--format",
        "json",
    ]);
    run.code(1);
    // Only the bad line: every name after it was still read.
    assert_eq!(
        findings(&run),
        [(
            "files/unreadable".into(),
            ".env.production".into(),
            5,
            String::new()
        )]
    );
}

#[test]
fn a_ten_megabyte_env_file_is_read_to_its_last_line() {
    let repo = app();
    let mut text = repo.read(".env.development");
    let mut i = 0;
    while text.len() < 10 * 1024 * 1024 {
        let _ = writeln!(
            text,
            "GENERATED_VAR_{i}=\"some value {i} that is reasonably long\" # note"
        );
        i += 1;
    }
    text.push_str("DB_PORT=0\n");
    repo.write("big.env", text);
    // Its speed is measured by the bench, not here: a wall-clock bound fails on a loaded machine.
    let run = repo.hookctl(&["env", "check", "--env-file", "big.env", "--format", "json"]);
    run.code(1);
    // The last line still counts (later assignments win).
    let f = findings(&run);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!((f[0].0.as_str(), f[0].3.as_str()), ("env/invalid", "DB_PORT"));
}

#[test]
fn process_environment_works_without_a_repository() {
    let repo = app();
    // A container: the app's files without `.git`.
    let dir = repo.sibling("container");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(repo.path(".env.example"), dir.join(".env.example")).unwrap();
    std::fs::copy(repo.path("hookctl.toml"), dir.join("hookctl.toml")).unwrap();
    let mut c = Command::new(BIN);
    for v in ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "NO_COLOR"] {
        c.env_remove(v);
    }
    c.current_dir(&dir)
        .args(["env", "check", "--process", "--format", "json"])
        .env("GIT_CEILING_DIRECTORIES", dir.parent().unwrap())
        .env("NEXTAUTH_SECRET", "short")
        .env("NEXTAUTH_URL", "https://app.example.com")
        .env("DATABASE_URL", "postgres://db/app")
        .env("DB_PORT", "5432")
        .env("STRIPE_SECRET_KEY", "sk_test_x")
        .env("NEXT_PUBLIC_POSTHOG_KEY", "phc_x");
    let run = run_with_stdin(c, None);
    run.code(1);
    assert_eq!(
        findings(&run),
        [(
            "env/invalid".into(),
            "<process>".into(),
            0,
            "NEXTAUTH_SECRET".into()
        )]
    );
}

#[test]
fn diff_reports_missing_and_extra_names() {
    let repo = app();
    repo.write(
        "prod.env",
        "NEXTAUTH_SECRET=x\nNEXTAUTH_URL=x\nDB_PORT=1\nSTRIPE_SECRET_KEY=x\nNEXT_PUBLIC_POSTHOG_KEY=x\n\
         EXTRA_THING=1\nNODE_ENV=production\nVERCEL_URL=x\nLEGACY_FLAG=1\nWEB_ONLY_VAR=1\n",
    );
    let run = repo.hookctl(&["env", "diff", "--against", "prod.env", "--format", "json"]);
    run.code(1);
    assert_eq!(
        findings(&run),
        [
            (
                "env/missing".into(),
                ".env.example".into(),
                4,
                "DATABASE_URL".into()
            ),
            ("env/extra".into(), "prod.env".into(), 6, "EXTRA_THING".into()),
        ]
    );
    let severities: Vec<Value> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].clone())
        .collect();
    assert_eq!(severities, ["error", "warning"]);
}

#[test]
fn diff_with_only_extra_names_is_a_warning() {
    let repo = app();
    let env = repo.read(".env.development") + "EXTRA_THING=1\n";
    repo.write("prod.env", env);
    let run = repo.hookctl(&["env", "diff", "--against", "prod.env"]);
    cmd_snapshot!(repo, "env_diff_with_only_extra_names_is_a_warning", run);
}

#[test]
fn diff_against_a_json_export() {
    let repo = app();
    repo.write(
        "export.json",
        r#"{"NEXTAUTH_SECRET": "x", "NEXTAUTH_URL": "x", "DATABASE_URL": "x", "DB_PORT": "1",
"STRIPE_SECRET_KEY": "x", "NEXT_PUBLIC_POSTHOG_KEY": "x",
"STRAY": "x"}"#,
    );
    let run = repo.hookctl(&["env", "diff", "--against", "export.json", "--format", "json"]);
    run.code(0);
    assert_eq!(
        findings(&run),
        [("env/extra".into(), "export.json".into(), 3, "STRAY".into())]
    );
    repo.write("arr.json", "[]");
    repo.hookctl(&["env", "diff", "--against", "arr.json"]).code(2);
}

#[test]
fn rule_levels_from_config_apply() {
    let repo = app();
    let config =
        repo.read("hookctl.toml") + "\n[rules]\n\"env/invalid\" = \"warning\"\n\"env/extra\" = \"off\"\n";
    repo.write("hookctl.toml", config);
    repo.write(".env.production", dev_env_with(&repo, "DB_PORT", "DB_PORT=0"));
    cmd_snapshot!(
        repo,
        "env_rule_levels_from_config_apply",
        repo.hookctl(&["env", "check", "--env-file", ".env.production"])
    );
    let env = repo.read(".env.development") + "EXTRA_THING=1\n";
    repo.write("prod.env", env);
    repo.hookctl(&["env", "diff", "--against", "prod.env"])
        .code(0)
        .lacks("EXTRA_THING");
}

/// Values are never printed: every format, both commands, every kind of finding, over files
/// full of distinctive secrets. Each value carries the canary `Qz9Canary`.
#[expect(
    clippy::too_many_lines,
    reason = "a table of formats, commands and finding kinds"
)]
#[test]
fn no_value_is_ever_printed() {
    const CANARY: &str = "Qz9Canary";
    let repo = app();
    repo.write(
        "hookctl.toml",
        r#"
[env.vars.STRIPE_SECRET_KEY]
starts_with = "sk_test_"
[env.vars.STRIPE_SECRET_KEY.environments.production]
starts_with = "sk_live_"
[env.vars.DB_PORT]
pattern = "[0-9]+"
[env.vars.LOG_LEVEL]
one_of = ["debug", "info"]
[env.vars.ADMIN_EMAIL]
format = "email"
[env.vars.TENANT_ID]
format = "uuid"
"#,
    );
    let live = ["sk_", "live_", CANARY, "51H8xKJzq2PdLmN4vRtY6wEa"].concat();
    let pem = [
        "-----BEGIN ",
        "RSA PRIVATE KEY-----\\n",
        CANARY,
        "MIIEpAIBAAKCAQEA\\n-----END RSA PRIVATE KEY-----",
    ]
    .concat();
    let lines = [
        format!("NEXTAUTH_SECRET={CANARY}short"),
        format!("NEXTAUTH_URL={CANARY}.example.com"),
        format!("DATABASE_URL=postgres://admin:{CANARY}Zq8rT2vLx9Wk4Ym7@db.internal:5432/app"),
        format!("DB_PORT={CANARY}"),
        format!("STRIPE_SECRET_KEY=\"{live}\""),
        format!("LOG_LEVEL={CANARY}"),
        format!("ADMIN_EMAIL={CANARY}-not-an-email"),
        format!("TENANT_ID={CANARY}"),
        format!("NEXT_PUBLIC_PRIVATE_KEY=\"{pem}\""),
        format!("EXTRA_SECRET={CANARY}q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6"),
        format!("{CANARY} is a broken line"),
        format!("BROKEN=\"{CANARY} unterminated"),
        format!("BROKEN2='{CANARY}' trailing {CANARY}"),
    ];
    repo.write(".env.production", lines.join("\n") + "\n");
    repo.write(
        "export.json",
        format!(r#"{{"NEXTAUTH_SECRET": "{CANARY}", "DB_PORT": "{CANARY}", "STRAY": "{live}"}}"#),
    );
    repo.write("bad.json", format!(r#"{{"DB_PORT": ["{CANARY}"]}}"#));
    repo.write("broken.json", format!(r#"{{"DB_PORT": "{CANARY}"#));
    repo.write("bin.env", format!("A={CANARY}\0{CANARY}"));
    let mut total_findings = 0;
    for format in ["human", "json", "sarif", "github"] {
        let runs = [
            vec!["env", "check", "--env-file", ".env.production"],
            vec![
                "env",
                "check",
                "--env-file",
                ".env.production",
                "--environment",
                "production",
            ],
            vec!["env", "check", "--json-file", "export.json"],
            vec!["env", "check", "--json-file", "bad.json"],
            vec!["env", "check", "--json-file", "broken.json"],
            vec!["env", "check", "--env-file", "bin.env"],
            vec!["env", "diff", "--against", ".env.production"],
            vec!["env", "diff", "--against", "export.json"],
            vec!["env", "diff", "--against", "broken.json"],
        ];
        for mut args in runs {
            args.extend(["--format", format]);
            let run = repo.hookctl(&args);
            assert!(run.code == 1 || run.code == 2, "{args:?}\n{}", run.all());
            assert!(
                !run.all().contains(CANARY),
                "{args:?} printed a value:\n{}",
                run.all()
            );
            assert!(!run.all().contains("Zq8rT2vLx9Wk4Ym7"), "{args:?}\n{}", run.all());
            assert!(
                !run.all().contains("51H8xKJzq2PdLmN4vRtY6wEa"),
                "{args:?}\n{}",
                run.all()
            );
            if format == "json" && run.code == 1 {
                total_findings += run.json()["findings"].as_array().unwrap().len();
            }
        }
    }
    // The runs did produce findings about those values (the test would pass vacuously otherwise).
    assert!(total_findings >= 20, "{total_findings}");
    // --process too.
    let mut c = Command::new(BIN);
    c.current_dir(&repo.root)
        .args(["env", "check", "--process", "--format", "json"])
        .env("NEXTAUTH_SECRET", CANARY)
        .env("DB_PORT", CANARY)
        .env("LOG_LEVEL", CANARY);
    let run = run_with_stdin(c, None);
    run.code(1);
    assert!(!run.all().contains(CANARY), "{}", run.all());
    assert!(findings(&run).iter().any(|f| f.3 == "LOG_LEVEL"));
}
