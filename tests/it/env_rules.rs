//! The env rules of the snapshot checks (`env/*`, `secrets/env-file`): each with its valid twin.

use crate::common::*;

use crate::common::{check_findings as findings, finding as f};

fn app() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"app","dependencies":{"next":"14.0.0"}}"#,
    );
    r.write(".gitignore", ".env*.local\n");
    r.write(
        ".env.example",
        "DATABASE_URL=\nNEXT_PUBLIC_API_URL=https://api.example.com\n",
    );
    r
}

#[test]
fn postmortem_secret_blocks_the_commit_until_declared() {
    let r = Repo::fixture("postmortem");
    r.hookctl(&["install"]).ok();
    r.git(&["add", "-A"]).ok();
    let run = r.commit(&["-m", "auth"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(
        r,
        "env_rules_postmortem_secret_blocks_the_commit_until_declared",
        run
    );
    r.write(
        ".env.example",
        "NEXTAUTH_URL=http://localhost:3000\nNEXTAUTH_SECRET=\n",
    );
    r.add(&[".env.example"]);
    r.commit(&["-m", "auth"]).ok();
}

#[test]
fn required_by_package_fires_without_any_read_and_is_satisfied_by_either_name() {
    let r = Repo::new();
    r.write(
        "package.json",
        "{\n  \"name\": \"app\",\n  \"dependencies\": {\n    \"next-auth\": \"4.24.7\"\n  }\n}\n",
    );
    r.write(".env.example", "NEXTAUTH_URL=\n");
    // Declared but never imported: nothing runs it (issue 19).
    r.write("app.ts", "export const a = 1;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
    r.write(
        "app.ts",
        "import NextAuth from \"next-auth\";\nexport const a = NextAuth;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("env/required-by-package", "package.json", "NEXTAUTH_SECRET")]
    );
    let j = r.hookctl(&["check", "--format", "json"]).json();
    assert_eq!(
        (
            j["findings"][0]["line"].as_u64(),
            j["findings"][0]["column"].as_u64()
        ),
        (Some(4), Some(5))
    );
    r.write(".env.example", "NEXTAUTH_URL=\nAUTH_SECRET=\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn undeclared_read_forms_and_declared_twins() {
    let r = app();
    r.write(
        "src/a.ts",
        "const db = process.env.DATABASE_URL;\nconst api = process.env['NEXT_PUBLIC_API_URL'];\nconst mode = process.env.NODE_ENV;\nconst { REDIS_URL, DATABASE_URL: d2 } = process.env;\nconst v = import.meta.env.VITE_FLAG;\nexport default [db, api, mode, REDIS_URL, d2, v];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("env/undeclared", "src/a.ts", "REDIS_URL"),
            f("env/undeclared", "src/a.ts", "VITE_FLAG")
        ]
    );
}

#[test]
fn nearest_declaration_file_walking_up_and_allow_list() {
    let r = app();
    r.write("apps/web/.env.example", "WEB_ONLY=\n");
    r.write(
        "apps/web/page.ts",
        "export const a = [process.env.WEB_ONLY, process.env.DATABASE_URL];\n",
    );
    r.write(
        "apps/api/main.ts",
        "export const a = [process.env.WEB_ONLY, process.env.ALLOWED];\n",
    );
    r.write("hookctl.toml", "[env]\nallow = [\"ALLOWED\"]\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("env/undeclared", "apps/api/main.ts", "WEB_ONLY")]
    );
}

#[test]
fn local_only_warns_and_does_not_fire_for_declared_names() {
    let r = app();
    r.write(
        ".env.local",
        "LOCAL_TOKEN=abc\nDATABASE_URL=postgres://localhost/db\n",
    );
    r.write(
        "src/a.ts",
        "export const a = [process.env.LOCAL_TOKEN, process.env.DATABASE_URL];\n",
    );
    r.git(&["add", "-A"]).ok();
    let got = findings(&r, &[]);
    assert_eq!(
        got,
        [
            f("env/local-only", "src/a.ts", "LOCAL_TOKEN"),
            f("env/undeclared", "src/a.ts", "LOCAL_TOKEN")
        ]
    );
    let j = r.hookctl(&["check", "--format", "json"]).json();
    let local = j["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "env/local-only")
        .unwrap()
        .clone();
    assert_eq!(local["severity"], "warning");
}

#[test]
fn dynamic_and_unused_are_off_by_default_and_work_when_enabled() {
    let r = app();
    r.write(
        "src/a.ts",
        "const k = 'X';\nexport const a = [process.env[k], process.env.DATABASE_URL];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
    r.write(
        "hookctl.toml",
        "[rules]\n\"env/dynamic\" = \"warning\"\n\"env/unused\" = \"warning\"\n",
    );
    assert_eq!(
        findings(&r, &[]),
        [
            f("env/unused", ".env.example", "NEXT_PUBLIC_API_URL"),
            f("env/dynamic", "src/a.ts", "src/a.ts:2")
        ]
    );
}

#[test]
fn public_secret_by_name_and_by_value_never_prints_the_value() {
    let r = app();
    let value = ["sk_live_", "4eC39HqLyjWDarjtT1zdp7dc", "MARKERVALUE"].concat();
    r.write(
        ".env.example",
        format!(
            "DATABASE_URL=\nNEXT_PUBLIC_STRIPE_KEY={value}\nNEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_abc\n"
        ),
    );
    r.write("src/a.ts", "export const a = [process.env.NEXT_PUBLIC_ADMIN_PASSWORD, process.env.NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY];\n");
    r.write(
        "hookctl.toml",
        "[env]\nallow = [\"NEXT_PUBLIC_ADMIN_PASSWORD\"]\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("env/public-secret", ".env.example", "NEXT_PUBLIC_STRIPE_KEY"),
            // A live key committed in an example file is a leaked secret too (issue 9).
            f("secrets/env-file", ".env.example", "NEXT_PUBLIC_STRIPE_KEY"),
            f("env/public-secret", "src/a.ts", "NEXT_PUBLIC_ADMIN_PASSWORD"),
        ]
    );
    for format in ["human", "json", "sarif", "github"] {
        r.hookctl(&["check", "--format", format])
            .lacks("MARKERVALUE")
            .lacks("4eC39Hq");
    }
}

#[test]
fn committed_env_files_with_secrets() {
    let r = app();
    let aws = ["wJalrXUtnFEMI/K7MDENG/", "bPxRfiCYzQ8kLmN2MARKER"].concat();
    r.write(
        ".env.production",
        format!("AWS_SECRET_ACCESS_KEY={aws}\nLOG_LEVEL=info\n"),
    );
    r.write(".env.development.local", "ANYTHING=1\n");
    r.write(".env.test", "LOG_LEVEL=debug\nAPI_URL=http://localhost\n");
    r.git(&["add", "-A"]).ok();
    r.git(&["add", "-f", ".env.development.local"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f(
                "secrets/env-file",
                ".env.development.local",
                ".env.development.local"
            ),
            f("secrets/env-file", ".env.production", "AWS_SECRET_ACCESS_KEY"),
        ]
    );
    for format in ["human", "json", "sarif", "github"] {
        r.hookctl(&["check", "--format", format])
            .lacks("MARKER")
            .lacks("wJalrXUtnFEMI");
    }
}

#[test]
fn suppression_and_skip_apply_to_env_rules() {
    let r = app();
    r.write("src/a.ts", "// hookctl-ignore env/undeclared\nexport const a = process.env.ONE;\nexport const b = process.env.TWO;\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), [f("env/undeclared", "src/a.ts", "TWO")]);
    let run = r.hookctl_env(&["check", "--format", "json"], &[("HOOKCTL_SKIP", "env")], None);
    run.ok();
}

#[test]
fn malformed_env_example_is_reported_and_the_rest_is_read() {
    let r = app();
    r.write(".env.example", "DATABASE_URL=\nthis line is broken\nREDIS_URL=\n");
    r.write(
        "src/a.ts",
        "export const a = [process.env.DATABASE_URL, process.env.REDIS_URL];\n",
    );
    r.git(&["add", "-A"]).ok();
    let j = r.hookctl(&["check", "--format", "json"]).json();
    let fs = j["findings"].as_array().unwrap();
    assert_eq!(fs.len(), 1, "{j}");
    assert_eq!(
        (
            fs[0]["rule"].as_str(),
            fs[0]["path"].as_str(),
            fs[0]["line"].as_u64()
        ),
        (Some("files/unreadable"), Some(".env.example"), Some(2))
    );
}

/// A pnpm-style monorepo: `packages/email` (`@acme/email` 1.2.0) reads `SMTP_HOST`,
/// `packages/ui` uses it, `apps/web` uses `packages/ui`. Nothing declares `SMTP_HOST` yet.
fn monorepo() -> Repo {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"root","private":true,"workspaces":["apps/*","packages/*"]}"#,
    );
    r.write(".gitignore", ".env*.local\nnode_modules\n");
    r.write(".env.example", "DATABASE_URL=\n");
    r.write(
        "packages/email/package.json",
        r#"{"name":"@acme/email","version":"1.2.0"}"#,
    );
    r.write(
        "packages/email/src/send.ts",
        "export const host = process.env.SMTP_HOST;\n",
    );
    r.write(
        "packages/ui/package.json",
        r#"{"name":"@acme/ui","version":"0.1.0","dependencies":{"@acme/email":"workspace:*"}}"#,
    );
    r.write("packages/ui/index.ts", "export const ui = 1;\n");
    r.write(
        "apps/web/package.json",
        r#"{"name":"web","dependencies":{"@acme/ui":"workspace:^"}}"#,
    );
    r.write("apps/web/.env.example", "WEB_URL=\n");
    r.write("apps/web/page.ts", "export const p = 1;\n");
    r
}

#[test]
fn workspace_library_read_is_declared_by_a_direct_consumer_app() {
    let r = monorepo();
    // apps/admin uses @acme/email directly.
    r.write(
        "apps/admin/package.json",
        r#"{"name":"admin","devDependencies":{"@acme/email":"workspace:*"}}"#,
    );
    r.write("apps/admin/.env.example", "ADMIN=\n");
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check"]);
    cmd_snapshot!(
        r,
        "env_rules_workspace_library_read_is_declared_by_a_direct_consumer_app",
        run
    );
    r.write("apps/admin/.env.example", "ADMIN=\nSMTP_HOST=\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn workspace_library_read_is_declared_by_a_transitive_consumer_app() {
    let r = monorepo();
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("env/undeclared", "packages/email/src/send.ts", "SMTP_HOST")]
    );
    cmd_snapshot!(
        r,
        "env_rules_workspace_library_read_is_declared_by_a_transitive_consumer_app",
        r.hookctl(&["check"])
    );
    r.write("apps/web/.env.example", "WEB_URL=\nSMTP_HOST=\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn workspace_library_read_is_declared_by_a_consumer_using_a_version_range() {
    let r = monorepo();
    r.write(
        "apps/mail/package.json",
        r#"{"name":"mail","dependencies":{"@acme/email":"^1.0.0"}}"#,
    );
    r.write("apps/mail/.env.example", "SMTP_HOST=\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
    // A range the workspace copy does not satisfy installs a registry copy instead: the app
    // does not run this library's code.
    r.write(
        "apps/mail/package.json",
        r#"{"name":"mail","dependencies":{"@acme/email":"^2.0.0"}}"#,
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("env/undeclared", "packages/email/src/send.ts", "SMTP_HOST")]
    );
}

#[test]
fn workspace_library_read_is_not_declared_by_an_app_that_does_not_use_it() {
    let r = monorepo();
    r.write(
        "apps/docs/package.json",
        r#"{"name":"docs","dependencies":{"react":"^18"}}"#,
    );
    r.write("apps/docs/.env.example", "SMTP_HOST=\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("env/undeclared", "packages/email/src/send.ts", "SMTP_HOST")]
    );
    cmd_snapshot!(
        r,
        "env_rules_workspace_library_read_is_not_declared_by_an_app_that_does_not_use_it_1",
        r.hookctl(&["check"])
    );
    // A read outside any workspace package keeps the usual message.
    r.write("tools/seed.ts", "export const s = process.env.SEED_TOKEN;\n");
    r.git(&["add", "-A"]).ok();
    cmd_snapshot!(
        r,
        "env_rules_workspace_library_read_is_not_declared_by_an_app_that_does_not_use_it_2",
        r.hookctl(&["check"])
    );
}

#[test]
fn workspace_library_requirements_are_met_by_a_consumer_app() {
    let r = monorepo();
    r.write(
        "packages/email/package.json",
        r#"{"name":"@acme/email","version":"1.2.0","dependencies":{"next-auth":"4.24.7"}}"#,
    );
    r.write(
        "packages/email/src/auth.ts",
        "import { getServerSession } from \"next-auth/next\";\nexport const s = getServerSession;\n",
    );
    r.write("apps/web/.env.example", "WEB_URL=\nSMTP_HOST=\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f(
            "env/required-by-package",
            "packages/email/package.json",
            "NEXTAUTH_SECRET"
        )]
    );
    cmd_snapshot!(
        r,
        "env_rules_workspace_library_requirements_are_met_by_a_consumer_app",
        r.hookctl(&["check"])
    );
    r.write("apps/web/.env.example", "WEB_URL=\nSMTP_HOST=\nAUTH_SECRET=\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn workspace_library_local_only_names_the_consumer_app() {
    let r = monorepo();
    r.write("packages/email/.env.local", "SMTP_HOST=localhost\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("env/local-only", "packages/email/src/send.ts", "SMTP_HOST"),
            f("env/undeclared", "packages/email/src/send.ts", "SMTP_HOST")
        ]
    );
    cmd_snapshot!(
        r,
        "env_rules_workspace_library_local_only_names_the_consumer_app",
        r.hookctl(&["check"])
    );
}

#[test]
fn committed_env_declares_and_local_env_does_not() {
    let r = app();
    r.write(
        "src/a.ts",
        "export const a = [process.env.FEATURE_FLAG, process.env.LOCAL_ONLY];\n",
    );
    r.write(".env.local", "LOCAL_ONLY=1\n");
    r.git(&["add", "-A"]).ok();
    let undeclared = [
        f("env/undeclared", "src/a.ts", "FEATURE_FLAG"),
        f("env/local-only", "src/a.ts", "LOCAL_ONLY"),
        f("env/undeclared", "src/a.ts", "LOCAL_ONLY"),
    ];
    assert_eq!(findings(&r, &[]), undeclared);
    r.write(".env", "FEATURE_FLAG=on\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("env/local-only", "src/a.ts", "LOCAL_ONLY"),
            f("env/undeclared", "src/a.ts", "LOCAL_ONLY")
        ]
    );
    // The switch turns it off.
    r.write("hookctl.toml", "[env]\ncommitted_env_files_declare = false\n");
    assert_eq!(findings(&r, &[]), undeclared);
}

#[test]
fn committed_env_production_in_a_sub_app_declares_only_under_that_app() {
    let r = app();
    r.write("apps/web/.env.production", "WEB_ANALYTICS_ID=abc\n");
    r.write(
        "apps/web/src/page.ts",
        "export const a = process.env.WEB_ANALYTICS_ID;\n",
    );
    r.write(
        "apps/api/main.ts",
        "export const a = process.env.WEB_ANALYTICS_ID;\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [f("env/undeclared", "apps/api/main.ts", "WEB_ANALYTICS_ID")]
    );
    // The help never suggests writing a value into the committed file.
    r.write("apps/web/src/other.ts", "export const b = process.env.WEB_NEW;\n");
    r.git(&["add", "-A"]).ok();
    cmd_snapshot!(
        r,
        "env_rules_committed_env_production_in_a_sub_app_declares_only_under_that_app",
        r.hookctl(&["check"])
    );
}

#[test]
fn turbo_json_global_task_and_wildcard_env_declare() {
    let r = app();
    r.write(
        "src/a.ts",
        "export const a = [process.env.SENTRY_DSN, process.env.BUILD_ID, process.env.NEXT_PUBLIC_GIT_SHA, process.env.NEXT_PUBLIC_SITE, process.env.WEB_ONLY];\n",
    );
    r.write("apps/web/package.json", r#"{"name":"web"}"#);
    r.write("apps/web/page.ts", "export const w = process.env.WEB_ONLY;\n");
    r.git(&["add", "-A"]).ok();
    let all = [
        f("env/undeclared", "apps/web/page.ts", "WEB_ONLY"),
        f("env/undeclared", "src/a.ts", "SENTRY_DSN"),
        f("env/undeclared", "src/a.ts", "BUILD_ID"),
        f("env/undeclared", "src/a.ts", "NEXT_PUBLIC_GIT_SHA"),
        f("env/undeclared", "src/a.ts", "NEXT_PUBLIC_SITE"),
        f("env/undeclared", "src/a.ts", "WEB_ONLY"),
    ];
    assert_eq!(findings(&r, &[]), all);
    r.write(
        "turbo.json",
        r#"{
  "$schema": "https://turbo.build/schema.json",
  "globalEnv": ["SENTRY_DSN"],
  "tasks": {
    "build": { "env": ["BUILD_ID", "NEXT_PUBLIC_*", "!NEXT_PUBLIC_GIT_*"] }
  }
}"#,
    );
    r.write(
        "apps/web/turbo.json",
        r#"{"extends": ["//"], "tasks": {"build": {"passThroughEnv": ["WEB_ONLY"]}}}"#,
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("env/undeclared", "src/a.ts", "NEXT_PUBLIC_GIT_SHA"),
            f("env/undeclared", "src/a.ts", "WEB_ONLY"),
        ]
    );
    r.write("hookctl.toml", "[env]\nturbo_declares = false\n");
    assert_eq!(findings(&r, &[]), all);
}

#[test]
fn turbo_1_pipeline_env_and_legacy_dollar_dependencies_declare() {
    let r = app();
    r.write(
        "src/a.ts",
        "export const a = [process.env.API_KEY_V1, process.env.LEGACY_TOKEN];\n",
    );
    r.write(
        "turbo.json",
        r#"{"pipeline": {"build": {"env": ["API_KEY_V1"], "dependsOn": ["^build", "$LEGACY_TOKEN"]}}}"#,
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &[]), []);
}

#[test]
fn malformed_turbo_json_is_reported_and_checking_goes_on() {
    let r = app();
    r.write("turbo.json", "{\n  \"globalEnv\": [\"A\"\n  \"tasks\": {}\n}\n");
    r.write(
        "src/a.ts",
        "export const a = [process.env.A, process.env.DATABASE_URL];\n",
    );
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &[]),
        [
            f("env/undeclared", "src/a.ts", "A"),
            f("files/unreadable", "turbo.json", "")
        ]
    );
    cmd_snapshot!(
        r,
        "env_rules_malformed_turbo_json_is_reported_and_checking_goes_on",
        r.hookctl(&["check"])
    );
}

#[test]
fn a_turbo_json_change_rechecks_every_file() {
    let r = app();
    r.write("turbo.json", r#"{"globalEnv": ["SENTRY_DSN"]}"#);
    r.write("src/a.ts", "export const a = process.env.SENTRY_DSN;\n");
    r.commit_all("init");
    r.hookctl(&["install"]).ok();
    // Only turbo.json changes: the pre-commit hook must still see that the read in the
    // unchanged src/a.ts is now undeclared.
    r.write("turbo.json", r#"{"globalEnv": []}"#);
    r.git(&["add", "-A"]).ok();
    let run = r.commit(&["-m", "drop SENTRY_DSN"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(r, "env_rules_a_turbo_json_change_rechecks_every_file", run);
}
