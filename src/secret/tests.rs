use super::*;

// Built at run time so that the source holds no literal that secret scanners flag.
fn k(parts: &[&str]) -> String {
    parts.concat()
}

fn stripe() -> String {
    k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"])
}

fn aws() -> String {
    k(&["AKIA", "Q3EGRIVYX2N7TB5K"])
}

/// A key body long enough to be one (72 base64 characters).
const BODY: &str = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV80WAdl5Zf8RxmZ2kJk3Ab";

fn formats_in(text: &str) -> Vec<(&'static str, &str)> {
    find(text.as_bytes())
        .into_iter()
        .map(|f| (f.format, &text[f.start..f.end]))
        .collect()
}

/// One real value per format of the table; each is found and masked after its prefix.
pub(crate) fn one_per_format() -> Vec<String> {
    vec![
        stripe(),
        k(&["rk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
        k(&["sk_", "test_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
        k(&["whsec_", "51H8xKJzq2PdLmN4vRtY6wEaQ3EG"]),
        aws(),
        k(&["ASIA", "Q3EGRIVYX2N7TB5K"]),
        k(&["ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
        k(&["ghs_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
        k(&[
            "github_pat_",
            "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH",
        ]),
        k(&["glpat-", "Ab3dEf6hIj9kLm2nOp5q"]),
        k(&["xoxb-", "1234567890-0987654321-AbCdEfGhIjKl"]),
        k(&[
            "https://hooks.slack.com/services/",
            "T01AB2CD3/B04EF5GH6/Ab3dEf6hIj9kLm2nOp5q",
        ]),
        k(&["sk-", "proj-", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
        k(&["sk-", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"]),
        k(&["sk-", "ant-api03-", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
        k(&["-----BEGIN ", "RSA PRIVATE KEY-----\\n", BODY]),
        jwt_service_role(),
        k(&["sb_secret_", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
        k(&["SG.", "Ab3dEf6hIj9kLm2nOp5q.Rs8tUv1wXy4zAb3dEf6h"]),
        k(&["npm_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
        k(&["postgres://app:", "Zq8rT2vLx9Wk4Ym7", "@db.internal:5432/app"]),
    ]
}

/// A part of `value` no mask may leave: its password for a URL, else its last 10 bytes.
pub(crate) fn secret_part(value: &str) -> &str {
    match value.find("://") {
        Some(at) if value.contains('@') => {
            let rest = &value[at + 3..];
            let colon = rest.find(':').unwrap();
            &rest[colon + 1..rest.find('@').unwrap()]
        }
        _ => &value[value.len() - 10..],
    }
}

fn jwt_service_role() -> String {
    fn b64(data: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }
    format!(
        "{}.{}.{}",
        b64(br#"{"alg":"HS256","typ":"JWT"}"#),
        b64(br#"{"iss":"supabase","role":"service_role"}"#),
        "dGhpc2lzYXNpZ25hdHVyZWJ5dGVz"
    )
}

#[test]
fn every_format_is_found_and_masked_after_its_prefix() {
    for v in one_per_format() {
        let text = format!("const x = \"{v}\";");
        let found = find(text.as_bytes());
        assert_eq!(found.len(), 1, "{v}");
        assert_eq!(Some(found[0].format), known_secret_format(&v), "{v}");
        assert_eq!(found[0].start, 11, "{v}");
        let masked = redact(&text);
        assert!(!masked.contains(secret_part(&v)), "{masked}");
        let kind = &v[..3];
        assert!(masked.contains(kind), "the kind stays visible: {masked}");
    }
}

/// Issue 20: a value ends where its format's alphabet ends, whatever follows or precedes it.
#[test]
fn keys_in_any_punctuation() {
    let s = stripe();
    let a = aws();
    for text in [
        format!(r#"{{"k": "{s}\"", "a": "{a}\""}}"#),
        format!(r#""{s}\n{a}\n""#),
        format!(r#""line\n{s}\t{a}""#),
        format!("Use **{s}** and _{a}_."),
        format!("| key | {s} |\n|{a}|"),
        format!("The key is {s}. The id is {a}."),
        format!("\u{feff}{s} {a}"),
        format!("`{s}`,`{a}`;"),
        format!("{s}\\u0022{a}\\u0022"),
        format!("\x1b[1m{s}\x1b[0m \x1b[31m{a}\x1b[0m"),
    ] {
        let got: Vec<&str> = formats_in(&text).iter().map(|h| h.1).collect();
        assert_eq!(got, [s.as_str(), a.as_str()], "{text}");
        let masked = redact(&text);
        assert!(!masked.contains(&s[8..]) && !masked.contains(&a[4..]), "{masked}");
    }
}

/// Issue 20: a placeholder earlier on the same line hides nothing.
#[test]
fn every_occurrence_on_a_line() {
    let s = stripe();
    let zeros = k(&["sk_", "live_", "00000000000000000000"]);
    let xxx = k(&["sk_", "live_", "xxxxxxxxxxxxxxxxxxxxxxxx"]);
    let text = format!("a = '{zeros}'; b = '{xxx}'; c = '{s}'; d = '{s}'");
    let got: Vec<&str> = formats_in(&text).iter().map(|h| h.1).collect();
    assert_eq!(got, [s.as_str(), s.as_str()]);
    // The documented example AWS key and word placeholders stay silent.
    let text = k(&[
        "AKIA",
        "IOSFODNN7EXAMPLE sk_live_your_key_here ghp_",
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    ]);
    assert_eq!(formats_in(&text), []);
}

/// Issue 20: a line of any length (a minified bundle) is read whole.
#[test]
fn lines_of_any_length() {
    let s = stripe();
    let text = format!("{}\"{s}\"{}", "var a=1;".repeat(20_000), ";b()".repeat(20_000));
    assert!(text.len() > 200_000);
    assert_eq!(formats_in(&text), [("Stripe live secret key", s.as_str())]);
}

/// A prefix in the middle of a word starts nothing; a fixed-length value glued to more of its
/// letters is a longer word.
#[test]
fn words_are_not_keys() {
    for text in [
        k(&["xAKIA", "Q3EGRIVYX2N7TB5K"]),
        k(&["AKIA", "Q3EGRIVYX2N7TB5K9"]),
        k(&["AKIA", "Q3EGRIVYX2N7TB5Kabc"]),
        k(&["disk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]),
        k(&["KEY_sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]),
    ] {
        assert_eq!(formats_in(&text), [], "{text}");
    }
}

/// A one-line key is a key; an elided sample or a header alone is not.
#[test]
fn private_keys() {
    let header = k(&["-----BEGIN ", "PRIVATE KEY-----"]);
    let footer = "-----END PRIVATE KEY-----";
    let long = format!("{BODY}{BODY}");
    for text in [
        format!("{header}{long}{footer}"),
        format!("\"{header} {BODY} {BODY} {footer}\""),
        format!("{header}\n{BODY}\n{BODY}\n{footer}\n"),
        format!("key: \"{header}\\n{BODY}\\n{footer}\\n\""),
    ] {
        let found = find(text.as_bytes());
        assert_eq!(found.len(), 1, "{text}");
        let masked = redact(&text);
        assert!(!masked.contains(&BODY[10..30]), "{masked}");
        assert!(masked.contains("PRIVATE KEY"), "{masked}");
    }
    for text in [
        format!("{header}\nMIIEpAIBAAKCAQEA...\n{footer}"),
        format!("{header}MIIE{footer}"),
        format!("if (pem.startsWith(\"{header}\")) {{"),
        format!("const h = '{header}';\nconst footer = '{footer}';\n"),
    ] {
        assert_eq!(find(text.as_bytes()), [], "{text}");
    }
}

#[test]
fn urls_mask_only_their_password() {
    let url = k(&["postgres://app:", "Zq8rT2vLx9Wk4Ym7", "@db.internal:5432/app"]);
    let text = format!("DATABASE_URL=\"{url}\\n\"");
    assert_eq!(
        redact(&text),
        "DATABASE_URL=\"postgres://app:****************@db.internal:5432/app\\n\""
    );
    for local in [
        "postgres://postgres:postgres@localhost:5432/db".to_string(),
        k(&["redis://default:", "Zq8rT2vLx9Wk4Ym7", "@127.0.0.1:6379"]),
        k(&["postgres://app:", "Zq8rT2vLx9Wk4Ym7", "@db:5432/app"]),
        "https://github.com/a/b".to_string(),
    ] {
        assert_eq!(find(local.as_bytes()), [], "{local}");
    }
}

/// Pathological inputs cost time in proportion to their bytes.
#[test]
fn cost_is_bounded_by_bytes() {
    let started = std::time::Instant::now();
    for unit in [
        "glpat-",
        "eyJ-",
        ".eyJ",
        "sk-",
        "a://b:",
        "-----BEGIN PRIVATE KEY-----",
        "AKIA",
        "_-glpat-a",
    ] {
        let text = unit.repeat(1_000_000 / unit.len());
        let _ = find(text.as_bytes());
    }
    // Generous: about 10 ms each in a release build, on one shared core.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

proptest::proptest! {
    /// Starting the overlapping search at the first prefix the leftmost search finds changes
    /// nothing: the same values as a search of the whole text, in texts of prefixes, parts of
    /// keys and other bytes.
    #[test]
    fn the_first_prefix_skip_finds_what_the_whole_search_finds(
        parts in proptest::collection::vec((0usize..21, 0usize..40, "[ -~\\n]{0,12}"), 0..6),
    ) {
        let keys = one_per_format();
        let mut text = String::new();
        for (which, cut, noise) in parts {
            let key = &keys[which];
            text.push_str(&key[..cut.min(key.len())]);
            text.push_str(&noise);
        }
        let fast: Vec<_> = find(text.as_bytes()).into_iter().map(|f| (f.start, f.end, f.format)).collect();
        let whole: Vec<_> = find::find_from(text.as_bytes(), 0).into_iter().map(|f| (f.start, f.end, f.format)).collect();
        proptest::prop_assert_eq!(fast, whole, "{:?}", text);
    }

    /// A planted key in random surrounding text is always found and always masked, unless the
    /// text next to it continues its alphabet (then it is another, longer word).
    #[test]
    fn a_planted_key_is_always_found(
        before in "\\PC{0,80}",
        after in "\\PC{0,80}",
        which in 0usize..21,
    ) {
        let key = &one_per_format()[which];
        // (`…` right after a private key's body makes it an elided sample.)
        let glued = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric() || "_-+/=.:@…".contains(c));
        proptest::prop_assume!(!glued(before.chars().last()) && !glued(after.chars().next()));
        let text = format!("{before}{key}{after}");
        let at = before.len();
        let found = find(text.as_bytes());
        proptest::prop_assert!(
            found.iter().any(|f| f.start <= at && f.end >= at + key.len().min(20)),
            "{text:?}: {found:?}"
        );
        let masked = redact(&text);
        proptest::prop_assert!(!masked.contains(secret_part(key)), "{masked}");
    }
}

/// Found by the `secret_tokenizer` fuzz target: an ellipsis lines after a key's body is text
/// after it, not an elided sample.
#[test]
fn an_ellipsis_after_a_body_is_not_an_elision() {
    let header = k(&["-----BEGIN ", "RSA PRIVATE KEY-----"]);
    for text in [
        format!("{header}\n{BODY}\n\n\n..1\n"),
        format!("{header}\n{BODY}\n\n\n\n…\n"),
    ] {
        assert_eq!(find(text.as_bytes()).len(), 1, "{text}");
    }
    for sample in [
        format!("{header}\n{BODY}...\n"),
        format!("{header}\n{BODY}\n...\n"),
        format!("{header}\nMIIE…\n{BODY}\n"),
    ] {
        assert_eq!(find(sample.as_bytes()), [], "{sample}");
    }
}
