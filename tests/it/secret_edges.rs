//! Issue 20: no secret printed, in any format, by any rule (not only the one that finds it), in
//! an error message, a job's output or a cache file; and the secrets that used to pass
//! `secrets/in-source` — each class refused at commit without printing the key, beside a valid
//! twin (a placeholder, a docs sample) that still commits.

use crate::common::*;

// Values are built at run time so that the source holds no literal that secret scanners flag.
fn k(parts: &[&str]) -> String {
    parts.concat()
}

/// The distinctive middle of each key: what no output may contain (the prefix that names the
/// kind, `sk_live_`, may show).
const STRIPE_MID: &str = "4eC39HqLyjWDarjtT1zdp7dc";
const AWS_MID: &str = "Q3EGRIVYX2N7TB5K";
const GHP_MID: &str = "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8";
const GLPAT_MID: &str = "Zb3dEf6hIj9kLm2nOp5q";
const URL_MID: &str = "Zq8rT2vLx9Wk4Ym7";
const PEM_MID: &str = "AKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV80";

fn stripe() -> String {
    k(&["sk_", "live_", STRIPE_MID])
}
fn aws() -> String {
    k(&["AKIA", AWS_MID])
}
fn ghp() -> String {
    k(&["ghp_", GHP_MID])
}
fn glpat() -> String {
    k(&["glpat-", GLPAT_MID])
}
fn url() -> String {
    k(&["postgres://app:", URL_MID, "@db.internal:5432/app"])
}
/// A private key's body: 144 base64 characters.
fn pem_body() -> String {
    k(&[
        "MIIEowIBA",
        PEM_MID,
        "WAdl5Zf8RxmZ2kJk3AbMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLez",
    ])
}
fn pem_header() -> String {
    k(&["-----BEGIN ", "PRIVATE KEY-----"])
}
const PEM_FOOTER: &str = "-----END PRIVATE KEY-----";

const ALL_MIDDLES: &[&str] = &[STRIPE_MID, AWS_MID, GHP_MID, GLPAT_MID, URL_MID, PEM_MID];

const FORMATS: &[&str] = &["human", "json", "sarif", "github"];

/// How each format names a finding of `rule` (SARIF lists every rule in its driver: only a
/// result's `ruleId` says a finding is there).
fn names_rule(format: &str, rule: &str) -> String {
    match format {
        "human" => format!("[{rule}]: "),
        "json" => format!("\"rule\": \"{rule}\""),
        "sarif" => format!("\"ruleId\": \"{rule}\""),
        "github" => format!("title={rule}::"),
        _ => unreachable!(),
    }
}

#[track_caller]
fn lacks_all(run: &Run, middles: &[&str]) {
    for m in middles {
        assert!(!run.all().contains(m), "`{m}` printed:\n{}", run.all());
    }
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// Critical 1: each rule that shows a source line, on a line holding real-format keys, in each
/// output format, in the hook's output and in hookctl's cache files: the keys' middles never
/// appear; the masks keep the kind (`sk_live_****`).
#[expect(clippy::too_many_lines, reason = "a table of rules and formats")]
#[test]
fn no_rule_prints_a_secret_in_any_format() {
    let r = Repo::new();
    r.write(
        "package.json",
        r#"{"name":"app","dependencies":{"next":"14.0.0"}}"#,
    )
    .write(".gitignore", ".env*.local\n")
    .write(".env.example", "DECLARED=\nNEXT_PUBLIC_STRIPE_SECRET=\n")
    .write("README.md", "# app\n")
    .commit_all("init");
    let files = [
        (
            "src/undeclared.ts",
            format!(
                "export const k = process.env.UNDECLARED_X ?? \"{}\"; // {}\n",
                stripe(),
                aws()
            ),
        ),
        (
            "src/public.ts",
            format!(
                "export const s = process.env.NEXT_PUBLIC_STRIPE_SECRET ?? \"{}\";\n",
                ghp()
            ),
        ),
        (
            "src/unresolved.ts",
            format!(
                "import a from \"./missing\"; export const t = [a, \"{}\", \"{}\"];\n",
                glpat(),
                url()
            ),
        ),
        (
            "src/untracked.ts",
            format!(
                "import b from \"./local-only\"; export const p = [b, \"{}{}{PEM_FOOTER}\"];\n",
                pem_header(),
                pem_body()
            ),
        ),
        (
            ".env.production",
            format!("STRIPE_SECRET_KEY={}\nAWS_ACCESS_KEY_ID {}\n", stripe(), aws()),
        ),
        // A key in the specifier itself: the message, the JSON `specifier`, the cache.
        (
            "src/specifier.ts",
            format!("import c from \"./vendor/{}\";\nexport default c;\n", stripe()),
        ),
    ];
    for (path, text) in &files {
        r.write(path, text);
    }
    r.git(&["add", "-A"]).ok();
    r.write("src/local-only.ts", "export default 1;\n");
    let rules = [
        "env/undeclared",
        "env/public-secret",
        "imports/unresolved",
        "imports/untracked",
        "secrets/in-source",
        "secrets/env-file",
    ];
    for format in FORMATS {
        let run = r.hookctl(&["check", "--all-findings", "--format", format]);
        run.code(1);
        for rule in rules {
            run.contains(&names_rule(format, rule));
        }
        lacks_all(&run, ALL_MIDDLES);
    }
    let human = r.hookctl(&["check", "--all-findings", "--format", "human"]);
    crate::snapshot!(r, "secret_edges_masked_human", human.stdout);
    // The hook refuses the commit and prints nothing of the keys either.
    r.hookctl(&["install"]).ok();
    let run = r.commit(&["-m", "keys"]);
    assert_ne!(run.code, 0, "{}", run.all());
    cmd_snapshot!(r, "secret_edges_no_rule_prints_a_secret_in_any_format", run);
    lacks_all(&run, ALL_MIDDLES);
    // Nor does any cache file hold one.
    let state = r.path(".git/hookctl");
    let cached = files_under(&state);
    assert!(!cached.is_empty(), "the checks wrote their caches");
    for file in cached {
        let bytes = std::fs::read(&file).unwrap();
        for m in ALL_MIDDLES {
            assert!(
                memchr::memmem::find(&bytes, m.as_bytes()).is_none(),
                "`{m}` in {}",
                file.display()
            );
        }
    }
}

/// An error message quoting the line of `hookctl.toml` that holds a key masks it.
#[test]
fn an_error_quoting_a_config_line_masks_its_key() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        format!(
            "[[pre-commit.jobs]]\nname = \"deploy\"\nrun = \"true\"\nenv = {{ TOKEN = \"{}\", RETRIES = 3 }}\n",
            ghp()
        ),
    );
    let run = r.hookctl(&["check"]);
    run.code(2);
    lacks_all(&run, &[GHP_MID]);
    crate::snapshot!(r, "secret_edges_config_error", run.stderr);
}

/// A job that prints a key (`cat`, a linter quoting a line): its output is masked.
#[test]
fn a_job_printing_a_key_shows_it_masked() {
    let r = Repo::new();
    r.write(
        "hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"show\"\nrun = \"cat keys.txt; exit 1\"\n",
    )
    .write("keys.txt", format!("stripe={}\naws: {}\n", stripe(), aws()))
    .write("a.md", "x\n")
    .commit_all("init");
    r.write("a.md", "y\n").add(&["a.md"]);
    let run = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(r, "secret_edges_a_job_printing_a_key_shows_it_masked", run);
    lacks_all(&run, &[STRIPE_MID, AWS_MID]);
}

/// A commit of `path` holding `real` is refused, and no output format prints `middle`; the
/// same file holding `twin` (a placeholder, a docs sample) commits.
#[track_caller]
fn refused_but_twin_commits(path: &str, real: &[u8], twin: &[u8], middle: &str) {
    let r = Repo::new();
    r.write("README.md", "# app\n").commit_all("init");
    r.hookctl(&["install"]).ok();
    r.write(path, real).add(&[path]);
    let run = r.commit(&["-m", "real"]);
    assert_ne!(run.code, 0, "the key passed:\n{}", run.all());
    run.contains("secrets/in-source");
    lacks_all(&run, &[middle]);
    for format in FORMATS {
        let run = r.hookctl(&["check", "--format", format]);
        run.code(1);
        lacks_all(&run, &[middle]);
    }
    r.write(path, twin).add(&[path]);
    let run = r.commit(&["-m", "twin"]);
    assert_eq!(run.code, 0, "the twin was refused:\n{}", run.all());
}

fn placeholder() -> String {
    k(&["sk_", "live_", "xxxxxxxxxxxxxxxxxxxxxxxx"])
}

/// A minified bundle: the key on a line of 200 KB, near its start and near its end.
#[test]
fn a_key_on_a_line_over_64_kib() {
    for (pre, post) in [(100, 20_000), (20_000, 100)] {
        let line = |v: &str| {
            format!(
                "{}var k=\"{v}\";{}\n",
                "var a=1;".repeat(pre),
                "b(a);".repeat(post)
            )
        };
        refused_but_twin_commits(
            "src/bundle.min.js",
            line(&stripe()).as_bytes(),
            line(&placeholder()).as_bytes(),
            STRIPE_MID,
        );
    }
}

/// A placeholder earlier on the line (one that matches the format: a run of one character,
/// the AWS docs' example key) hides nothing after it.
#[test]
fn a_placeholder_before_the_key_on_its_line() {
    let zeros = k(&["sk_", "live_", "00000000000000000000"]);
    let doc_aws = k(&["AKIA", "IOSFODNN7EXAMPLE"]);
    refused_but_twin_commits(
        "src/keys.ts",
        format!("const a = \"{zeros}\", b = \"{}\";\n", stripe()).as_bytes(),
        format!("const a = \"{zeros}\", b = \"{}\";\n", placeholder()).as_bytes(),
        STRIPE_MID,
    );
    refused_but_twin_commits(
        "docs/aws.md",
        format!("Like `{doc_aws}`; ours: `{}`\n", aws()).as_bytes(),
        format!("Like `{doc_aws}`; ours: `{doc_aws}`\n").as_bytes(),
        AWS_MID,
    );
}

/// Inside a string: a key followed by a JSON-escaped quote, or by an escape (`\n`, `\t`), or
/// following one.
#[test]
fn a_key_next_to_an_escape_in_a_string() {
    for shape in [
        "{\"config\": \"{\\\"stripe\\\": \\\"KEY\\\"}\"}\n",
        "export const env = \"STRIPE=KEY\\nOTHER=1\";\n",
        "export const env = \"OTHER=1\\nKEY\\tnext\";\n",
    ] {
        refused_but_twin_commits(
            "config/settings.json",
            shape.replace("KEY", &stripe()).as_bytes(),
            shape.replace("KEY", &placeholder()).as_bytes(),
            STRIPE_MID,
        );
    }
}

/// Markdown punctuation around a key: bold, emphasis, a table cell, a sentence's full stop.
#[test]
fn a_key_in_markdown_punctuation() {
    let doc_aws = k(&["AKIA", "IOSFODNN7EXAMPLE"]);
    for shape in [
        "Use **KEY** in production.\n",
        "Use _KEY_ in production.\n",
        "| name | value |\n|------|-------|\n| aws |KEY|\n",
        "The deploy key is KEY.\n",
    ] {
        refused_but_twin_commits(
            "docs/setup.md",
            shape.replace("KEY", &aws()).as_bytes(),
            shape.replace("KEY", &doc_aws).as_bytes(),
            AWS_MID,
        );
    }
}

fn utf16(text: &str, little: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if little { b"\xFF\xFE" } else { b"\xFE\xFF" });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if little { u.to_le_bytes() } else { u.to_be_bytes() });
    }
    out
}

/// UTF-16 text files (as PowerShell and Notepad write them), LE or BE, with or without a BOM.
#[test]
fn a_key_in_a_utf16_file() {
    for (little, bom) in [(true, true), (true, false), (false, true), (false, false)] {
        let shape = "{\n  \"deploy\": { \"key\": \"KEY\" }\n}\n";
        refused_but_twin_commits(
            "config/deploy.json",
            &utf16(&shape.replace("KEY", &ghp()), little, bom),
            &utf16(&shape.replace("KEY", "<your-github-token>"), little, bom),
            GHP_MID,
        );
    }
}

/// A UTF-8 BOM glued to a key at the start of a file.
#[test]
fn a_key_after_a_utf8_bom() {
    refused_but_twin_commits(
        "keys.txt",
        format!("\u{feff}{}\n", stripe()).as_bytes(),
        format!("\u{feff}{}\n", placeholder()).as_bytes(),
        STRIPE_MID,
    );
}

/// A private key pasted on one line (glued to its header, or its lines joined by blanks);
/// an elided sample on one line still commits.
#[test]
fn a_one_line_private_key() {
    let body = pem_body();
    let (a, b) = body.split_at(64);
    let header = pem_header();
    for real in [
        format!("export const key = \"{header}{body}{PEM_FOOTER}\";\n"),
        format!("export const key = \"{header} {a} {b} {PEM_FOOTER}\";\n"),
    ] {
        refused_but_twin_commits(
            "src/key.ts",
            real.as_bytes(),
            format!("export const key = \"{header}MIIEvQIBADAN...{PEM_FOOTER}\";\n").as_bytes(),
            PEM_MID,
        );
    }
}

/// A random-looking token (what `secrets/in-source` reports with `[secrets] entropy = true`).
const RANDOM_TOKEN: &str = "q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6";
/// A high-entropy value of a secret-like name (what `secrets/env-file` reports in env files).
const NAMED_VALUE: &str = "Hd8Kq2LmZ7xV3pWn9T";

/// Critical 1, the generic secrets: a random-looking token and a high-entropy value given to a
/// secret-like name, on the line of another rule's finding (each syntax a row), in every
/// output format, in a job's output and in an error quoting the config: never printed. The
/// twin: a job's commit ids and hashes (random-looking, but no secret) are still printed.
#[test]
fn generic_secrets_on_another_rules_line_are_masked() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app"}"#)
        .write(".env.example", "DECLARED=\n")
        .write("hookctl.toml", "[secrets]\nentropy = true\n")
        .commit_all("init");
    let rows = [
        format!("export const a = process.env.UNDECLARED_A ?? \"{RANDOM_TOKEN}\";"),
        format!("export const b = {{ apiSecret: \"{NAMED_VALUE}\", u: process.env.UNDECLARED_B }};"),
        format!("const clientSecret = '{NAMED_VALUE}'; import c from \"./missing-c\";"),
        format!("export const d = [process.env.UNDECLARED_D, `{RANDOM_TOKEN}`];"),
        format!("const e = {{ \"db_password\": \"{NAMED_VALUE}\" }}; import f from \"./missing-f\";"),
    ];
    r.write("src/app.ts", format!("{}\n", rows.join("\n")))
        .add(&["src/app.ts"]);
    for format in FORMATS {
        let run = r.hookctl(&["check", "--all-findings", "--format", format]);
        run.code(1);
        for rule in ["env/undeclared", "imports/unresolved", "secrets/in-source"] {
            run.contains(&names_rule(format, rule));
        }
        lacks_all(&run, &[RANDOM_TOKEN, NAMED_VALUE]);
    }
    let human = r.hookctl(&["check", "--all-findings", "--format", "human"]);
    crate::snapshot!(r, "secret_edges_generic_masked_human", human.stdout);

    // A job quoting such a line (a linter) shows it masked; its commit id stays readable.
    r.write("src/app.ts", "export const ok = 1;\n")
        .commit_all("clean");
    let head = r.git(&["rev-parse", "HEAD"]).stdout.trim().to_string();
    r.write(
        "hookctl.toml",
        "[[pre-commit.jobs]]\nname = \"lint\"\nrun = \"cat lint.txt; git rev-parse HEAD; exit 1\"\n",
    )
    .write("lint.txt", format!("{}\n", rows[2]))
    .add(&["lint.txt", "hookctl.toml"]);
    let run = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(
        r,
        "secret_edges_generic_secrets_on_another_rules_line_are_masked",
        run
    );
    // The snapshot shows commit ids as [OID]: this one is HEAD's, unmasked.
    run.contains(&head);
    lacks_all(&run, &[NAMED_VALUE]);

    // An error quoting the config line that holds one.
    r.write(
        "hookctl.toml",
        format!("[[pre-commit.jobs]]\nname = \"x\"\nrun = \"true\"\nenv = {{ DB_PASSWORD = \"{NAMED_VALUE}\", N = 3 }}\n"),
    );
    let run = r.hookctl(&["check"]);
    run.code(2);
    lacks_all(&run, &[NAMED_VALUE]);
}

/// An interactive job (`interactive = true`) has the terminal, and what it prints there is
/// masked as it streams (a key split across writes, a private key's body printed line by line
/// after its header), while its prompt still shows before it reads the answer and it still
/// sees a terminal. With no terminal (CI, output to a file) its output is masked too.
#[test]
fn an_interactive_jobs_output_is_masked_on_the_terminal_and_off_it() {
    assert!(
        has_script(),
        "this test needs util-linux `script` for a pseudo-terminal"
    );
    let r = Repo::new();
    let log = r.sibling("log");
    let stripe = stripe();
    let (head, tail) = stripe.split_at(12);
    r.write(
        "keys.txt",
        format!("aws {}\n{}\n{}\n{PEM_FOOTER}\n", aws(), pem_header(), pem_body()),
    )
    .write(
        "hookctl.toml",
        format!(
            "[[pre-commit.jobs]]\nname = \"prompt\"\ninteractive = true\nrun = '''printf 'stripe {head}'; sleep 0.2; printf '{tail} done\\n'; cat keys.txt; printf 'answer? '; read a; echo \"got=$a\" > {}; test -t 1 && echo on-a-terminal'''\n",
            s(&log)
        ),
    )
    .write("a.md", "x\n")
    .commit_all("init");
    r.write("a.md", "y\n").add(&["a.md"]);
    let out = in_terminal(&r, "run pre-commit", &[], "yes\n");
    assert_eq!(std::fs::read_to_string(&log).unwrap(), "got=yes\n", "{out:?}");
    for shown in ["stripe sk_live_****", "aws AKIA****", "answer? ", "on-a-terminal"] {
        assert!(out.contains(shown), "`{shown}` missing: {out:?}");
    }
    for m in [STRIPE_MID, AWS_MID, PEM_MID, tail] {
        assert!(!out.contains(m), "`{m}` printed: {out:?}");
    }
    // No terminal: hookctl's stdio are pipes; the job's output is captured, masked.
    let run = r.hookctl(&["run", "pre-commit"]);
    cmd_snapshot!(
        r,
        "secret_edges_an_interactive_jobs_output_is_masked_on_the_terminal_and_off_it",
        run
    );
    lacks_all(&run, &[STRIPE_MID, AWS_MID, PEM_MID, tail]);
}
