//! The table of `data/secret-formats.toml` (known formats, secret-like name words, browser
//! prefixes, placeholder words), parsed once, and the questions asked of one value: is it of a
//! known format, a placeholder, random-looking? Nothing here returns or formats a value.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};
use serde::Deserialize;

const SECRETS: &str = include_str!("../../data/secret-formats.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecretsFile {
    format: Vec<FormatDef>,
    names: NamesDef,
    public: PublicDef,
    placeholders: PlaceholdersDef,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FormatDef {
    name: String,
    prefixes: Vec<String>,
    regex: String,
    jwt_role: Option<String>,
    #[serde(default)]
    url_password: bool,
    #[serde(default)]
    pem: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesDef {
    words: Vec<String>,
    tokens: Vec<String>,
    flags: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicDef {
    prefixes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlaceholdersDef {
    contains: Vec<String>,
}

/// A known secret format.
pub struct Format {
    pub name: &'static str,
    /// The fixed text its values start with (a URL's: `://`, after the scheme).
    pub prefixes: Vec<&'static str>,
    /// Its regex as written (matched against a whole value).
    pattern: &'static str,
    /// [`Format::regex`] and [`Format::scan`], compiled on first use: most runs ask of a few
    /// formats, or none (a commit whose files hold no format's prefix).
    regex: OnceLock<Regex>,
    scan: OnceLock<regex::bytes::Regex>,
    pub jwt_role: Option<String>,
    pub url_password: bool,
    pub pem: bool,
}

impl Format {
    /// Matched against a whole value.
    pub fn regex(&self) -> &Regex {
        self.regex.get_or_init(|| {
            Regex::new(self.pattern).expect("secret format regexes compile (checked by tests)")
        })
    }

    /// The same pattern, anchored at a candidate's start only: the longest value there.
    pub fn scan(&self) -> &regex::bytes::Regex {
        self.scan.get_or_init(|| {
            let body = self.pattern.trim_start_matches('^').trim_end_matches('$');
            regex::bytes::Regex::new(&format!("^(?:{body})"))
                .expect("secret format regexes compile (checked by tests)")
        })
    }
}

pub struct SecretTables {
    pub formats: Vec<Format>,
    /// All format regexes at once, compiled on first use ([`SecretTables::set`]).
    set: OnceLock<RegexSet>,
    /// Matched anywhere in an upper-cased name.
    pub words: Vec<String>,
    /// Matched as whole `_`-separated parts, stored as `_PART_`.
    pub tokens: Vec<String>,
    /// `_`-separated parts that make a name a switch or policy, never a secret.
    pub flag_words: Vec<String>,
    pub public_prefixes: Vec<&'static str>,
    pub placeholders: Vec<String>,
}

impl SecretTables {
    /// All format regexes at once: one pass over a value finds the candidates.
    pub fn set(&self) -> &RegexSet {
        self.set.get_or_init(|| {
            RegexSet::new(self.formats.iter().map(|f| f.pattern))
                .expect("secret format regexes compile (checked by tests)")
        })
    }
}

pub fn tables() -> &'static SecretTables {
    static CELL: OnceLock<SecretTables> = OnceLock::new();
    CELL.get_or_init(|| {
        let file: SecretsFile =
            toml::from_str(SECRETS).expect("data/secret-formats.toml is valid (checked by tests)");
        let formats = file
            .format
            .into_iter()
            .map(|f| Format {
                name: leak(f.name),
                prefixes: f.prefixes.into_iter().map(leak).collect(),
                pattern: leak(f.regex),
                regex: OnceLock::new(),
                scan: OnceLock::new(),
                jwt_role: f.jwt_role,
                url_password: f.url_password,
                pem: f.pem,
            })
            .collect();
        SecretTables {
            formats,
            set: OnceLock::new(),
            words: file.names.words,
            tokens: file.names.tokens.iter().map(|t| format!("_{t}_")).collect(),
            flag_words: file.names.flags,
            public_prefixes: file.public.prefixes.into_iter().map(leak).collect(),
            placeholders: file.placeholders.contains,
        }
    })
}

/// The tables live for the whole process (in a `OnceLock`), so their names can be `'static`.
fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

/// Longer values are not checked for placeholder words.
const PLACEHOLDER_MAX_LEN: usize = 64;

/// Whether a value is an obvious placeholder: empty, `changeme`, `xxx`, `your-key-here`,
/// `<...>`, `${OTHER}`, `****`, one repeated character.
pub fn is_placeholder(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return true;
    }
    let lower = v.to_ascii_lowercase();
    // Only short values: a long random value (a PEM body) contains `xxx` or `todo` by chance.
    if v.len() <= PLACEHOLDER_MAX_LEN && tables().placeholders.iter().any(|p| lower.contains(p.as_str())) {
        return true;
    }
    if (v.starts_with('<') && v.ends_with('>'))
        || (v.starts_with("${") && v.ends_with('}'))
        || (v.starts_with("{{") && v.ends_with("}}"))
        || v.contains("...")
    {
        return true;
    }
    let mut chars = v.chars();
    let first = chars.next().unwrap_or(' ');
    chars.all(|c| c == first)
}

/// `sk_live_0000000000000000`, `AKIAAAAAAAAAAAAAAAAA`: a run of 8 or more of one character is a
/// placeholder, never a generated key.
pub fn repeated_placeholder(token: &str) -> bool {
    let mut run = 0;
    let mut prev = None;
    for c in token.chars() {
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        if run >= 8 {
            return true;
        }
    }
    false
}

/// The name of the known secret format `value` has (`Stripe live secret key`, `private key`,
/// ...), if any. Placeholders never match.
pub fn known_secret_format(value: &str) -> Option<&'static str> {
    let v = value.trim();
    if v.is_empty() || is_placeholder(v) {
        return None;
    }
    let t = tables();
    t.set()
        .matches(v)
        .into_iter()
        .find_map(|i| accepts(&t.formats[i], v).then_some(t.formats[i].name))
}

/// The checks beyond a format's regex, on a value it matched: a JWT's role, a URL's password.
pub(super) fn accepts(f: &Format, v: &str) -> bool {
    if let Some(role) = &f.jwt_role {
        return jwt_role(v).as_deref() == Some(role.as_str());
    }
    if f.url_password {
        return url_password(f, v).is_some();
    }
    true
}

/// The byte range of the password of URL `v` (matched by format `f`), when it is one that
/// leaks: not a placeholder, random-looking, not for a local host.
pub(super) fn url_password(f: &Format, v: &str) -> Option<(usize, usize)> {
    let caps = f.regex().captures(v)?;
    let whole = caps.get(0)?;
    let host = &v[whole.end()..];
    let password = caps.name("password")?;
    let p = password.as_str();
    (!is_placeholder(p) && looks_random(p, 12) && !is_local_host(host))
        .then_some((password.start(), password.end()))
}

/// Is the host at the start of `rest` (what follows a URL's `@`) one no credential leaks to:
/// loopback, a name without a dot (`localhost`, a compose service such as `db`), or a reserved
/// example domain (`example.com`, `.test`, `.local`, `.invalid`)? Docs and compose files
/// spell local databases' passwords in URLs (documenso's docs, real-repo corpus).
fn is_local_host(rest: &str) -> bool {
    let end = rest
        .find([':', '/', '?', '#', '"', '\'', '`', ' ', '\\'])
        .unwrap_or(rest.len());
    let host = rest[..end]
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_ascii_lowercase();
    let host = host.trim_end_matches('.');
    if host.is_empty() || !host.contains('.') || host == "::1" {
        return true;
    }
    host.starts_with("127.")
        || host == "0.0.0.0"
        || ["example.com", "example.org", "example.net"].contains(&host)
        || [
            ".example",
            ".test",
            ".local",
            ".localhost",
            ".invalid",
            ".example.com",
            ".example.org",
            ".example.net",
        ]
        .iter()
        .any(|s| host.ends_with(s))
}

/// The `role` claim of a JWT's payload, if `value` is a JWT with one.
fn jwt_role(value: &str) -> Option<String> {
    let payload = value.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    json.get("role")?.as_str().map(str::to_string)
}

fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Shannon entropy of the value's characters, in bits per character.
pub fn shannon_entropy(value: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in value.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    let n = n as f64;
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a name says it holds a secret (`SECRET`, `PRIVATE`, `PASSWORD`, `DB_PASS`, ...).
/// `KEY` and `TOKEN` alone do not count: public SDK keys use them.
pub fn is_secret_like_name(name: &str) -> bool {
    let t = tables();
    let upper = name.to_ascii_uppercase();
    // A switch or a policy about a secret holds none (`DISABLE_EMAIL_PASSWORD_SIGNUP`,
    // `PASSWORD_MIN_LENGTH`): documenso's public flags, from the real-repo corpus.
    if upper
        .split('_')
        .any(|part| t.flag_words.iter().any(|w| w == part))
    {
        return false;
    }
    if t.words.iter().any(|w| upper.contains(w.as_str())) {
        return true;
    }
    let padded = format!("_{upper}_");
    t.tokens.iter().any(|tok| padded.contains(tok.as_str()))
}

/// Minimum length of a value for the high-entropy check: shorter random strings are too often
/// ids, ports or words.
pub const HIGH_ENTROPY_MIN_LEN: usize = 16;
/// Bits per character. Random hex is ~3.7-4, base64 ~5; words and sentences stay lower, and
/// a value with one character class (`thisismysecretkey`) is rejected separately.
pub const HIGH_ENTROPY_BITS: f64 = 3.3;

/// Whether a value looks like a random secret: long enough, varied enough, not a placeholder.
pub fn is_high_entropy(value: &str) -> bool {
    let v = value.trim();
    !is_placeholder(v) && looks_random(v, HIGH_ENTROPY_MIN_LEN)
}

fn looks_random(v: &str, min_len: usize) -> bool {
    if v.chars().count() < min_len || v.chars().any(char::is_whitespace) {
        return false;
    }
    let classes = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
    ]
    .iter()
    .filter(|&&b| b)
    .count();
    classes >= 2 && shannon_entropy(v) >= HIGH_ENTROPY_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        let s = tables();
        assert!(s.formats.len() > 10);
        assert_eq!(s.formats.len(), s.set().len());
        assert!(s.formats.iter().all(|f| !f.prefixes.is_empty()));
        // Each format's two regexes compile (they are built on first use).
        for f in &s.formats {
            assert_eq!(f.regex().as_str(), f.pattern, "{}", f.name);
            assert!(f.scan().as_str().starts_with("^(?:"), "{}", f.name);
        }
        assert!(s.public_prefixes.contains(&"NEXT_PUBLIC_"));
        assert!(s.tokens.contains(&"_PASS_".to_string()));
    }
}
