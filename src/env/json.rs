//! A JSON export of an environment (`{"NAME": "value", ...}`, as hosting providers produce),
//! read into the same entries as a dotenv file.

use super::dotenv::Entry;

/// Whether `bytes` look like JSON rather than dotenv: the first non-blank character is `{` or
/// `[` (a dotenv line cannot start with either).
pub fn looks_like_json(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    matches!(bytes.iter().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b'['))
}

/// Parse a JSON object of name -> string. Errors are sentences for the user: what is wrong and
/// where, never a value.
pub fn parse_object(bytes: &[u8]) -> Result<Vec<Entry>, String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let value: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "is not valid JSON ({} at line {}, column {})",
            describe(&e),
            e.line(),
            e.column()
        )
    })?;
    let serde_json::Value::Object(map) = value else {
        return Err(format!(
            "must be a JSON object of name -> string, not {}",
            kind(&value)
        ));
    };
    let text = String::from_utf8_lossy(bytes);
    let mut entries = Vec::with_capacity(map.len());
    for (name, v) in map {
        let serde_json::Value::String(s) = v else {
            return Err(format!("`{name}` must be a string, not {}", kind(&v)));
        };
        let (line, column) = key_position(&text, &name);
        entries.push(Entry {
            name,
            value: s,
            line,
            column,
        });
    }
    entries.sort_by_key(|e| (e.line, e.column));
    Ok(entries)
}

fn describe(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "unexpected end",
        serde_json::error::Category::Io => "read error",
        _ => "syntax error",
    }
}

fn kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Best-effort 1-based line and column of `"name"` as a key (0, 0 when not found, e.g. for a
/// key written with escapes).
fn key_position(text: &str, name: &str) -> (u32, u32) {
    let needle = format!("\"{name}\"");
    let mut from = 0;
    while let Some(i) = text[from..].find(&needle) {
        let at = from + i;
        let after = text[at + needle.len()..].trim_start();
        if after.starts_with(':') {
            let (line, col) = crate::config::line_col(text, at);
            return (
                u32::try_from(line).unwrap_or(u32::MAX),
                u32::try_from(col).unwrap_or(u32::MAX),
            );
        }
        from = at + needle.len();
    }
    (0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_of_strings() {
        let e = parse_object(b"{\n  \"A\": \"x\",\n  \"B\": \"A\"\n}").unwrap();
        let got: Vec<_> = e
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str(), e.line, e.column))
            .collect();
        assert_eq!(got, [("A", "x", 2, 3), ("B", "A", 3, 3)]);
    }

    #[test]
    fn errors_name_the_problem_not_the_value() {
        let e = parse_object(br#"{"A": "ok", "PORT": 8080}"#).unwrap_err();
        assert_eq!(e, "`PORT` must be a string, not a number");
        let e = parse_object(br#"["A"]"#).unwrap_err();
        assert_eq!(e, "must be a JSON object of name -> string, not an array");
        let e = parse_object(br#"{"A": "secret-value"#).unwrap_err();
        assert!(e.starts_with("is not valid JSON (unexpected end"), "{e}");
        assert!(!e.contains("secret-value"));
        assert!(parse_object(b"\xff").is_err());
    }

    #[test]
    fn detection() {
        assert!(looks_like_json(b"  \n{}"));
        assert!(looks_like_json(b"\xEF\xBB\xBF[1]"));
        assert!(!looks_like_json(b"A=1"));
        assert!(!looks_like_json(b""));
    }
}
