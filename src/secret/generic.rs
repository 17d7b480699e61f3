//! Secrets no known format names, that the detectors still match: a high-entropy value given
//! to a secret-like name (`apiSecret = "…"`, `"clientSecret": "…"`, `DB_PASSWORD: …`, what
//! `secrets/env-file` reports in env files), and a random-looking token (what
//! `secrets/in-source` reports with `[secrets] entropy = true`: 20+ characters of the
//! base64/hex alphabet, varied enough, not a placeholder). Byte ranges, found in one pass over
//! the text (any line length); each value looked at is bounded by [`MAX_VALUE`] bytes.

use super::formats::{is_high_entropy, is_secret_like_name, repeated_placeholder};

/// A random-looking token has at least this many characters.
pub const TOKEN_MIN_LEN: usize = 20;
/// Bytes a value given to a name may span: a longer run is no value.
const MAX_VALUE: usize = 4096;
/// Bytes before a `=`/`:` looked at for the name it assigns to.
const MAX_NAME: usize = 256;

/// Whether `b` ends a token: blanks, quotes and the punctuation around values in code.
fn is_separator(b: u8) -> bool {
    b.is_ascii_whitespace() || b"\"'`=,;()[]{}<>:".contains(&b)
}

fn in_alphabet(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"+/=_-".contains(&b)
}

/// Whether `token` looks like a random secret: [`TOKEN_MIN_LEN`] characters or more of the
/// base64/hex alphabet, varied enough, not a placeholder.
pub fn is_random_token(token: &[u8]) -> bool {
    token.len() >= TOKEN_MIN_LEN
        && token.iter().all(|&b| in_alphabet(b))
        && std::str::from_utf8(token).is_ok_and(|t| !repeated_placeholder(t) && is_high_entropy(t))
}

/// Byte ranges of the random-looking tokens of `text` (tokens end at [`is_separator`] bytes;
/// a token with any other byte outside the alphabet is no secret, e.g. a path or a URL).
pub fn random_tokens(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, &b) in text
        .iter()
        .enumerate()
        .chain(std::iter::once((text.len(), &b' ')))
    {
        match (start, is_separator(b)) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                start = None;
                if is_random_token(&text[s..i]) {
                    out.push((s, i));
                }
            }
            _ => {}
        }
    }
    out
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$'
}

/// Byte ranges of the values given to secret-like names: `NAME = value`, `NAME: value`,
/// `"NAME": "value"`, `NAME := value`, `NAME => 'value'`, quoted or not, where the value
/// is high-entropy (`is_high_entropy`: 16+ characters, no blank).
pub fn named_values(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for at in memchr::memchr2_iter(b'=', b':', text) {
        if out.last().is_some_and(|&(_, end)| at < end) {
            continue;
        }
        // The name: back over blanks, one closing quote, blanks.
        let mut j = at;
        let back = |j: &mut usize, pred: &dyn Fn(u8) -> bool| {
            while *j > 0 && at - *j < MAX_NAME && pred(text[*j - 1]) {
                *j -= 1;
            }
        };
        back(&mut j, &|b| b == b' ' || b == b'\t');
        if j > 0 && matches!(text[j - 1], b'"' | b'\'' | b'`') {
            j -= 1;
        }
        let name_end = j;
        back(&mut j, &is_name_byte);
        if j == name_end || !is_secret_like_name(&String::from_utf8_lossy(&text[j..name_end])) {
            continue;
        }
        // The value: past `=`, `>` (`:=`, `=>`), blanks and one opening quote.
        let mut v = at + 1;
        while v < text.len() && matches!(text[v], b'=' | b'>' | b' ' | b'\t') {
            v += 1;
        }
        let quote = text.get(v).copied().filter(|q| matches!(q, b'"' | b'\'' | b'`'));
        if quote.is_some() {
            v += 1;
        }
        let limit = text.len().min(v + MAX_VALUE);
        let end = text[v..limit]
            .iter()
            .position(|&b| match quote {
                Some(q) => b == q || b.is_ascii_whitespace(),
                // Unquoted: a value is a run of the secrets' alphabet (`=` only as base64's
                // padding, at its end); anything else is code (`process.env.API_SECRET`).
                None => b == b'=' || (!in_alphabet(b) && !b"!@#$%^&*~".contains(&b)),
            })
            .map_or(limit, |n| v + n);
        let mut end = end;
        if quote.is_none() {
            while end < limit && text[end] == b'=' {
                end += 1;
            }
        }
        if end == limit && limit < text.len() {
            continue;
        }
        // ... and ends the expression (not a call's name, `getSecret(…)`).
        if quote.is_none()
            && text
                .get(end)
                .is_some_and(|&b| !b.is_ascii_whitespace() && !b";,)]}".contains(&b))
        {
            continue;
        }
        let value = &text[v..end];
        if std::str::from_utf8(value).is_ok_and(is_high_entropy) {
            out.push((v, end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(text: &str, ranges: &[(usize, usize)]) -> Vec<String> {
        ranges.iter().map(|&(s, e)| text[s..e].to_string()).collect()
    }

    #[test]
    fn values_of_secret_like_names_in_every_syntax() {
        let v = "Zq8rT2vLx9Wk4Ym7a";
        let cases = [
            format!("const apiSecret = \"{v}\";"),
            format!("{{\"clientSecret\": \"{v}\"}}"),
            format!("db_password: {v}"),
            format!("export SESSION_SECRET={v}"),
            format!("$privateKey => '{v}',"),
            format!("AUTH_SECRET := `{v}`"),
        ];
        for line in &cases {
            assert_eq!(shown(line, &named_values(line.as_bytes())), [v], "{line}");
        }
        // Not a secret-like name, not high-entropy, a placeholder, a blank in the value.
        for line in [
            format!("const id = \"{v}\";"),
            "const apiSecret = process.env.STRIPE_API_SECRET_KEY;".to_string(),
            "const apiSecret = getSecretFromVault(Kq2LmZ7xV3pWn9TaBc);".to_string(),
            "password: changeme".to_string(),
            "SECRET = \"your_secret_here\"".to_string(),
            "clientSecret: \"two words here\"".to_string(),
        ] {
            assert!(named_values(line.as_bytes()).is_empty(), "{line}");
        }
    }

    #[test]
    fn random_tokens_by_the_alphabet() {
        let t = "q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6";
        let line = format!("f(\"{t}\", 'short1A', \"https://x.io/{t}\", `{t}`)");
        assert_eq!(shown(&line, &random_tokens(line.as_bytes())), [t, t]);
        assert!(random_tokens(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_empty());
        assert!(random_tokens(b"import x from './components/VeryLongComponentName'").is_empty());
    }

    /// Bounded cost: a line of a million `=` or `:` (and names) stays fast and finds nothing.
    #[test]
    fn long_lines_cost_bytes_not_squares() {
        let line = "SECRET=".repeat(200_000);
        let t = std::time::Instant::now();
        assert!(named_values(line.as_bytes()).is_empty());
        let quoted = format!("SECRET=\"{}", "a".repeat(1_000_000));
        assert!(named_values(quoted.as_bytes()).is_empty());
        assert!(t.elapsed().as_secs() < 5);
    }
}
