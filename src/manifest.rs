//! Reading the manifests every part of hookctl looks at: `package.json`/`tsconfig.json` as JSON
//! or JSONC, and the `packages:` list of `pnpm-workspace.yaml`. A leaf: config discovery, the
//! resolver and the env rules all read manifests, and none of them should depend on another
//! for it.

use serde_json::Value;

use crate::codes;
use crate::diagnostic::Finding;

/// Parse JSON or JSONC (comments, trailing commas) with a `files/unreadable` finding on error.
#[expect(clippy::result_large_err, reason = "the error is the finding to report")]
pub fn parse_jsonc(path: &str, bytes: &[u8]) -> Result<Value, Finding> {
    let unreadable = |line: usize, col: usize, msg: String| {
        Finding::new(&codes::FILES_UNREADABLE, path, msg)
            .at(line as u32, col as u32)
            .help(format!("fix the syntax of `{path}`; hookctl goes on without it"))
    };
    let mut text = String::from_utf8(bytes.to_vec())
        .map_err(|_| unreadable(0, 0, format!("`{path}` is not valid UTF-8")))?;
    if let Some(stripped) = text.strip_prefix('\u{feff}') {
        text = stripped.to_string();
    }
    let _ = json_strip_comments::strip(&mut text);
    // serde_json stops at 128 levels, which valid files can pass (issue 9.12: 200 nested
    // arrays were "unreadable"). Deeper is parsed on a heap-grown stack (serde_stacker) up to
    // MAX_JSON_DEPTH, a bound kept because dropping a parsed value recurses once per level.
    if let Some((line, col)) = too_deep(&text, MAX_JSON_DEPTH) {
        return Err(unreadable(
            line,
            col,
            format!("`{path}` is nested more than {MAX_JSON_DEPTH} levels deep, hookctl's limit"),
        ));
    }
    let parsed = {
        use serde::Deserialize;
        let mut de = serde_json::Deserializer::from_str(&text);
        de.disable_recursion_limit();
        Value::deserialize(serde_stacker::Deserializer::new(&mut de)).and_then(|v| de.end().map(|()| v))
    };
    parsed.map_err(|e| {
        unreadable(
            e.line(),
            e.column(),
            format!("`{path}` cannot be parsed: {}", strip_position(&e.to_string())),
        )
    })
}

/// Levels of `[`/`{` nesting [`parse_jsonc`] accepts.
pub const MAX_JSON_DEPTH: usize = 1000;

/// 1-based line and column of the first bracket nested deeper than `max` (strings skipped).
fn too_deep(text: &str, max: usize) -> Option<(usize, usize)> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut line, mut col) = (1, 0);
    for c in text.chars() {
        col += 1;
        if c == '\n' {
            (line, col) = (line + 1, 0);
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '[' | '{' => {
                depth += 1;
                if depth > max {
                    return Some((line, col));
                }
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

/// The `packages:` list of a pnpm-workspace.yaml, read with a real YAML parser (serde-saphyr):
/// block lists indented or not, flow lists, quoted values holding ` #`, comments, anchors, and
/// the other keys pnpm reads (`catalog:`, `catalogs:`, settings) accepted. Errors carry the line.
pub fn parse_pnpm_workspace(bytes: &[u8]) -> Result<Vec<String>, (u32, String)> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Workspace {
        #[serde(default)]
        packages: Option<Vec<String>>,
        /// `catalog:` — package name -> version range (read so that a malformed one is named).
        #[serde(default)]
        #[expect(dead_code, reason = "read so that a malformed value is an error, never used")]
        catalog: Option<std::collections::BTreeMap<String, Scalar>>,
        /// `catalogs:` — catalog name -> package name -> version range.
        #[serde(default)]
        #[expect(dead_code, reason = "read so that a malformed value is an error, never used")]
        catalogs: Option<std::collections::BTreeMap<String, std::collections::BTreeMap<String, Scalar>>>,
    }
    /// A version range as YAML may type it (`^18`, `18`, `1.5`).
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    #[expect(dead_code, reason = "read so that a malformed value is an error, never used")]
    enum Scalar {
        Text(String),
        Int(i64),
        Float(f64),
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|_| (1, "`pnpm-workspace.yaml` is not valid UTF-8".to_string()))?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let ws: Option<Workspace> = serde_saphyr::from_str(text).map_err(|e| {
        let line = e.location().map_or(1, |l| l.line().max(1)) as u32;
        let message = e.without_snippet().to_string();
        let message = message
            .lines()
            .next()
            .unwrap_or("invalid YAML")
            .trim()
            .to_string();
        (line, format!("line {line}: {message}"))
    })?;
    Ok(ws.and_then(|w| w.packages).unwrap_or_default())
}
