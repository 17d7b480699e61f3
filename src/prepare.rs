//! The `prepare` script that installs the hooks on `npm install` (and pnpm, yarn): added to the
//! root `package.json` by `hookctl init`, by a text edit that keeps the file's order, indentation
//! and everything else as it was.
//!
//! Yarn 2+ (berry) runs no `prepare` script for the project itself on `yarn install`, only
//! `postinstall` (husky documents the same): in a berry repository the script goes there
//! ([`lifecycle`]).
//!
//! The script is `hookctl install || exit 0`, not `hookctl install`: package managers run
//! `prepare` in `npm ci --omit=dev` too (Docker images, production installs), where the dev
//! dependency hookctl is not installed and the bare command fails with "not found" (husky's
//! most reported breakage). `|| exit 0` works in sh and in Windows' cmd. hookctl itself exits
//! 0 with a note outside a repository, in CI and with `HOOKCTL=0`.

use std::fmt::Write as _;
use std::path::Path;

/// The script `hookctl init` writes.
pub const PREPARE: &str = "hookctl install || exit 0";

/// The lifecycle script that runs on the project's own install: `postinstall` for yarn 2+
/// (`packageManager: "yarn@2…"` or later, else a root `.yarnrc.yml` or a berry `yarn.lock`),
/// `prepare` for npm, pnpm, yarn 1 and bun.
pub fn lifecycle(root: &Path) -> &'static str {
    crate::package_manager::Pm::detect(root).lifecycle()
}

/// What [`ensure`] found or did (with the script's key, `prepare` or `postinstall`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepare {
    /// No `package.json` at the root.
    NoPackageJson,
    /// The script added.
    Added(&'static str),
    /// The script is there already and runs `hookctl install`.
    Present,
    /// Another script is there under that key (left alone): the key and its text.
    Other(&'static str, String),
    /// `package.json` is not a JSON object, or not valid JSON: left alone.
    Unreadable,
}

/// Add `"prepare": "hookctl install || exit 0"` (`"postinstall"` for yarn 2+, see
/// [`lifecycle`]) to `root/package.json` unless that script is there already.
pub fn ensure(root: &Path) -> std::io::Result<Prepare> {
    let path = root.join("package.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Prepare::NoPackageJson),
        Err(e) => return Err(e),
    };
    let (outcome, edited) = add_script(&text, lifecycle(root));
    if let Some(edited) = edited {
        std::fs::write(&path, edited)?;
    }
    Ok(outcome)
}

/// The outcome, and the edited text when `key` (`prepare` or `postinstall`) was added.
pub fn add_script(text: &str, key: &'static str) -> (Prepare, Option<String>) {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text) else {
        return (Prepare::Unreadable, None);
    };
    let scripts = top.get("scripts");
    if let Some(existing) = scripts.and_then(|s| s.get(key)) {
        let existing = existing.as_str().unwrap_or_default();
        return if existing.contains("hookctl install") {
            (Prepare::Present, None)
        } else {
            (Prepare::Other(key, existing.to_string()), None)
        };
    }
    if scripts.is_some_and(|s| !s.is_object()) {
        return (Prepare::Unreadable, None);
    }
    let unit = indent_unit(text);
    let entry = format!(
        "{}: {}",
        serde_json::Value::from(key),
        serde_json::Value::from(PREPARE)
    );
    let edited = if let Some(open) = top_level_value(text, "scripts") {
        let empty = text[open + 1..].trim_start().starts_with('}');
        let sep = if empty { "" } else { "," };
        let close = if empty { format!("\n{unit}") } else { String::new() };
        format!(
            "{}\n{unit}{unit}{entry}{sep}{close}{}",
            &text[..=open],
            &text[open + 1..]
        )
    } else {
        let Some(open) = text.find('{') else {
            return (Prepare::Unreadable, None);
        };
        let empty = text[open + 1..].trim_start().starts_with('}');
        let sep = if empty { "\n" } else { "," };
        format!(
            "{}\n{unit}\"scripts\": {{\n{unit}{unit}{entry}\n{unit}}}{sep}{}",
            &text[..=open],
            &text[open + 1..]
        )
    };
    // Never write what does not parse back to the script we meant.
    let ok = serde_json::from_str::<serde_json::Value>(&edited)
        .ok()
        .and_then(|v| v.get("scripts")?.get(key)?.as_str().map(|s| s == PREPARE))
        .unwrap_or(false);
    if ok {
        (Prepare::Added(key), Some(edited))
    } else {
        (Prepare::Unreadable, None)
    }
}

/// A lifecycle script (`prepare`, `postinstall`) with husky's command replaced: `(key, old,
/// new)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replaced {
    pub key: &'static str,
    pub old: String,
    pub new: String,
}

/// Replace husky in the `prepare` and `postinstall` scripts of a package.json's text with
/// `hookctl install`: a script that only runs husky (`husky`, `husky install`, `npx husky
/// install .config/husky`, `node .husky/install.mjs`, with `|| true`) becomes [`PREPARE`]; in a
/// longer script (`husky && panda codegen`) the husky command becomes `hookctl install`. The
/// text is edited in place (order, indentation and the rest kept) and checked by parsing it
/// back; `None` when nothing runs husky or the text cannot be edited safely.
pub fn replace_husky(text: &str) -> Option<(Vec<Replaced>, String)> {
    let original: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut expected = original.clone();
    let mut edited = text.to_string();
    let mut done = Vec::new();
    for key in ["prepare", "postinstall"] {
        let Some(old) = original
            .pointer(&format!("/scripts/{key}"))
            .and_then(|v| v.as_str())
        else {
            continue;
        };
        let Some(new) = without_husky(old) else {
            continue;
        };
        let open = top_level_value(&edited, "scripts")?;
        let (start, end) = string_value(&edited, open, key)?;
        edited = format!(
            "{}{}{}",
            &edited[..start],
            serde_json::Value::from(new.as_str()),
            &edited[end..]
        );
        *expected.pointer_mut(&format!("/scripts/{key}"))? = serde_json::Value::from(new.as_str());
        done.push(Replaced {
            key,
            old: old.to_string(),
            new,
        });
    }
    let reparsed: serde_json::Value = serde_json::from_str(&edited).ok()?;
    (!done.is_empty() && reparsed == expected).then_some((done, edited))
}

/// The script with its husky command replaced, or `None` when it does not run husky.
fn without_husky(script: &str) -> Option<String> {
    // Split on `&&`, `||` and `;`, keeping the separators.
    let mut parts: Vec<(String, &str)> = Vec::new();
    let mut rest = script;
    loop {
        let next = ["&&", "||", ";"]
            .iter()
            .filter_map(|sep| rest.find(sep).map(|at| (at, *sep)))
            .min_by_key(|(at, _)| *at);
        if let Some((at, sep)) = next {
            parts.push((rest[..at].to_string(), sep));
            rest = &rest[at + sep.len()..];
        } else {
            parts.push((rest.to_string(), ""));
            break;
        }
    }
    let husky: Vec<bool> = parts.iter().map(|(cmd, _)| runs_husky(cmd)).collect();
    if !husky.iter().any(|h| *h) {
        return None;
    }
    // Only husky, with at most a `|| true`/`|| exit 0` guard: the whole script is ours.
    let guard = |cmd: &str| matches!(cmd.trim(), "true" | "exit 0" | ":");
    if parts.iter().zip(&husky).all(|((cmd, _), h)| *h || guard(cmd)) {
        return Some(PREPARE.to_string());
    }
    let mut out = String::new();
    for ((cmd, sep), h) in parts.iter().zip(&husky) {
        if *h {
            let lead = &cmd[..cmd.len() - cmd.trim_start().len()];
            let trail = &cmd[cmd.trim_end().len()..];
            let _ = write!(out, "{lead}hookctl install{trail}");
        } else {
            out.push_str(cmd);
        }
        out.push_str(sep);
    }
    Some(out)
}

/// Whether one simple command runs husky's installer.
fn runs_husky(cmd: &str) -> bool {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let runners: &[&[&str]] = &[
        &["npx", "--no", "--"],
        &["npx", "--no"],
        &["npx"],
        &["pnpm", "exec"],
        &["pnpm"],
        &["yarn"],
        &["bunx"],
        &["npm", "exec", "--"],
    ];
    let mut w: &[&str] = &words;
    if let Some(r) = runners.iter().find(|r| w.starts_with(r)) {
        w = &w[r.len()..];
    }
    match w {
        ["husky"] | ["husky", "install"] => true,
        ["husky", dir] | ["husky", "install", dir] => !dir.starts_with('-') && dir.contains("husky"),
        ["node", script] => script.contains(".husky/") || script.starts_with("husky"),
        _ => false,
    }
}

/// The byte span (quotes included) of the string value of `key` in the object opening at
/// `open`, at that object's own level.
fn string_value(text: &str, open: usize, key: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = open + 1;
    let string_end = |from: usize| -> Option<usize> {
        let mut j = from + 1;
        while j < bytes.len() && bytes[j] != b'"' {
            j += if bytes[j] == b'\\' { 2 } else { 1 };
        }
        (j < bytes.len()).then_some(j)
    };
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let end = string_end(i)?;
                if depth == 0 {
                    let name: Option<String> = serde_json::from_str(text.get(i..=end)?).ok();
                    let rest = text.get(end + 1..)?;
                    let after_colon = rest.trim_start().strip_prefix(':');
                    if let (Some(name), Some(value)) = (name, after_colon)
                        && name == key
                    {
                        let value_at = text.len() - value.trim_start().len();
                        if bytes.get(value_at) != Some(&b'"') {
                            return None;
                        }
                        return Some((value_at, string_end(value_at)? + 1));
                    }
                }
                i = end;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                if depth == 0 {
                    return None;
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The indentation of the first indented line (two spaces when there is none).
fn indent_unit(text: &str) -> String {
    text.lines()
        .map(|l| &l[..l.len() - l.trim_start().len()])
        .find(|w| !w.is_empty())
        .unwrap_or("  ")
        .to_string()
}

/// The byte offset of the `{` opening the top-level object value of `key`, if there is one.
fn top_level_value(text: &str, key: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i;
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                let end = i.min(bytes.len());
                if depth == 1 {
                    let name: Option<String> = serde_json::from_str(text.get(start..=end)?).ok();
                    let rest = text.get(end + 1..)?.trim_start();
                    if name.as_deref() == Some(key) && rest.starts_with(':') {
                        let after = rest[1..].trim_start();
                        if after.starts_with('{') {
                            return Some(text.len() - after.len());
                        }
                    }
                }
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add_prepare(text: &str) -> (Prepare, Option<String>) {
        add_script(text, "prepare")
    }

    fn added(text: &str) -> String {
        match add_prepare(text) {
            (Prepare::Added("prepare"), Some(t)) => t,
            other => panic!("not added: {other:?}"),
        }
    }

    #[test]
    fn added_into_existing_scripts_keeping_the_rest() {
        let text = "{\n    \"name\": \"app\",\n    \"scripts\": {\n        \"build\": \"next build\"\n    },\n    \"x\": {\"scripts\": 1}\n}\n";
        assert_eq!(
            added(text),
            "{\n    \"name\": \"app\",\n    \"scripts\": {\n        \"prepare\": \"hookctl install || exit 0\",\n        \"build\": \"next build\"\n    },\n    \"x\": {\"scripts\": 1}\n}\n"
        );
        let empty = added("{\n  \"scripts\": {}\n}\n");
        assert_eq!(
            empty,
            "{\n  \"scripts\": {\n    \"prepare\": \"hookctl install || exit 0\"\n  }\n}\n"
        );
    }

    #[test]
    fn scripts_created_when_missing() {
        assert_eq!(
            added("{\n  \"name\": \"a\"\n}"),
            "{\n  \"scripts\": {\n    \"prepare\": \"hookctl install || exit 0\"\n  },\n  \"name\": \"a\"\n}"
        );
        assert_eq!(
            added("{}"),
            "{\n  \"scripts\": {\n    \"prepare\": \"hookctl install || exit 0\"\n  }\n}"
        );
        // A nested "scripts" key is not the top-level one.
        let t = added("{\"config\": {\"scripts\": {}}, \"name\": \"a\"}");
        assert!(t.starts_with("{\n  \"scripts\": {"), "{t}");
    }

    #[test]
    fn existing_prepare_scripts_are_left_alone() {
        assert_eq!(
            add_prepare(r#"{"scripts": {"prepare": "hookctl install"}}"#),
            (Prepare::Present, None)
        );
        assert_eq!(
            add_prepare(r#"{"scripts": {"prepare": "husky"}}"#),
            (Prepare::Other("prepare", "husky".into()), None)
        );
        for bad in ["", "[]", "{", r#"{"scripts": []}"#] {
            assert_eq!(add_prepare(bad), (Prepare::Unreadable, None), "{bad}");
        }
    }

    #[test]
    fn husky_is_replaced_in_place() {
        let text = "{\n    \"name\": \"a\",\n    \"scripts\": {\n        \"build\": \"tsc\",\n        \"prepare\": \"husky\"\n    }\n}\n";
        let (done, edited) = replace_husky(text).unwrap();
        assert_eq!(
            edited,
            "{\n    \"name\": \"a\",\n    \"scripts\": {\n        \"build\": \"tsc\",\n        \"prepare\": \"hookctl install || exit 0\"\n    }\n}\n"
        );
        assert_eq!(done[0].old, "husky");
        for (old, new) in [
            ("husky install", PREPARE),
            ("npx husky install .config/husky", PREPARE),
            ("husky || true", PREPARE),
            ("node .husky/install.mjs", PREPARE),
            ("husky && panda codegen", "hookctl install && panda codegen"),
            ("is-ci || husky install", "is-ci || hookctl install"),
        ] {
            assert_eq!(without_husky(old).as_deref(), Some(new), "{old}");
        }
        assert_eq!(without_husky("panda codegen"), None);
        assert_eq!(without_husky("husky-run lint"), None);
        // berry's postinstall; a nested "prepare" is not the script.
        let (done, edited) =
            replace_husky(r#"{"x": {"prepare": "husky"}, "scripts": {"postinstall": "husky"}}"#).unwrap();
        assert_eq!(done[0].key, "postinstall");
        assert_eq!(
            edited,
            r#"{"x": {"prepare": "husky"}, "scripts": {"postinstall": "hookctl install || exit 0"}}"#
        );
        assert!(replace_husky(r#"{"scripts": {"prepare": "tsc"}}"#).is_none());
        assert!(replace_husky("{").is_none());
    }

    /// Yarn 2+ runs `postinstall`, not `prepare`, on the project's own install (checked with
    /// yarn 4.18 in tests/npm/run.sh): the script goes there, read from packageManager first.
    #[test]
    fn berry_gets_postinstall() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |name: &str, text: &str| std::fs::write(root.join(name), text).unwrap();
        write("package.json", "{}");
        assert_eq!(lifecycle(root), "prepare");
        write(
            "yarn.lock",
            "# yarn lockfile v1\n\nfoo@^1:\n  version \"1.0.0\"\n",
        );
        assert_eq!(lifecycle(root), "prepare", "a yarn 1 lockfile");
        write(
            "yarn.lock",
            "# This file is generated by running \"yarn install\"\n\n__metadata:\n  version: 8\n",
        );
        assert_eq!(lifecycle(root), "postinstall", "a berry lockfile");
        std::fs::remove_file(root.join("yarn.lock")).unwrap();
        write(".yarnrc.yml", "nodeLinker: node-modules\n");
        assert_eq!(lifecycle(root), "postinstall", ".yarnrc.yml");
        write("package.json", r#"{"packageManager": "yarn@1.22.22"}"#);
        assert_eq!(lifecycle(root), "prepare", "packageManager wins");
        write("package.json", r#"{"packageManager": "yarn@4.18.1+sha512.abc"}"#);
        assert_eq!(lifecycle(root), "postinstall");
        write("package.json", r#"{"packageManager": "pnpm@9.0.0"}"#);
        assert_eq!(lifecycle(root), "prepare");
        assert_eq!(
            add_script("{}", "postinstall").1.unwrap(),
            "{\n  \"scripts\": {\n    \"postinstall\": \"hookctl install || exit 0\"\n  }\n}"
        );
        assert_eq!(
            add_script(r#"{"scripts": {"prepare": "hookctl install"}}"#, "postinstall").0,
            Prepare::Added("postinstall"),
            "a prepare script does not run under berry"
        );
    }
}
