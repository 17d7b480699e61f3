//! The env names a `turbo.json` declares. Turborepo hashes and (in strict env mode) passes to
//! tasks only the variables its config lists, so a name listed there is one the team knows the
//! build needs: `globalEnv`, `globalPassThroughEnv`, and per task (`tasks.<name>` in turbo 2,
//! `pipeline.<name>` in turbo 1) `env` and `passThroughEnv`, plus turbo 1's legacy `$NAME`
//! entries in `dependsOn` / `globalDependencies`. Entries may be wildcards (`NEXT_PUBLIC_*`);
//! an entry starting `!` excludes the names it matches from the same list, as turbo does.

use serde_json::Value;

use crate::codes;
use crate::diagnostic::Finding;
use crate::manifest::parse_jsonc;

/// One list of turbo env entries: a name is declared by it when an include matches and no
/// exclude does. Lists are kept apart because turbo applies `!` within the list it appears in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct EnvList {
    /// (pattern, 1-based line of the entry in turbo.json).
    include: Vec<(String, u32)>,
    exclude: Vec<String>,
}

/// The env declarations of one turbo.json.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TurboEnv {
    lists: Vec<EnvList>,
}

impl TurboEnv {
    /// Parse a turbo.json (JSONC, as turbo accepts). A file that is not JSON, or not a JSON
    /// object, is a `files/unreadable` finding; fields of unexpected types are ignored.
    #[expect(clippy::result_large_err, reason = "the error is the finding to report")]
    pub fn parse(path: &str, bytes: &[u8]) -> Result<TurboEnv, Finding> {
        let json = parse_jsonc(path, bytes)?;
        if !json.is_object() {
            return Err(Finding::new(
                &codes::FILES_UNREADABLE,
                path,
                format!("`{path}` is not a JSON object"),
            )
            .at(1, 1));
        }
        let text = String::from_utf8_lossy(bytes);
        let line_of = |entry: &str| line_of(&text, entry);
        let mut env = TurboEnv::default();
        let mut push = |entries: Option<&Value>, legacy: bool| {
            let list = list(entries, legacy, &line_of);
            if !list.include.is_empty() {
                env.lists.push(list);
            }
        };
        push(json.get("globalEnv"), false);
        push(json.get("globalPassThroughEnv"), false);
        push(json.get("globalDependencies"), true);
        for tasks in ["tasks", "pipeline"] {
            let Some(tasks) = json.get(tasks).and_then(Value::as_object) else {
                continue;
            };
            for task in tasks.values() {
                push(task.get("env"), false);
                push(task.get("passThroughEnv"), false);
                push(task.get("dependsOn"), true);
            }
        }
        Ok(env)
    }

    /// The 1-based line of the entry declaring `name`, if this file declares it.
    pub fn declares(&self, name: &str) -> Option<u32> {
        self.lists.iter().find_map(|l| {
            if l.exclude.iter().any(|p| wildcard_match(p, name)) {
                return None;
            }
            l.include
                .iter()
                .find(|(p, _)| wildcard_match(p, name))
                .map(|&(_, line)| line)
        })
    }

    /// The literal (wildcard-free) names this file declares.
    pub fn literal_names(&self) -> impl Iterator<Item = &str> {
        self.lists
            .iter()
            .flat_map(|l| l.include.iter().map(|(p, _)| p.as_str()))
            .filter(|p| !p.contains('*'))
    }
}

/// The entries of one array. `legacy`: a `dependsOn`/`globalDependencies` array, where only
/// `$NAME` entries are env names (the others are tasks or files).
fn list(entries: Option<&Value>, legacy: bool, line_of: &dyn Fn(&str) -> u32) -> EnvList {
    let mut out = EnvList::default();
    for raw in entries.and_then(Value::as_array).into_iter().flatten() {
        let Some(raw) = raw.as_str() else { continue };
        let entry = raw.trim();
        if legacy {
            if let Some(name) = entry.strip_prefix('$').filter(|n| !n.is_empty()) {
                out.include.push((name.to_string(), line_of(raw)));
            }
        } else if let Some(pattern) = entry.strip_prefix('!') {
            out.exclude.push(pattern.to_string());
        } else if !entry.is_empty() {
            out.include.push((entry.to_string(), line_of(raw)));
        }
    }
    out
}

/// The 1-based line where the string literal `"entry"` first appears (1 if not found: the
/// entry was written with escapes; the file is still the right place to look).
fn line_of(text: &str, entry: &str) -> u32 {
    text.find(&format!("\"{entry}\""))
        .map_or(1, |at| text[..at].matches('\n').count() as u32 + 1)
}

/// Turbo's env wildcards: `*` matches any run of characters (including none).
fn wildcard_match(pattern: &str, name: &str) -> bool {
    let mut parts = pattern.split('*');
    let first = parts.next().unwrap_or("");
    let Some(mut rest) = name.strip_prefix(first) else {
        return false;
    };
    let parts: Vec<&str> = parts.collect();
    let Some((last, middle)) = parts.split_last() else {
        // No `*`: an exact name.
        return rest.is_empty();
    };
    for part in middle {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        let table = [
            ("API_URL", "API_URL", true),
            ("API_URL", "API_URLS", false),
            ("NEXT_PUBLIC_*", "NEXT_PUBLIC_X", true),
            ("NEXT_PUBLIC_*", "NEXT_PUBLIC_", true),
            ("NEXT_PUBLIC_*", "NEXT_X", false),
            ("*_SECRET", "STRIPE_SECRET", true),
            ("*_SECRET", "STRIPE_SECRETS", false),
            ("A*B*C", "AxxBxxC", true),
            ("A*B*C", "AC", false),
            ("AB*BC", "ABC", false),
            ("*", "ANY", true),
        ];
        for (p, n, want) in table {
            assert_eq!(wildcard_match(p, n), want, "{p} {n}");
        }
    }

    #[test]
    fn turbo_2_and_turbo_1_forms() {
        let t = TurboEnv::parse(
            "turbo.json",
            br#"{
  // turbo accepts comments
  "globalEnv": ["SENTRY_DSN", "NEXT_PUBLIC_*", "!NEXT_PUBLIC_GIT_*"],
  "globalPassThroughEnv": ["AWS_*"],
  "tasks": {
    "build": { "env": ["DATABASE_URL"], "passThroughEnv": ["VERCEL_TOKEN"], "dependsOn": ["^build"] },
    "lint": {}
  },
  "pipeline": {
    "test": { "dependsOn": ["$LEGACY_NAME", "build"] }
  },
  "globalDependencies": ["$OLD_GLOBAL", ".env"]
}"#,
        )
        .unwrap();
        let table = [
            ("SENTRY_DSN", Some(3)),
            ("NEXT_PUBLIC_API_URL", Some(3)),
            // Excluded from globalEnv, and no other list includes it.
            ("NEXT_PUBLIC_GIT_SHA", None),
            ("AWS_REGION", Some(4)),
            ("DATABASE_URL", Some(6)),
            ("VERCEL_TOKEN", Some(6)),
            ("LEGACY_NAME", Some(10)),
            ("OLD_GLOBAL", Some(12)),
            ("build", None),
            ("^build", None),
            ("OTHER", None),
        ];
        for (name, want) in table {
            assert_eq!(t.declares(name), want, "{name}");
        }
        let mut lit: Vec<_> = t.literal_names().collect();
        lit.sort_unstable();
        assert_eq!(
            lit,
            [
                "DATABASE_URL",
                "LEGACY_NAME",
                "OLD_GLOBAL",
                "SENTRY_DSN",
                "VERCEL_TOKEN"
            ]
        );
    }

    #[test]
    fn exclusion_is_per_list() {
        let t = TurboEnv::parse(
            "turbo.json",
            br#"{"globalEnv": ["!SECRET_X"], "tasks": {"b": {"env": ["SECRET_*", "!SECRET_Y"]}}}"#,
        )
        .unwrap();
        assert_eq!(t.declares("SECRET_X"), Some(1));
        assert_eq!(t.declares("SECRET_Y"), None);
    }

    #[test]
    fn malformed_files_are_findings_and_odd_types_are_ignored() {
        let f = TurboEnv::parse("turbo.json", b"{\n  \"globalEnv\": [\"A\",\n}").unwrap_err();
        assert_eq!(
            (f.rule.id, f.path.as_str(), f.line),
            ("files/unreadable", "turbo.json", 3)
        );
        assert!(f.column > 0);
        let f = TurboEnv::parse("apps/web/turbo.json", b"[1]").unwrap_err();
        assert_eq!((f.rule.id, f.line), ("files/unreadable", 1));
        let t = TurboEnv::parse(
            "turbo.json",
            br#"{"globalEnv": "A", "tasks": {"b": {"env": [1, null, "", "B"]}, "c": 3}, "pipeline": []}"#,
        )
        .unwrap();
        assert_eq!(t.declares("A"), None);
        assert_eq!(t.declares("B"), Some(1));
    }
}
