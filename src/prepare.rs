//! The `prepare` script that installs the hooks on `npm install` (and pnpm, yarn): added to the
//! root `package.json` by `hookctl init`, by a text edit that keeps the file's order, indentation
//! and everything else as it was.
//!
//! The script is `hookctl install || exit 0`, not `hookctl install`: package managers run
//! `prepare` in `npm ci --omit=dev` too (Docker images, production installs), where the dev
//! dependency hookctl is not installed and the bare command fails with "not found" (husky's
//! most reported breakage). `|| exit 0` works in sh and in Windows' cmd. hookctl itself exits
//! 0 with a note outside a repository, in CI and with `HOOKCTL=0`.

use std::path::Path;

/// The script `hookctl init` writes.
pub const PREPARE: &str = "hookctl install || exit 0";

/// What [`ensure`] found or did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Prepare {
    /// No `package.json` at the root.
    NoPackageJson,
    /// `"prepare"` added.
    Added,
    /// A `prepare` script already runs `hookctl install`.
    Present,
    /// Another `prepare` script is there (left alone): its text.
    Other(String),
    /// `package.json` is not a JSON object, or not valid JSON: left alone.
    Unreadable,
}

/// Add `"prepare": "hookctl install || exit 0"` to `root/package.json` unless a prepare
/// script is there already.
pub fn ensure(root: &Path) -> std::io::Result<Prepare> {
    let path = root.join("package.json");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Prepare::NoPackageJson),
        Err(e) => return Err(e),
    };
    let (outcome, edited) = add_prepare(&text);
    if let Some(edited) = edited {
        std::fs::write(&path, edited)?;
    }
    Ok(outcome)
}

/// The outcome, and the edited text when something was added.
pub fn add_prepare(text: &str) -> (Prepare, Option<String>) {
    let Ok(serde_json::Value::Object(top)) = serde_json::from_str::<serde_json::Value>(text) else {
        return (Prepare::Unreadable, None);
    };
    let scripts = top.get("scripts");
    if let Some(prepare) = scripts.and_then(|s| s.get("prepare")) {
        let prepare = prepare.as_str().unwrap_or_default();
        return if prepare.contains("hookctl install") {
            (Prepare::Present, None)
        } else {
            (Prepare::Other(prepare.to_string()), None)
        };
    }
    if scripts.is_some_and(|s| !s.is_object()) {
        return (Prepare::Unreadable, None);
    }
    let unit = indent_unit(text);
    let entry = format!("\"prepare\": {}", serde_json::Value::from(PREPARE));
    let edited = match top_level_value(text, "scripts") {
        // Right after `"scripts": {`, as its first entry.
        Some(open) => {
            let empty = text[open + 1..].trim_start().starts_with('}');
            let sep = if empty { "" } else { "," };
            let close = if empty { format!("\n{unit}") } else { String::new() };
            format!(
                "{}\n{unit}{unit}{entry}{sep}{close}{}",
                &text[..=open],
                &text[open + 1..]
            )
        }
        None => {
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
        }
    };
    // Never write what does not parse back to the script we meant.
    let ok = serde_json::from_str::<serde_json::Value>(&edited)
        .ok()
        .and_then(|v| v.get("scripts")?.get("prepare")?.as_str().map(|s| s == PREPARE))
        .unwrap_or(false);
    if ok {
        (Prepare::Added, Some(edited))
    } else {
        (Prepare::Unreadable, None)
    }
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

    fn added(text: &str) -> String {
        match add_prepare(text) {
            (Prepare::Added, Some(t)) => t,
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
            (Prepare::Other("husky".into()), None)
        );
        for bad in ["", "[]", "{", r#"{"scripts": []}"#] {
            assert_eq!(add_prepare(bad), (Prepare::Unreadable, None), "{bad}");
        }
    }
}
