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
    run.contains("error[env/undeclared]")
        .contains("`NEXTAUTH_SECRET` is read here but declared in no `.env.example`")
        .contains("lib/auth/options.ts:4:23")
        .contains("set only in `.env.local`")
        .lacks("local-dev-secret-that-only-exists-on-this-laptop");
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
    r.write("app.ts", "export const a = 1;\n");
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
