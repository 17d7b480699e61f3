//! Value rules: `[env.vars.NAME]` in `hookctl.toml` on top of built-in defaults, with
//! per-environment overrides. Messages describe the rule that failed, never the value.

use crate::config::{EnvConfig, ValueFormat, VarRule};

/// A broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub rule: ValueRule,
    pub message: String,
}

/// The field of `[env.vars.NAME]` a value broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueRule {
    MinLength,
    Format,
    Pattern,
    OneOf,
    StartsWith,
}

impl ValueRule {
    /// The field's key in `hookctl.toml`.
    pub fn key(self) -> &'static str {
        match self {
            ValueRule::MinLength => "min_length",
            ValueRule::Format => "format",
            ValueRule::Pattern => "pattern",
            ValueRule::OneOf => "one_of",
            ValueRule::StartsWith => "starts_with",
        }
    }
}

impl std::fmt::Display for ValueRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}

/// Names whose values sign sessions: 32 characters is what `openssl rand -base64 32` and
/// `npx auth secret` produce, and what Auth.js recommends.
const SESSION_SECRETS: &[&str] = &["NEXTAUTH_SECRET", "AUTH_SECRET"];
const SESSION_SECRET_MIN: usize = 32;

/// The rule hookctl applies to `name` with no configuration.
pub fn builtin_rule(name: &str) -> VarRule {
    let mut rule = VarRule::default();
    if SESSION_SECRETS.contains(&name) {
        rule.min_length = Some(SESSION_SECRET_MIN);
    }
    if name.ends_with("_URL") {
        rule.format = Some(ValueFormat::Url);
    } else if name.ends_with("_PORT") || name == "PORT" {
        rule.format = Some(ValueFormat::Port);
    }
    rule
}

/// Fields of `over` replace those of `base`; `environments` are merged (over's win).
pub fn overlay(base: &VarRule, over: &VarRule) -> VarRule {
    let mut environments = base.environments.clone();
    for (env, rule) in &over.environments {
        let merged = match base.environments.get(env) {
            Some(b) => overlay(b, rule),
            None => rule.clone(),
        };
        environments.insert(env.clone(), merged);
    }
    VarRule {
        optional: over.optional.or(base.optional),
        min_length: over.min_length.or(base.min_length),
        format: over.format.or(base.format),
        pattern: over.pattern.clone().or_else(|| base.pattern.clone()),
        one_of: over.one_of.clone().or_else(|| base.one_of.clone()),
        starts_with: over.starts_with.clone().or_else(|| base.starts_with.clone()),
        environments,
    }
}

/// The built-in rule of `name` with its configured rule on top.
pub fn effective_rule(name: &str, env: &EnvConfig) -> VarRule {
    let builtin = builtin_rule(name);
    match env.vars.get(name) {
        Some(configured) => overlay(&builtin, configured),
        None => builtin,
    }
}

/// Whether `name` may be absent (in `environment`, when one is selected).
pub fn is_optional(rule: &VarRule, environment: Option<&str>) -> bool {
    environment
        .and_then(|e| rule.environments.get(e))
        .and_then(|r| r.optional)
        .or(rule.optional)
        .unwrap_or(false)
}

/// Check `value` against `rule` (already merged with the built-ins, see [`effective_rule`]),
/// applying `rule.environments[environment]` on top when an environment is selected.
/// `_name` is for symmetry with the callers' data; the rules do not depend on it once merged.
pub fn validate(_name: &str, value: &str, rule: &VarRule, environment: Option<&str>) -> Vec<Violation> {
    let env_rule = environment.and_then(|e| rule.environments.get(e).map(|r| (e, r)));
    let rule = match env_rule {
        Some((_, r)) => overlay(rule, r),
        None => rule.clone(),
    };
    // " in production" when the field came from the environment's override.
    let scope = |set: bool| match env_rule {
        Some((e, _)) if set => format!(" in {e}"),
        _ => String::new(),
    };
    let from_env = |f: fn(&VarRule) -> bool| env_rule.is_some_and(|(_, r)| f(r));
    let mut out = Vec::new();

    if let Some(min) = rule.min_length {
        let len = value.chars().count();
        if len < min {
            out.push(Violation {
                rule: ValueRule::MinLength,
                message: format!(
                    "is {len} character{}, needs at least {min}{}",
                    if len == 1 { "" } else { "s" },
                    scope(from_env(|r| r.min_length.is_some()))
                ),
            });
        }
    }
    if let Some(format) = rule.format
        && let Err(why) = check_format(format, value)
    {
        out.push(Violation {
            rule: ValueRule::Format,
            message: format!("{why}{}", scope(from_env(|r| r.format.is_some()))),
        });
    }
    if let Some(pattern) = &rule.pattern
        && !pattern.is_match(value)
    {
        out.push(Violation {
            rule: ValueRule::Pattern,
            message: format!(
                "does not match the pattern `{pattern}`{}",
                scope(from_env(|r| r.pattern.is_some()))
            ),
        });
    }
    if let Some(choices) = &rule.one_of
        && !choices.iter().any(|c| c == value)
    {
        let list: Vec<_> = choices.iter().map(|c| format!("`{c}`")).collect();
        out.push(Violation {
            rule: ValueRule::OneOf,
            message: format!(
                "is not one of {}{}",
                list.join(", "),
                scope(from_env(|r| r.one_of.is_some()))
            ),
        });
    }
    if let Some(prefix) = &rule.starts_with
        && !value.starts_with(prefix.as_str())
    {
        out.push(Violation {
            rule: ValueRule::StartsWith,
            message: format!(
                "must start with `{prefix}`{}",
                scope(from_env(|r| r.starts_with.is_some()))
            ),
        });
    }
    out
}

/// Why `value` is not of `format`, in words that never repeat the value.
pub fn check_format(format: ValueFormat, value: &str) -> Result<(), &'static str> {
    let check = |ok: bool, why: &'static str| if ok { Ok(()) } else { Err(why) };
    match format {
        ValueFormat::Url => check_url(value),
        ValueFormat::Port => check(
            value.len() <= 5
                && !value.is_empty()
                && value.bytes().all(|b| b.is_ascii_digit())
                && value.parse::<u32>().is_ok_and(|p| (1..=65535).contains(&p)),
            "is not a port (a whole number from 1 to 65535)",
        ),
        ValueFormat::Int => {
            let digits = value.strip_prefix('-').unwrap_or(value);
            check(
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
                "is not an integer",
            )
        }
        ValueFormat::Bool => check(
            matches!(
                value.to_ascii_lowercase().as_str(),
                "true" | "false" | "1" | "0" | "yes" | "no" | "on" | "off"
            ),
            "is not a boolean (true, false, 1, 0, yes, no, on, off)",
        ),
        ValueFormat::Email => check(is_email(value), "is not an email address"),
        ValueFormat::Uuid => check(is_uuid(value), "is not a UUID"),
    }
}

/// Schemes whose URLs have no host (`file:./dev.db`, as Prisma uses for `SQLite`).
const HOSTLESS_SCHEMES: &[&str] = &["file", "sqlite", "mailto", "data", "urn"];

/// An absolute URL (`scheme://host...`), a host-less one (`file:...`), or a path from the
/// site's root (`/sign-in`, as Clerk's `*_SIGN_IN_URL` settings are).
fn check_url(value: &str) -> Result<(), &'static str> {
    if value.is_empty() {
        return Err("is empty, not a URL");
    }
    if value.chars().any(char::is_whitespace) {
        return Err("is not a URL (contains whitespace)");
    }
    if value.starts_with('/') {
        return Ok(());
    }
    let Some((scheme, rest)) = value.split_once(':') else {
        return Err("is not a URL (no scheme)");
    };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'));
    // `localhost:3000`: a host and port, not a scheme.
    let looks_like_port = rest
        .split('/')
        .next()
        .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if !scheme_ok || looks_like_port {
        return Err("is not a URL (no scheme)");
    }
    if HOSTLESS_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str()) {
        return if rest.is_empty() {
            Err("is not a URL (nothing after the scheme)")
        } else {
            Ok(())
        };
    }
    let Some(after) = rest.strip_prefix("//") else {
        return Err("is not a URL (no `//` after the scheme)");
    };
    let authority = after.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if host_port.starts_with('[') {
        // IPv6 literal.
        match host_port.split_once(']') {
            Some((h, p)) => (h, p.strip_prefix(':')),
            None => return Err("is not a URL (bad IPv6 host)"),
        }
    } else {
        match host_port.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (host_port, None),
        }
    };
    if host.is_empty() {
        return Err("is not a URL (no host)");
    }
    if let Some(p) = port
        && !p.is_empty()
        && check_format(ValueFormat::Port, p).is_err()
    {
        return Err("is not a URL (bad port)");
    }
    Ok(())
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !v
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == '<' || c == '>')
}

fn is_uuid(v: &str) -> bool {
    let parts: Vec<_> = v.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(toml_text: &str) -> VarRule {
        toml::from_str(toml_text).unwrap()
    }

    fn msgs(name: &str, value: &str, r: &VarRule, env: Option<&str>) -> Vec<(&'static str, String)> {
        validate(name, value, r, env)
            .into_iter()
            .map(|v| (v.rule.key(), v.message))
            .collect()
    }

    #[test]
    fn builtin_session_secret_length() {
        let r = effective_rule("NEXTAUTH_SECRET", &EnvConfig::default());
        assert_eq!(
            msgs("NEXTAUTH_SECRET", "abcdefghijkl", &r, None),
            [("min_length", "is 12 characters, needs at least 32".to_string())]
        );
        assert!(msgs("AUTH_SECRET", &"x".repeat(32), &builtin_rule("AUTH_SECRET"), None).is_empty());
        assert!(msgs("OTHER_SECRET", "short", &builtin_rule("OTHER_SECRET"), None).is_empty());
    }

    #[test]
    fn builtin_url_and_port() {
        let url = builtin_rule("NEXT_PUBLIC_API_URL");
        for ok in [
            "https://api.example.com",
            "http://localhost:3000/api?x=1",
            "postgres://user:p%40ss@db.internal:5432/app",
            "redis://[::1]:6379",
            "file:./dev.db",
            "/sign-in",
        ] {
            assert!(msgs("X_URL", ok, &url, None).is_empty(), "{ok}");
        }
        for (bad, why) in [
            ("api.example.com", "is not a URL (no scheme)"),
            ("localhost:3000", "is not a URL (no scheme)"),
            ("https://", "is not a URL (no host)"),
            ("https:example.com", "is not a URL (no `//` after the scheme)"),
            ("http://host:99999", "is not a URL (bad port)"),
            ("https://a b", "is not a URL (contains whitespace)"),
            ("", "is empty, not a URL"),
        ] {
            assert_eq!(
                msgs("X_URL", bad, &url, None),
                [("format", why.to_string())],
                "{bad}"
            );
        }
        let port = builtin_rule("DB_PORT");
        assert!(msgs("DB_PORT", "5432", &port, None).is_empty());
        for bad in ["0", "65536", "80a", "-1", "", "000000080"] {
            assert_eq!(msgs("DB_PORT", bad, &port, None).len(), 1, "{bad}");
        }
        assert_eq!(builtin_rule("PORT").format, Some(ValueFormat::Port));
        assert_eq!(builtin_rule("URL_PREFIX").format, None);
    }

    #[test]
    fn each_configured_rule() {
        let r = rule(
            r#"
min_length = 4
pattern = "[a-z]+-[0-9]+"
one_of = ["abc-1", "abcd-2", "ab"]
starts_with = "ab"
"#,
        );
        assert!(msgs("X", "abcd-2", &r, None).is_empty());
        assert_eq!(
            msgs("X", "ab", &r, None),
            [
                ("min_length", "is 2 characters, needs at least 4".to_string()),
                (
                    "pattern",
                    "does not match the pattern `[a-z]+-[0-9]+`".to_string()
                ),
            ]
        );
        // The pattern must match the whole value.
        assert_eq!(
            msgs("X", "abcd-2x", &r, None)
                .iter()
                .map(|m| m.0)
                .collect::<Vec<_>>(),
            ["pattern", "one_of"]
        );
        assert_eq!(
            msgs("X", "zzzz-9", &r, None),
            [
                ("one_of", "is not one of `abc-1`, `abcd-2`, `ab`".to_string()),
                ("starts_with", "must start with `ab`".to_string())
            ]
        );
    }

    #[test]
    fn formats() {
        let table = [
            (ValueFormat::Int, "42", true),
            (ValueFormat::Int, "-7", true),
            (ValueFormat::Int, "4.2", false),
            (ValueFormat::Int, "-", false),
            (ValueFormat::Bool, "TRUE", true),
            (ValueFormat::Bool, "off", true),
            (ValueFormat::Bool, "maybe", false),
            (ValueFormat::Email, "a.b@example.co.uk", true),
            (ValueFormat::Email, "a@b", false),
            (ValueFormat::Email, "@b.com", false),
            (ValueFormat::Email, "a b@c.com", false),
            (ValueFormat::Uuid, "123e4567-e89b-12d3-a456-426614174000", true),
            (ValueFormat::Uuid, "123e4567e89b12d3a456426614174000", false),
            (ValueFormat::Uuid, "123e4567-e89b-12d3-a456-42661417400g", false),
            (ValueFormat::Port, "8080", true),
        ];
        for (format, value, ok) in table {
            assert_eq!(check_format(format, value).is_ok(), ok, "{format:?} {value}");
        }
    }

    #[test]
    fn per_environment_override() {
        let mut env = EnvConfig::default();
        env.vars.insert(
            "STRIPE_SECRET_KEY".into(),
            rule(
                r#"
starts_with = "sk_test_"
[environments.production]
starts_with = "sk_live_"
optional = false
[environments.preview]
optional = true
"#,
            ),
        );
        let r = effective_rule("STRIPE_SECRET_KEY", &env);
        let test_key = ["sk_", "test_", "abc"].concat();
        let live_key = ["sk_", "live_", "abc"].concat();
        assert!(msgs("STRIPE_SECRET_KEY", &test_key, &r, None).is_empty());
        assert_eq!(
            msgs("STRIPE_SECRET_KEY", &test_key, &r, Some("production")),
            [(
                "starts_with",
                "must start with `sk_live_` in production".to_string()
            )]
        );
        assert!(msgs("STRIPE_SECRET_KEY", &live_key, &r, Some("production")).is_empty());
        assert_eq!(
            msgs("STRIPE_SECRET_KEY", &live_key, &r, Some("staging")),
            [("starts_with", "must start with `sk_test_`".to_string())]
        );
        assert!(!is_optional(&r, Some("production")));
        assert!(is_optional(&r, Some("preview")));
        assert!(!is_optional(&r, None));
    }

    #[test]
    fn config_overrides_builtins() {
        let mut env = EnvConfig::default();
        env.vars
            .insert("AUTH_SECRET".into(), rule("min_length = 64\noptional = true"));
        env.vars
            .insert("SOCKET_URL".into(), rule("pattern = \"wss?://.+\""));
        let r = effective_rule("AUTH_SECRET", &env);
        assert_eq!(r.min_length, Some(64));
        assert_eq!(r.optional, Some(true));
        // The built-in URL format still applies next to the configured pattern.
        let r = effective_rule("SOCKET_URL", &env);
        assert_eq!(r.format, Some(ValueFormat::Url));
        assert_eq!(msgs("SOCKET_URL", "https://x.io", &r, None)[0].0, "pattern");
    }

    #[test]
    fn messages_never_contain_the_value() {
        let r = rule(
            "min_length = 40\nformat = \"email\"\npattern = \"q+\"\none_of = [\"a\"]\nstarts_with = \"zz\"",
        );
        let value = "Hunter2SecretValue";
        let v = validate("X", value, &r, None);
        assert_eq!(v.len(), 5);
        assert!(v.iter().all(|m| !m.message.contains(value)), "{v:?}");
        for bad in ["notaurl-Hunter2", "Hunter2:999999", "https://Hunter2:99999999"] {
            let e = check_url(bad).unwrap_err();
            assert!(!e.contains("Hunter2"));
        }
    }

    #[test]
    fn bad_patterns_are_config_errors() {
        // Refused while the config is read (toml then points at the line), per environment too.
        for text in [
            "pattern = \"(unclosed\"",
            "[environments.production]\npattern = \"[z-a]\"",
        ] {
            let e = toml::from_str::<VarRule>(text).unwrap_err().to_string();
            assert!(e.contains("invalid regular expression"), "{e}");
        }
    }
}
