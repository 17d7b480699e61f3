//! commitlint's configuration as hookctl's `[commit]` (the built-in `commit-msg` check): the
//! file is read, never executed. JSON and YAML configs are parsed; JS/TS configs are read as
//! object literals (comments, single quotes, bare keys, trailing commas and
//! `RuleConfigSeverity.*` understood); what needs running (a function, an imported constant)
//! is said, not guessed.
//!
//! Mapped: `extends` `@commitlint/config-conventional` (Conventional Commits, its types, 100
//! characters) or `@commitlint/config-angular` (its types, 72), `type-enum`,
//! `header-max-length`, `type-empty`/`subject-empty` (implied by Conventional Commits), and
//! `references-empty: never` as a required ticket (`parserPreset.parserOpts.issuePrefixes`, else
//! `#123`). The level is commitlint's highest: 2 = `error`, 1 = `warning`. Every other rule,
//! plugin or option is listed as not translated.

use std::path::Path;

use serde_json::Value;

/// The files commitlint reads (cosmiconfig's order), after `package.json`'s `commitlint` key.
pub const FILES: &[&str] = &[
    ".commitlintrc",
    ".commitlintrc.json",
    ".commitlintrc.yaml",
    ".commitlintrc.yml",
    ".commitlintrc.js",
    ".commitlintrc.cjs",
    ".commitlintrc.mjs",
    ".commitlintrc.ts",
    ".commitlintrc.cts",
    "commitlint.config.js",
    "commitlint.config.cjs",
    "commitlint.config.mjs",
    "commitlint.config.ts",
    "commitlint.config.cts",
    "commitlint.config.mts",
];

/// `[commit]` and the rule's level, as translated.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Commit {
    pub source: String,
    /// `"error"` or `"warning"`.
    pub level: &'static str,
    pub conventional: Option<bool>,
    pub types: Option<Vec<String>>,
    pub max_subject_length: Option<u64>,
    pub ticket: Option<String>,
}

/// The commitlint config of `root`, if any (its name): what it maps to, and notes on the rest.
pub fn detect(root: &Path, notes: &mut Vec<String>) -> Option<(String, Option<Commit>)> {
    let (source, value) = find(root, notes)?;
    let commit = value.and_then(|v| map(&source, &v, notes));
    Some((source, commit))
}

fn find(root: &Path, notes: &mut Vec<String>) -> Option<(String, Option<Value>)> {
    if let Some(v) = std::fs::read(root.join("package.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .and_then(|p| p.get("commitlint").cloned())
    {
        return Some(("package.json \"commitlint\"".into(), Some(v)));
    }
    for name in FILES {
        let Ok(text) = std::fs::read_to_string(root.join(name)) else {
            continue;
        };
        let parsed =
            if name.ends_with(".json") || (*name == ".commitlintrc" && text.trim_start().starts_with('{')) {
                serde_json::from_str::<Value>(&text).map_err(|e| format!("line {}: {e}", e.line()))
            } else if name.ends_with(".yaml") || name.ends_with(".yml") || *name == ".commitlintrc" {
                serde_saphyr::from_str::<Value>(&text).map_err(|e| e.without_snippet().to_string())
            } else {
                js_object(&text)
                    .ok_or_else(|| "not an object literal that can be read without running it".to_string())
            };
        return match parsed {
            Ok(v) => Some((name.to_string(), Some(v))),
            Err(e) => {
                notes.push(format!(
                    "{name}: {e}; translate its rules into `[commit]` by hand"
                ));
                Some((name.to_string(), None))
            }
        };
    }
    None
}

/// Types of `@commitlint/config-angular`'s `type-enum`.
const ANGULAR_TYPES: &[&str] = &[
    "build", "ci", "docs", "feat", "fix", "perf", "refactor", "revert", "style", "test",
];

fn map(source: &str, v: &Value, notes: &mut Vec<String>) -> Option<Commit> {
    let mut c = Commit {
        source: source.to_string(),
        ..Commit::default()
    };
    let level = extends(&mut c, v, notes).max(rules(&mut c, v, notes));
    for key in ["plugins", "ignores", "prompt", "formatter"] {
        if v.get(key).is_some() {
            notes.push(format!("{source}: `{key}` is not translated"));
        }
    }
    if level == 0 {
        notes.push(format!(
            "{source}: no rule hookctl can check (Conventional Commits, types, header length, references); nothing translated"
        ));
        return None;
    }
    if c.conventional.is_none() {
        c.conventional = Some(false);
    }
    c.level = if level >= 2 { "error" } else { "warning" };
    Some(c)
}

/// `extends`: the shared configs hookctl knows, into `c`. Returns the level they set (2 for
/// either, 0 for none).
fn extends(c: &mut Commit, v: &Value, notes: &mut Vec<String>) -> u8 {
    let mut level = 0;
    let extends: Vec<String> = match v.get("extends") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    };
    for e in &extends {
        if e.contains("config-conventional") {
            c.conventional = Some(true);
            level = 2;
        } else if e.contains("config-angular") {
            c.conventional = Some(true);
            c.types = Some(
                ANGULAR_TYPES
                    .iter()
                    .map(std::string::ToString::to_string)
                    .collect(),
            );
            c.max_subject_length = Some(72);
            level = 2;
        } else {
            notes.push(format!(
                "{}: `extends: {e}` is not translated (only @commitlint/config-conventional and config-angular are)",
                c.source
            ));
        }
    }
    level
}

/// `rules`: those hookctl can check, into `c`. Returns the highest level of those translated.
fn rules(c: &mut Commit, v: &Value, notes: &mut Vec<String>) -> u8 {
    let mut level = 0;
    let prefixes: Vec<String> = v
        .pointer("/parserPreset/parserOpts/issuePrefixes")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|p| p.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let Some(rules) = v.get("rules").and_then(Value::as_object) else {
        return level;
    };
    for (name, rule) in rules {
        let source = &c.source;
        let Some(parts) = rule.as_array() else {
            notes.push(format!(
                "{source}: rule `{name}` is not a `[level, when, value]` list (a function?); not translated"
            ));
            continue;
        };
        let lvl = parts.first().and_then(severity).unwrap_or(0);
        if lvl == 0 {
            continue;
        }
        let when = parts.get(1).and_then(Value::as_str).unwrap_or("always");
        if rule_into(c, name, when, parts.get(2), &prefixes) {
            level = level.max(lvl);
        } else if name == "subject-case" {
            notes.push(format!(
                "{}: rule `subject-case` is not translated: hookctl does not check the case of the subject",
                c.source
            ));
        } else {
            notes.push(format!("{}: rule `{name}` ({when}) is not translated", c.source));
        }
    }
    level
}

/// One rule (`name`, `when`, `value`) into `c`; false when hookctl has no such check.
fn rule_into(c: &mut Commit, name: &str, when: &str, value: Option<&Value>, prefixes: &[String]) -> bool {
    match (name, when) {
        ("type-enum", "always") => value
            .and_then(Value::as_array)
            .map(|a| {
                c.types = Some(a.iter().filter_map(|t| t.as_str().map(str::to_string)).collect());
                c.conventional = Some(true);
            })
            .is_some(),
        ("header-max-length", "always") => value
            .and_then(Value::as_u64)
            .map(|n| c.max_subject_length = Some(n))
            .is_some(),
        ("type-empty" | "subject-empty", "never") => {
            c.conventional = Some(true);
            true
        }
        ("references-empty", "never") => {
            c.ticket = Some(ticket(prefixes));
            true
        }
        _ => false,
    }
}

/// commitlint's severities: 0/1/2, or `RuleConfigSeverity.*` as [`js_object`] reads it.
fn severity(v: &Value) -> Option<u8> {
    match v {
        Value::Number(n) => n.as_u64().and_then(|n| u8::try_from(n.min(2)).ok()),
        Value::String(s) => match s.as_str() {
            "RuleConfigSeverity.Error" => Some(2),
            "RuleConfigSeverity.Warning" => Some(1),
            "RuleConfigSeverity.Disabled" => Some(0),
            _ => None,
        },
        _ => None,
    }
}

/// A reference to an issue: `#123`, or one of the configured prefixes followed by digits.
fn ticket(prefixes: &[String]) -> String {
    if prefixes.is_empty() {
        return "#\\d+".into();
    }
    let alts: Vec<String> = prefixes.iter().map(|p| regex::escape(p)).collect();
    if alts.len() == 1 {
        format!("{}\\d+", alts[0])
    } else {
        format!("(?:{})\\d+", alts.join("|"))
    }
}

/// The object a JS/TS config exports (`module.exports =`, `export default`, `defineConfig(`,
/// `const config: UserConfig =`), read as JSON after turning JS literal syntax into JSON's.
fn js_object(text: &str) -> Option<Value> {
    let start = ["module.exports", "export default", "UserConfig ="]
        .iter()
        .filter_map(|m| text.find(m).map(|i| i + m.len()))
        .min()?;
    let open = start + text[start..].find('{')?;
    let json = to_json(&text[open..])?;
    serde_json::from_str(&json).ok()
}

/// One JS object literal (from its `{` to the matching `}`) as JSON text.
fn to_json(src: &str) -> Option<String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut depth = 0usize;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if chars.get(i + 1) == Some(&'*') => {
                i += 2;
                while i + 1 < chars.len() && !(chars[i] == '*' && chars[i + 1] == '/') {
                    i += 1;
                }
                i += 2;
                continue;
            }
            '\'' | '"' | '`' => {
                let quote = c;
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != quote {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        s.push(chars[i + 1]);
                        i += 2;
                        continue;
                    }
                    if quote == '`' && chars[i] == '$' && chars.get(i + 1) == Some(&'{') {
                        return None;
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                out.push_str(&serde_json::to_string(&s).ok()?);
                i += 1;
                continue;
            }
            '{' | '[' => {
                depth += 1;
                out.push(c);
            }
            '}' | ']' => {
                // Trailing commas: `[a, b,]`.
                while out.ends_with(|ch: char| ch.is_whitespace() || ch == ',') {
                    out.pop();
                }
                out.push(c);
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(out);
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == '$' => {
                let mut word = String::new();
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || matches!(chars[i], '_' | '$' | '.'))
                {
                    word.push(chars[i]);
                    i += 1;
                }
                let rest = chars[i..].iter().find(|ch| !ch.is_whitespace());
                if rest == Some(&':') {
                    out.push_str(&serde_json::to_string(&word).ok()?);
                } else if matches!(word.as_str(), "true" | "false" | "null") {
                    out.push_str(&word);
                } else if word.starts_with("RuleConfigSeverity.") {
                    out.push_str(&serde_json::to_string(&word).ok()?);
                } else {
                    // An identifier (an imported constant, a function): only running the file
                    // could say what it is.
                    return None;
                }
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_configs_read_as_object_literals() {
        let v = js_object(
            "import type { UserConfig } from '@commitlint/types';\nimport { RuleConfigSeverity } from '@commitlint/types';\n\
             const Configuration: UserConfig = {\n  // the preset\n  extends: ['@commitlint/config-conventional'],\n  \
             rules: {\n    'type-enum': [RuleConfigSeverity.Error, 'always', ['feat', 'fix',],],\n    \"header-max-length\": [1, `always`, 72],\n  },\n};\nexport default Configuration;\n",
        )
        .unwrap();
        assert_eq!(v["extends"][0], "@commitlint/config-conventional");
        assert_eq!(v["rules"]["type-enum"][2][1], "fix");
        assert_eq!(v["rules"]["header-max-length"][2], 72);
        assert!(js_object("module.exports = { rules: { 'type-enum': [2, 'always', TYPES] } };").is_none());
        assert!(js_object("module.exports = { rules: {} ").is_none());
    }

    #[test]
    fn rules_map_to_commit_and_the_rest_is_noted() {
        let mut notes = Vec::new();
        let v: Value = serde_json::from_str(
            r#"{"extends":["@commitlint/config-conventional","@acme/commitlint"],
                "parserPreset":{"parserOpts":{"issuePrefixes":["PROJ-"]}},
                "rules":{"type-enum":[2,"always",["feat","fix"]],"header-max-length":[1,"always",72],
                         "references-empty":[2,"never"],"subject-case":[2,"never",["upper-case"]],
                         "body-leading-blank":[1,"always"],"scope-enum":[0,"always",[]]}}"#,
        )
        .unwrap();
        let c = map("x", &v, &mut notes).unwrap();
        assert_eq!(c.level, "error");
        assert_eq!(
            c.types.as_deref(),
            Some(&["feat".to_string(), "fix".to_string()][..])
        );
        assert_eq!(c.max_subject_length, Some(72));
        assert_eq!(c.ticket.as_deref(), Some("PROJ\\-\\d+"));
        assert_eq!(notes.len(), 3, "{notes:?}");
        let mut notes = Vec::new();
        let only_warn: Value =
            serde_json::from_str(r#"{"rules":{"header-max-length":[1,"always",50]}}"#).unwrap();
        let c = map("x", &only_warn, &mut notes).unwrap();
        assert_eq!((c.level, c.conventional), ("warning", Some(false)));
        assert!(
            map(
                "x",
                &serde_json::json!({"rules": {"body-case": [2, "always", "lower-case"]}}),
                &mut notes
            )
            .is_none()
        );
    }
}
