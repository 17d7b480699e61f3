//! Known-format secrets in the raw text of an env file, line by line, whatever its syntax.
//! The dotenv parse skips a malformed line (`KEY="sk_live_...` with no closing quote,
//! `AWS_ACCESS_KEY_ID AKIA...` with no `=`), but the secret on it is committed all the same.
//! Nothing here returns or formats a value: only where, which format, and a safe name.

use super::secrets::{is_high_entropy, known_secret_format};

/// A known-format secret on one line of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineHit {
    /// 1-based line and column (in characters) of the secret.
    pub line: u32,
    pub column: u32,
    /// The format's name, e.g. "Stripe live secret key".
    pub format: &'static str,
    /// The variable name the line starts with, when there is one that cannot be (part of) the
    /// secret itself.
    pub name: Option<String>,
}

/// Every line of `text` that holds a value of a known secret format (the first one per line):
/// the values `crate::secret::find` reads by their formats' alphabets, on lines of any length,
/// and on a line with none of those, a private-key header even without its body (in an env
/// file a header alone is a key cut short, not a sample).
pub fn known_secrets_in_lines(text: &str) -> Vec<LineHit> {
    let mut found = crate::secret::find(text.as_bytes()).into_iter().peekable();
    let mut out = Vec::new();
    let mut line_start = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line_end = line_start + raw.len();
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let mut first = None;
        while let Some(f) = found.next_if(|f| f.start < line_end + 1) {
            first.get_or_insert((f.start - line_start, f.format));
        }
        let hit = first.or_else(|| {
            let start = line.len() - line.trim_start().len();
            known_secret_format(line).map(|format| (start, format))
        });
        if let Some((offset, format)) = hit {
            out.push(LineHit {
                line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                column: u32::try_from(line[..offset.min(line.len())].chars().count() + 1).unwrap_or(u32::MAX),
                format,
                name: leading_name(line, offset),
            });
        }
        line_start = line_end + 1;
    }
    out
}

/// The env identifier a line starts with (after `export`), when it ends before the secret at
/// `secret_at` and does not itself look like a random value: the name to report the hit under.
fn leading_name(line: &str, secret_at: usize) -> Option<String> {
    let trimmed = line.trim_start();
    let mut start = line.len() - trimmed.len();
    if let Some(rest) = trimmed.strip_prefix("export")
        && rest.starts_with([' ', '\t'])
    {
        start = line.len() - rest.trim_start().len();
    }
    let rest = &line[start..];
    let len = rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
            .len();
    let name = &rest[..len];
    let followed_ok = rest[len..].starts_with([' ', '\t', '=', ':']);
    let ok = len > 0
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && followed_ok
        && start + len <= secret_at
        && !is_high_entropy(name)
        && known_secret_format(name).is_none();
    ok.then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Built at run time so that the source holds no literal that secret scanners flag.
    fn k(parts: &[&str]) -> String {
        parts.concat()
    }

    fn hits(text: &str) -> Vec<(u32, u32, &'static str, Option<String>)> {
        known_secrets_in_lines(text)
            .into_iter()
            .map(|h| (h.line, h.column, h.format, h.name))
            .collect()
    }

    /// Issue 9 (2): secrets on lines the dotenv parse rejects.
    #[test]
    fn malformed_lines_are_scanned() {
        let stripe = k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]);
        let aws = k(&["AKIA", "Q3EGRIVYX2N7TB5K"]);
        let text = format!(
            "OK=1\nSTRIPE_SECRET_KEY=\"{stripe}\nAWS_ACCESS_KEY_ID {aws}\n{aws}\nexport GH: ghp_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8\r\n"
        );
        assert_eq!(
            hits(&text),
            [
                (2, 20, "Stripe live secret key", Some("STRIPE_SECRET_KEY".into())),
                (3, 19, "AWS access key id", Some("AWS_ACCESS_KEY_ID".into())),
                (4, 1, "AWS access key id", None),
                (5, 12, "GitHub token", Some("GH".into())),
            ]
        );
    }

    #[test]
    fn urls_pem_and_yaml() {
        let url = k(&[
            "postgres://app:",
            "Zq8rT2vLx9Wk4Ym7",
            "@db.internal:5432/app?ssl=1",
        ]);
        let text = format!(
            "DATABASE_URL={url}\nKEY=\"-----BEGIN {}-----\\nMIIE\"\nslack:xoxb-1234567890-0987654321-AbCdEfGhIjKl\n",
            "RSA PRIVATE KEY"
        );
        let got: Vec<_> = hits(&text).into_iter().map(|h| (h.0, h.2)).collect();
        assert_eq!(
            got,
            [
                (1, "URL with an embedded password"),
                (2, "private key"),
                (3, "Slack token")
            ]
        );
    }

    #[test]
    fn placeholders_and_public_values_stay_silent() {
        let text = [
            k(&["STRIPE_SECRET_KEY=sk_", "live_xxx"]),
            k(&["STRIPE_SECRET_KEY=sk_", "live_your_key_here"]),
            k(&["STRIPE_SECRET_KEY=<sk_", "live_...>"]),
            "STRIPE_SECRET_KEY=changeme".to_string(),
            k(&["AWS_ACCESS_KEY_ID=AKIA", "IOSFODNN7EXAMPLE"]),
            k(&["NEXT_PUBLIC_STRIPE_KEY=pk_", "live_51H8xKJzq2PdLmN4vRtY6wEa"]),
            "DATABASE_URL=postgres://postgres:postgres@localhost:5432/db".to_string(),
            "# a comment about keys".to_string(),
        ]
        .join("\n");
        assert_eq!(hits(&text), []);
    }

    /// A line that is only a secret, or starts with one, never reports it as the name.
    #[test]
    fn the_name_is_never_the_secret() {
        let stripe = k(&["sk_", "live_", "4eC39HqLyjWDarjtT1zdp7dc"]);
        for line in [
            stripe.clone(),
            format!("{stripe} trailing"),
            format!("{stripe}=x"),
            format!("Zq8rT2vLx9Wk4Ym7q8Vt3kLz0PmX7wRb {stripe}"),
        ] {
            let h = known_secrets_in_lines(&line);
            assert_eq!(h.len(), 1, "{line}");
            assert_eq!(h[0].name, None, "{line}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}") {
            let _ = known_secrets_in_lines(&text);
        }
    }
}
