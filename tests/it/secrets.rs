//! Issue 9: secrets in env files that hookctl used to miss or print (encodings, malformed
//! lines, file names, symlinks, example files), and terminal escapes in output.

use crate::common::{check_findings as findings, finding as f, *};

/// A live-looking Stripe key, built at run time so that the source holds no literal that
/// secret scanners flag. `MARK` is part of the value: it must never be printed.
fn stripe() -> String {
    ["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dcMARK"].concat()
}

fn aws() -> String {
    ["AKIA", "Q3EGRIVYX2N7TB5K"].concat()
}

fn utf16(text: &str, little: bool) -> Vec<u8> {
    let bom: &[u8] = if little { b"\xFF\xFE" } else { b"\xFE\xFF" };
    let units = text
        .encode_utf16()
        .flat_map(|u| if little { u.to_le_bytes() } else { u.to_be_bytes() });
    bom.iter().copied().chain(units).collect()
}

/// Every output format of `check --all-findings` leaves the values out.
#[track_caller]
fn never_printed(r: &Repo, needles: &[&str]) {
    for format in ["human", "json", "sarif", "github"] {
        let run = r.hookctl(&["check", "--all-findings", "--format", format]);
        for n in needles {
            run.lacks(n);
        }
    }
}

/// Issue 9 (1): `printf 'STRIPE_SECRET_KEY=sk_live_...\r\n' | iconv -t utf-16 > .env` passed.
#[test]
fn utf16_latin1_and_nul_env_files_are_scanned() {
    let r = Repo::new();
    let line = format!("STRIPE_SECRET_KEY={}\r\n", stripe());
    r.write(".env", utf16(&line, true));
    r.write("api/.env", utf16(&line, false));
    r.write("web/.env", [&b"CITY=Z\xfcrich\n"[..], line.as_bytes()].concat());
    r.write("worker/.env", [&b"BLOB=a\0b\n"[..], line.as_bytes()].concat());
    r.git(&["add", "-f", "--", ".env", "api/.env", "web/.env", "worker/.env"])
        .ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [
            f("secrets/env-file", ".env", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", "api/.env", "STRIPE_SECRET_KEY"),
            f("files/unreadable", "web/.env", ""),
            f("secrets/env-file", "web/.env", "STRIPE_SECRET_KEY"),
            f("files/unreadable", "worker/.env", ""),
            f("secrets/env-file", "worker/.env", "STRIPE_SECRET_KEY"),
        ]
    );
    never_printed(&r, &["MARK", "4eC39Hq", "rich"]);
    // The hook blocks the commit.
    r.hookctl(&["install"]).ok();
    let run = r.commit(&["-m", "x"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(r, "secrets_utf16_latin1_and_nul_env_files_are_scanned", run);
}

/// Issue 9 (2): a secret on a line the dotenv parse rejects is still a secret.
#[test]
fn secrets_on_malformed_lines_are_found() {
    let r = Repo::new();
    r.write(
        ".env.production",
        format!(
            "LOG_LEVEL=info\nSTRIPE_SECRET_KEY=\"{}\nAWS_ACCESS_KEY_ID {}\n",
            stripe(),
            aws()
        ),
    );
    r.write("deploy/.env", format!("{}\n", aws()));
    r.git(&["add", "-f", "--", ".env.production", "deploy/.env"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [
            // Committed `.env` files declare names, so their syntax errors are reported too.
            f("files/unreadable", ".env.production", ""),
            f("secrets/env-file", ".env.production", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", ".env.production", "AWS_ACCESS_KEY_ID"),
            f("secrets/env-file", "deploy/.env", ""),
            f("files/unreadable", "deploy/.env", ""),
        ]
    );
    never_printed(&r, &["MARK", "4eC39Hq", "Q3EGRIVYX2N7TB5K"]);
}

/// Issue 9 (3): lines that are not `NAME=...` never become names, and a parse error shows
/// nothing after the name: `env diff`, `env check` and `env/unused`.
#[test]
fn values_never_become_names_or_messages() {
    let r = Repo::new();
    let pem_body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n\
                    VTLw7onLRnrq0LEAKMExW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp1=\n\
                    LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z=\n";
    let env = format!(
        "APP_URL=https://x.dev\nPRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----\n{pem_body}-----END RSA PRIVATE KEY-----\nEXTRA_VAR LEAKME17\nOTHER:LEAKME17\n"
    );
    r.write(".env.example", "APP_URL=\nPRIVATE_KEY=\n");
    r.write("prod.env", &env);
    for format in ["human", "json", "github"] {
        let run = r.hookctl(&["env", "diff", "--against", "prod.env", "--format", format]);
        run.lacks("LEAK").lacks("found `").lacks("MIIE").lacks("LxoS");
        let run = r.hookctl(&["env", "check", "--env-file", "prod.env", "--format", format]);
        run.lacks("LEAK").lacks("found `").lacks("MIIE");
    }
    let run = r.hookctl(&["env", "diff", "--against", "prod.env", "--format", "json"]);
    let names: Vec<String> = run.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(names, Vec::<String>::new(), "{}", run.all());
    // The same file as a declaration file: `env/unused` lists names, never PEM lines.
    r.write(".env.example", &env);
    r.write("hookctl.toml", "[rules]\n\"env/unused\" = \"warning\"\n");
    r.write("src/a.ts", "export const a = process.env.APP_URL;\n");
    r.git(&["add", "-A"]).ok();
    let got = findings(&r, &["--all-findings"]);
    assert!(
        got.iter()
            .all(|(_, _, what)| !what.contains("LEAK") && !what.contains("MIIE")),
        "{got:?}"
    );
    assert!(
        got.contains(&f("env/unused", ".env.example", "PRIVATE_KEY")),
        "{got:?}"
    );
    for format in ["human", "json", "sarif", "github"] {
        r.hookctl(&["check", "--all-findings", "--format", format])
            .lacks("LEAK")
            .lacks("MIIE")
            .lacks("found `");
    }
}

/// Issue 9 (4): env files by every name, a symlinked env file, and real secrets in examples.
#[test]
fn every_env_file_is_scanned() {
    let r = Repo::new();
    let line = format!("STRIPE_SECRET_KEY={}\n", stripe());
    for p in [".envrc", "production.env", "env.production", ".env~", ".flaskenv"] {
        r.write(p, format!("export {line}"));
    }
    r.write("config/prod-values", &line);
    std::os::unix::fs::symlink("config/prod-values", r.path(".env.production")).unwrap();
    r.write(
        ".env.example",
        format!(
            "{line}PLACEHOLDER_A=sk_live_xxx\nPLACEHOLDER_B=sk_live_your_key_here\nPLACEHOLDER_C=<sk_live_...>\nPLACEHOLDER_D=changeme\nDB_PASSWORD=q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6\n"
        ),
    );
    r.git(&["add", "-A", "-f"]).ok();
    assert_eq!(
        findings(&r, &["--all-findings"]),
        [
            f("secrets/env-file", ".env.example", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", ".env.production", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", ".envrc", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", ".env~", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", ".flaskenv", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", "env.production", "STRIPE_SECRET_KEY"),
            f("secrets/env-file", "production.env", "STRIPE_SECRET_KEY"),
        ]
    );
    never_printed(&r, &["MARK", "4eC39Hq", "q8Vt3kLz"]);
    cmd_snapshot!(
        r,
        "secrets_every_env_file_is_scanned",
        r.hookctl(&["check", "--all-findings"])
    );
}

/// Issue 9 (11): escape sequences from paths and file contents reach the terminal escaped.
#[test]
fn terminal_escapes_in_paths_and_sources_are_escaped() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#);
    r.write(
        "src/\x1b[31mevil\r.ts",
        "import a from \"./\x1b[31mgone\r\";\nexport const b = a;\n",
    );
    r.git(&["add", "-A"]).ok();
    for format in ["human", "github"] {
        let run = r.hookctl(&["check", "--all-findings", "--format", format]);
        run.code(1);
        let out = run.all();
        assert!(!out.contains('\x1b') && !out.contains('\r'), "{format}: {out:?}");
        assert!(out.contains("\\x1b[31mevil\\r.ts"), "{format}: {out:?}");
        assert!(out.contains("\\x1b[31mgone\\r"), "{format}: {out:?}");
    }
    // JSON keeps the real path (JSON escapes it).
    let j = r.hookctl(&["check", "--all-findings", "--format", "json"]).json();
    assert_eq!(j["findings"][0]["path"], "src/\x1b[31mevil\r.ts");
}

#[test]
fn a_commit_of_only_an_unusually_named_env_file_is_scanned_by_the_hook() {
    let r = Repo::new();
    r.write("package.json", r#"{ "name": "app" }"#);
    r.write("src/a.ts", "export const a = 1;\n");
    r.git(&["add", "-A"]).ok();
    r.git(&["commit", "-q", "--no-verify", "-m", "base"]).ok();
    r.hookctl(&["install"]).ok();
    r.write(
        "config/production.env",
        "STRIPE_SECRET_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n",
    );
    r.add(&["config/production.env"]);
    let run = r.commit(&["-m", "env"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(
        r,
        "secrets_a_commit_of_only_an_unusually_named_env_file_is_scanned_by_the_hook",
        run
    );
}
