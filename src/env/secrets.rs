//! Is this name exposed to the browser, does it sound secret, does this value look like a real
//! secret? Pure functions over the tables of `data/secret-formats.toml`, used by
//! `env/public-secret` and `secrets/env-file`; what a value looks like is `crate::secret`'s.
//! Nothing here returns or formats a value.

use super::dotenv::Entry;
use crate::secret::tables;
pub use crate::secret::{
    HIGH_ENTROPY_BITS, HIGH_ENTROPY_MIN_LEN, is_high_entropy, is_placeholder, is_secret_like_name,
    known_secret_format, shannon_entropy,
};

/// The browser-exposure prefix of `name` (`NEXT_PUBLIC_`, `VITE_`, ... or a configured one).
pub fn is_public_name<'a>(name: &str, extra_prefixes: &'a [String]) -> Option<&'a str> {
    tables()
        .public_prefixes
        .iter()
        .copied()
        .chain(extra_prefixes.iter().map(String::as_str))
        .filter(|p| !p.is_empty())
        .find(|p| name.starts_with(p))
}

/// Why an entry of a (non-example) env file holds a real secret. Never carries the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretHit {
    pub name: String,
    pub line: u32,
    pub column: u32,
    /// e.g. "a Stripe live secret key", "a high-entropy value for a secret-like name".
    pub reason: String,
}

/// The entries of an env file that hold real secrets: a value of a known format, or a
/// high-entropy value under a secret-like name.
pub fn secrets_in_entries(entries: &[Entry]) -> Vec<SecretHit> {
    entries
        .iter()
        .filter_map(|e| {
            let reason = if let Some(format) = known_secret_format(&e.value) {
                format!("holds a value of a known secret format ({format})")
            } else if is_secret_like_name(&e.name) && is_high_entropy(&e.value) {
                format!(
                    "holds a high-entropy value ({} characters) under a secret-like name",
                    e.value.trim().chars().count()
                )
            } else {
                return None;
            };
            Some(SecretHit {
                name: e.name.clone(),
                line: e.line,
                column: e.column,
                reason,
            })
        })
        .collect()
}

/// Why a browser-exposed variable is a secret, for `env/public-secret`; `None` when the name is
/// not public or nothing looks secret. `value` is the value where one is known (an env file).
pub fn public_secret_reason(name: &str, value: Option<&str>, extra_prefixes: &[String]) -> Option<String> {
    let prefix = is_public_name(name, extra_prefixes)?;
    if is_secret_like_name(&name[prefix.len()..]) {
        return Some(format!(
            "`{name}` is exposed to the browser (`{prefix}`) but its name says it is secret"
        ));
    }
    let format = value.and_then(known_secret_format)?;
    Some(format!(
        "`{name}` is exposed to the browser (`{prefix}`) but holds a value of a known secret format ({format})"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Built at run time so that the source holds no literal that secret scanners flag.
    fn k(parts: &[&str]) -> String {
        parts.concat()
    }

    fn jwt(payload: &str) -> String {
        fn b64(data: &[u8]) -> String {
            const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in data.chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
                let chars = chunk.len() + 1;
                for i in 0..chars {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"HS256","typ":"JWT"}"#),
            b64(payload.as_bytes()),
            "dGhpc2lzYXNpZ25hdHVyZWJ5dGVz"
        )
    }

    #[test]
    fn public_names() {
        assert_eq!(is_public_name("NEXT_PUBLIC_API_URL", &[]), Some("NEXT_PUBLIC_"));
        assert_eq!(is_public_name("VITE_X", &[]), Some("VITE_"));
        assert_eq!(is_public_name("EXPO_PUBLIC_X", &[]), Some("EXPO_PUBLIC_"));
        assert_eq!(is_public_name("DATABASE_URL", &[]), None);
        let extra = vec!["WEB_".to_string(), String::new()];
        assert_eq!(is_public_name("WEB_THING", &extra), Some("WEB_"));
        assert_eq!(is_public_name("THING", &extra), None);
    }

    #[test]
    fn secret_like_names() {
        for name in [
            "NEXT_PUBLIC_STRIPE_SECRET_KEY",
            "JWT_SECRET",
            "CLIENTSECRET",
            "PRIVATE_KEY",
            "DB_PASSWORD",
            "DB_PASS",
            "SMTP_PASSWD",
            "GOOGLE_CREDENTIALS",
            "SUPABASE_SERVICE_ROLE_KEY",
            "NEXT_PUBLIC_ENCRYPTION_KEY",
            "db_password",
        ] {
            assert!(is_secret_like_name(name), "{name}");
        }
        for name in [
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY",
            "NEXT_PUBLIC_POSTHOG_KEY",
            "NEXT_PUBLIC_SUPABASE_ANON_KEY",
            "NEXT_PUBLIC_MAPBOX_TOKEN",
            "API_KEY",
            "GITHUB_TOKEN",
            "PASSPORT_URL",
            "COMPASS_URL",
            "DATABASE_URL",
            "NEXT_PUBLIC_DISABLE_EMAIL_PASSWORD_SIGNUP",
            "NEXT_PUBLIC_ENABLE_PASSWORD_LOGIN",
            "PASSWORD_MIN_LENGTH",
            "SHOW_SECRET_FIELDS",
        ] {
            assert!(!is_secret_like_name(name), "{name}");
        }
    }

    #[test]
    fn known_formats_fire() {
        let cases = [
            (
                k(&["sk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
                "Stripe live secret key",
            ),
            (
                k(&["rk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
                "Stripe live restricted key",
            ),
            (
                k(&["sk_", "test_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
                "Stripe test secret key",
            ),
            (k(&["AKIA", "Q3EGRIVYX2N7TB5K"]), "AWS access key id"),
            (
                k(&["ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
                "GitHub token",
            ),
            (
                k(&[
                    "github_pat_",
                    "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH",
                ]),
                "GitHub fine-grained token",
            ),
            (k(&["xoxb-", "1234567890-0987654321-AbCdEfGhIjKl"]), "Slack token"),
            (k(&["sk-", "proj-", "Ab3dEf6hIj9kLm2nOp5qRs8t"]), "OpenAI API key"),
            (
                k(&["sk-", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"]),
                "OpenAI API key (legacy)",
            ),
            (
                k(&["sk-", "ant-api03-", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
                "Anthropic API key",
            ),
            (k(&["-----BEGIN ", "RSA PRIVATE KEY-----\\nMIIE"]), "private key"),
            (
                k(&["-----BEGIN ", "PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"]),
                "private key",
            ),
            (k(&["-----BEGIN ", "OPENSSH PRIVATE KEY-----"]), "private key"),
            (
                jwt(r#"{"iss":"supabase","role":"service_role"}"#),
                "Supabase service-role key",
            ),
            (
                k(&["postgres://app:", "Zq8rT2vLx9Wk4Ym7", "@db.internal:5432/app"]),
                "URL with an embedded password",
            ),
        ];
        for (value, name) in &cases {
            assert_eq!(known_secret_format(value), Some(*name), "{value}");
        }
    }

    #[test]
    fn public_values_and_placeholders_do_not_fire() {
        for value in [
            k(&["pk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
            k(&["pk_", "test_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
            k(&["AIza", "SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"]),
            k(&["phc_", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"]),
            jwt(r#"{"iss":"supabase","role":"anon"}"#),
            k(&["AKIA", "IOSFODNN7EXAMPLE"]),
            k(&["sk_", "live_", "xxxxxxxxxxxxxxxxxxxxxxxx"]),
            k(&["sk_", "live_", "your-key-here"]),
            "postgres://postgres:postgres@localhost:5432/db".to_string(),
            // Passwords of local databases in docs and compose files.
            k(&[
                "postgresql://documenso:",
                "p%40ss%23word",
                "@localhost:5432/documenso",
            ]),
            k(&["postgres://app:", "Zq8rT2vLx9Wk4Ym7", "@db:5432/app"]),
            k(&["redis://default:", "Zq8rT2vLx9Wk4Ym7", "@127.0.0.1:6379"]),
            k(&["mysql://root:", "Zq8rT2vLx9Wk4Ym7", "@mysql.example.com/app"]),
            k(&["amqp://u:", "Zq8rT2vLx9Wk4Ym7", "@rabbit.test"]),
            "https://example.com".to_string(),
            "<your stripe key>".to_string(),
            String::new(),
        ] {
            assert_eq!(known_secret_format(&value), None, "{value}");
        }
    }

    #[test]
    fn entropy() {
        assert!(is_high_entropy("9f86d081884c7d659a2feaa0c55ad015"));
        assert!(is_high_entropy("q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6"));
        assert!(is_high_entropy("Zq8rT2vLx9Wk4Ym7"));
        for v in [
            "",
            "changeme",
            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "your-key-here",
            "<secret>",
            "${OTHER_SECRET}",
            "thisismysecretkeyforlocaldev",
            "short1A",
            "0000000000000000000000",
            "my dev secret 1234 with spaces",
            "aaaaaaaaaaaaaaaaaaaaaaaa1",
        ] {
            assert!(!is_high_entropy(v), "{v}");
        }
    }

    #[test]
    fn env_file_secrets_name_the_reason_never_the_value() {
        let live = k(&["sk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]);
        let random = "q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6";
        let text = format!(
            "STRIPE_KEY={live}\nJWT_SECRET={random}\nBUILD_ID={random}\nDB_PASSWORD=changeme\nAPI_URL=https://x.dev\n"
        );
        let parsed = super::super::dotenv::parse(text.as_bytes()).unwrap();
        let hits = secrets_in_entries(&parsed.entries);
        let got: Vec<_> = hits.iter().map(|h| (h.name.as_str(), h.line)).collect();
        assert_eq!(got, [("STRIPE_KEY", 1), ("JWT_SECRET", 2)]);
        for h in &hits {
            assert!(
                !h.reason.contains(&live) && !h.reason.contains(random),
                "{}",
                h.reason
            );
        }
    }

    #[test]
    fn public_secret_reasons() {
        assert!(public_secret_reason("NEXT_PUBLIC_STRIPE_SECRET_KEY", None, &[]).is_some());
        assert!(public_secret_reason("STRIPE_SECRET_KEY", None, &[]).is_none());
        assert!(public_secret_reason("NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY", None, &[]).is_none());
        let live = k(&["sk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]);
        let r = public_secret_reason("VITE_STRIPE_KEY", Some(&live), &[]).unwrap();
        assert!(r.contains("Stripe live secret key") && !r.contains(&live), "{r}");
        let anon = jwt(r#"{"role":"anon"}"#);
        assert!(public_secret_reason("NEXT_PUBLIC_SUPABASE_ANON_KEY", Some(&anon), &[]).is_none());
        // A configured prefix.
        let extra = vec!["WEB_".to_string()];
        assert!(public_secret_reason("WEB_PASSWORD", None, &extra).is_some());
    }
}
