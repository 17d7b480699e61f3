//! Issue 14 (3): `secrets/in-source`, known-format secrets in any staged text file.

use crate::common::{check_findings as findings, finding as f, *};

const RULE: &str = "secrets/in-source";

// Values are built at run time so that the source holds no literal that secret scanners flag.
fn k(parts: &[&str]) -> String {
    parts.concat()
}

/// `(format, real value, the part of it that must never be printed, placeholder twin)`.
fn formats() -> Vec<(&'static str, String, &'static str, String)> {
    vec![
        (
            "Stripe live secret key",
            k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dcMARK"]),
            "4eC39HqLyjWDarjtT1zdp7dcMARK",
            k(&["sk_", "live_", "xxxxxxxxxxxxxxxxxxxxxxxx"]),
        ),
        (
            "AWS access key id",
            k(&["AKIA", "Q3EGRIVYX2N7TB5K"]),
            "Q3EGRIVYX2N7TB5K",
            k(&["AKIA", "IOSFODNN7EXAMPLE"]),
        ),
        (
            "GitHub token",
            k(&["ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
            "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8",
            k(&["ghp_", "000000000000000000000000000000000000"]),
        ),
        (
            "GitLab personal access token",
            k(&["glpat-", "Zb3dEf6hIj9kLm2nOp5q"]),
            "Zb3dEf6hIj9kLm2nOp5q",
            "<your-gitlab-token>".to_string(),
        ),
        (
            "Slack token",
            k(&["xoxb-", "1234567890-0987654321-AbCdEfGhIjKl"]),
            "0987654321-AbCdEfGhIjKl",
            k(&["xoxb-", "your-slack-token"]),
        ),
        (
            "private key",
            k(&[
                "-----BEGIN RSA ",
                "PRIVATE KEY-----\\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV80WAdl5Zf8RxmZ2kJk3Ab",
            ]),
            "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMx",
            k(&["-----BEGIN ", "PUBLIC KEY-----\\nMIIBIjANBgkqhkiG9w0BAQEFAAOC"]),
        ),
    ]
}

/// The file text of each type holding `value`, and the line it is on.
fn file_with(ext: &str, value: &str) -> (String, u32) {
    match ext {
        "ts" => (format!("export const config = {{\n  key: \"{value}\",\n}};\n"), 2),
        "json" => (format!("{{\n  \"key\": \"{value}\"\n}}\n"), 2),
        "yml" => (format!("service:\n  key: {value}\n"), 2),
        "md" => (format!("# Setup\n\nSet the key: `{value}`.\n"), 3),
        _ => unreachable!(),
    }
}

/// `(rule, path, name, line)` of every finding of `check --all-findings --format json`.
fn located(r: &Repo) -> Vec<(String, String, String, u64)> {
    let run = r.hookctl(&["check", "--all-findings", "--format", "json"]);
    let json = run.json();
    let mut out: Vec<_> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["name"].as_str().unwrap_or("").to_string(),
                f["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    out.sort();
    out
}

#[track_caller]
fn never_printed(r: &Repo, needles: &[&str]) {
    for format in ["human", "json", "sarif", "github"] {
        let run = r.hookctl(&["check", "--all-findings", "--format", format]);
        run.contains(RULE);
        for n in needles {
            run.lacks(n);
        }
    }
}

/// Each format in `.ts`, `.json`, `.yml` and `.md`, found at its line; each placeholder twin
/// silent; no output format holds a value.
#[test]
fn each_format_in_each_file_type_and_silent_twins() {
    let r = Repo::new();
    let mut expected = Vec::new();
    for (i, (kind, value, _, twin)) in formats().iter().enumerate() {
        for ext in ["ts", "json", "yml", "md"] {
            let (text, line) = file_with(ext, value);
            let path = format!("real/f{i}.{ext}");
            r.write(&path, text);
            expected.push((RULE.to_string(), path, kind.to_string(), u64::from(line)));
            r.write(&format!("twin/f{i}.{ext}"), file_with(ext, twin).0);
        }
    }
    r.git(&["add", "-A"]).ok();
    expected.sort();
    assert_eq!(located(&r), expected);
    let secret_parts: Vec<&str> = formats().iter().map(|f| f.2).collect();
    never_printed(&r, &secret_parts);
}

/// A real `git commit` of a `.ts` file with a key is blocked, without printing the key.
#[test]
fn a_real_commit_is_blocked() {
    let r = Repo::new();
    r.write("README.md", "# app\n").commit_all("init");
    r.hookctl(&["install"]).ok();
    let (kind, value, part, _) = formats().remove(0);
    r.write("src/pay.ts", file_with("ts", &value).0);
    r.add(&["src/pay.ts"]);
    let run = r.commit(&["-m", "pay"]);
    assert_ne!(run.code, 0, "{}", run.all());
    run.contains(RULE)
        .contains(kind)
        .contains("src/pay.ts")
        .lacks(part);
    // The placeholder commits.
    r.write("src/pay.ts", file_with("ts", &formats()[0].3).0);
    r.add(&["src/pay.ts"]);
    let run = r.commit(&["-m", "pay"]);
    assert_eq!(run.code, 0, "{}", run.all());
}

/// A secret already in HEAD does not block an unrelated commit, nor an edit of another line of
/// its file; a second file with a secret does.
#[test]
fn a_secret_in_head_does_not_block_unrelated_commits() {
    let r = Repo::new();
    let (_, value, _, _) = formats().remove(1);
    r.write("config/deploy.yml", file_with("yml", &value).0)
        .write("src/a.ts", "export const a = 1;\n")
        .commit_all("init");
    r.hookctl(&["install"]).ok();
    r.write("src/b.ts", "export const b = 2;\n").add(&["src/b.ts"]);
    let run = r.commit(&["-m", "b"]);
    assert_eq!(run.code, 0, "{}", run.all());
    r.write(
        "config/deploy.yml",
        format!("{}region: eu-west-1\n", file_with("yml", &value).0),
    )
    .add(&["config/deploy.yml"]);
    let run = r.commit(&["-m", "region"]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(findings(&r, &[]), []);
    r.write("src/c.ts", file_with("ts", &value).0).add(&["src/c.ts"]);
    assert_eq!(findings(&r, &[]), [f(RULE, "src/c.ts", "AWS access key id")]);
    let run = r.commit(&["-m", "c"]);
    assert_ne!(run.code, 0, "{}", run.all());
}

/// Lockfiles, fixture globs, binary files, env files (reported by `secrets/env-file` only) and
/// files over `[scan] max_file_size` are not read; `[secrets] skip` replaces the default globs.
#[test]
fn lockfiles_fixtures_binaries_env_files_and_large_files_are_skipped() {
    let r = Repo::new();
    let (_, value, _, _) = formats().remove(0);
    let json = file_with("json", &value).0;
    for path in [
        "package-lock.json",
        "apps/web/pnpm-lock.yaml",
        "yarn.lock",
        "bun.lock",
        "test/fixtures/stripe.json",
        "src/__fixtures__/stripe.json",
        "pkg/testdata/stripe.json",
        "node_modules/x/index.json",
    ] {
        r.write(path, &json);
    }
    let mut binary = vec![0u8, 1];
    binary.extend_from_slice(json.as_bytes());
    r.write("assets/blob.bin", binary);
    r.write(".env.production", format!("STRIPE_SECRET_KEY={value}\n"));
    let big = format!("{json}{}", "// padding\n".repeat(200));
    r.write("src/big.ts", &big);
    r.write("hookctl.toml", "[scan]\nmax_file_size = \"1 KiB\"\n");
    r.git(&["add", "-A", "-f"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [f("secrets/env-file", ".env.production", "STRIPE_SECRET_KEY")]
    );
    // Configured globs replace the defaults.
    r.write(
        "hookctl.toml",
        "[scan]\nmax_file_size = \"1 KiB\"\n[secrets]\nskip = [\"test/**\"]\n",
    );
    r.git(&["add", "-A", "-f"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [
            f("secrets/env-file", ".env.production", "STRIPE_SECRET_KEY"),
            f(RULE, "pkg/testdata/stripe.json", "Stripe live secret key"),
            f(RULE, "src/__fixtures__/stripe.json", "Stripe live secret key"),
        ]
    );
    // HOOKCTL_SKIP=secrets and the rule's level.
    let run = r.hookctl_env(&["check", "--all-findings"], &[("HOOKCTL_SKIP", "secrets")], None);
    assert_eq!(run.code, 0, "{}", run.all());
    r.write(
        "hookctl.toml",
        "[scan]\nmax_file_size = \"1 KiB\"\n[secrets]\nskip = [\"test/**\"]\n[rules]\n\"secrets/in-source\" = \"off\"\n",
    );
    r.git(&["add", "-A", "-f"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [f("secrets/env-file", ".env.production", "STRIPE_SECRET_KEY")]
    );
}

/// High-entropy strings: silent by default, reported with `[secrets] entropy = true`.
#[test]
fn entropy_is_an_option() {
    let r = Repo::new();
    let random = "q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6ENTROPYMARK";
    r.write("src/seed.ts", format!("export const seed = \"{random}\";\n"));
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &["--all-findings"]), []);
    r.write("hookctl.toml", "[secrets]\nentropy = true\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [f(RULE, "src/seed.ts", "high-entropy string")]
    );
    never_printed(&r, &["ENTROPYMARK", "q8Vt3kLz0PmX7wRb"]);
    r.write("hookctl.toml", "[secrets]\nentropy = false\n");
    r.git(&["add", "-A"]).ok();
    assert_eq!(findings(&r, &["--all-findings"]), []);
}

#[test]
fn dummy_keys_in_test_files_are_skipped_by_default() {
    // dub's webhook test (`whsec_…` dummy), apollo-server's `__tests__/…/fixture.key`.
    let key = k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]);
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write("src/pay.test.ts", format!("export const k = \"{key}\";\n"));
    r.write("src/__tests__/pay.ts", format!("export const k = \"{key}\";\n"));
    r.write("src/pay.spec.js", format!("module.exports = \"{key}\";\n"));
    r.write("src/pay.ts", format!("export const k = \"{key}\";\n"));
    r.git(&["add", "-A"]).ok();
    let found: Vec<_> = findings(&r, &["--all-findings"])
        .into_iter()
        .filter(|(rule, _, _)| rule == RULE)
        .collect();
    assert_eq!(found, vec![f(RULE, "src/pay.ts", "Stripe live secret key")]);
}
