//! The data tables under `data/`, embedded in the binary and parsed once: built-in env names,
//! packages' required variables. The files are part of the build, not input:
//! a malformed table is caught by this module's tests, never by a user. The secret formats are
//! `crate::secret`'s.

use std::collections::{BTreeMap, HashSet};
use std::sync::OnceLock;

use serde::Deserialize;

const BUILTINS: &str = include_str!("../../data/env-builtins.txt");
const REQUIRED: &str = include_str!("../../data/env-required-by-package.toml");

/// Names set by runtimes, frameworks, CI and hosting platforms.
pub struct Builtins {
    exact: HashSet<String>,
    prefixes: Vec<String>,
}

impl Builtins {
    pub fn contains(&self, name: &str) -> bool {
        self.exact.contains(name) || self.prefixes.iter().any(|p| name.starts_with(p.as_str()))
    }
}

pub fn builtins() -> &'static Builtins {
    static CELL: OnceLock<Builtins> = OnceLock::new();
    CELL.get_or_init(|| parse_builtins(BUILTINS))
}

fn parse_builtins(text: &str) -> Builtins {
    let mut b = Builtins {
        exact: HashSet::new(),
        prefixes: Vec::new(),
    };
    let mut framework_prefixes: Vec<String> = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(list) = line.strip_prefix("framework-prefixes ") {
            framework_prefixes = list.split_whitespace().map(str::to_string).collect();
            continue;
        }
        if let Some(name) = line.strip_prefix("prefixed ") {
            let name = name.trim();
            for p in &framework_prefixes {
                b.exact.insert(format!("{p}{name}"));
            }
            b.exact.insert(name.to_string());
            continue;
        }
        match line.strip_suffix('*') {
            Some(prefix) => b.prefixes.push(prefix.to_string()),
            None => {
                b.exact.insert(line.to_string());
            }
        }
    }
    b
}

/// One variable a package needs: met when any of `any_of` is declared.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub any_of: Vec<String>,
    /// Where the package documents it.
    pub doc: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequiredFile {
    package: BTreeMap<String, Vec<Requirement>>,
}

pub fn required_by_packages() -> &'static BTreeMap<String, Vec<Requirement>> {
    static CELL: OnceLock<BTreeMap<String, Vec<Requirement>>> = OnceLock::new();
    CELL.get_or_init(|| {
        toml::from_str::<RequiredFile>(REQUIRED)
            .expect("data/env-required-by-package.toml is valid (checked by tests)")
            .package
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse() {
        let b = builtins();
        assert!(b.contains("NODE_ENV"));
        assert!(b.contains("VERCEL_URL"));
        assert!(b.contains("npm_package_version"));
        assert!(!b.contains("DATABASE_URL"));
        assert!(!b.contains("VERCEL"[..3].to_string().as_str()));
        // Narrowed to what platforms set (issue 19): the documented names, framework-prefixed
        // where Vercel prefixes them, never the user's own tokens.
        for set in [
            "VERCEL",
            "VERCEL_ENV",
            "NEXT_PUBLIC_VERCEL_URL",
            "VITE_VERCEL_ENV",
            "PUBLIC_VERCEL_GIT_COMMIT_SHA",
            "NETLIFY",
            "DEPLOY_PRIME_URL",
            "GITHUB_SHA",
            "RUNNER_OS",
        ] {
            assert!(b.contains(set), "{set}");
        }
        for user in [
            "VERCEL_TOKEN",
            "VERCEL_ORG_ID",
            "NEXT_PUBLIC_VERCEL_TOKEN",
            "NEXT_PUBLIC_VERCEL_REGION",
            "NETLIFY_AUTH_TOKEN",
            "GITHUB_TOKEN",
            "GITHUB_CLIENT_SECRET",
        ] {
            assert!(!b.contains(user), "{user}");
        }
        let r = required_by_packages();
        assert_eq!(r["next-auth"][0].any_of, ["NEXTAUTH_SECRET", "AUTH_SECRET"]);
        assert!(r.values().flatten().all(|req| req.doc.starts_with("https://")));
    }
}
