//! What hookctl reads inside comments: `hookctl-ignore` suppressions and the
//! `/// <reference path="..." />` directive.

use memchr::memmem;

const MARKER: &[u8] = b"hookctl-ignore";

/// The rule ids of a `hookctl-ignore` comment (empty: every rule), or `None` when the comment
/// has no marker. Ids are `[a-z0-9][a-z0-9/-]*`, separated by spaces or commas; the list ends at
/// the first other word, so a reason can follow (`hookctl-ignore env/undeclared -- why`).
pub(super) fn suppression(comment: &[u8]) -> Option<Vec<String>> {
    let mut from = 0;
    let rest = loop {
        let at = from + memmem::find(&comment[from..], MARKER)?;
        let after = &comment[at + MARKER.len()..];
        // `hookctl-ignored` or `hookctl-ignore-foo` is another word, not the marker.
        match after.first() {
            None => break after,
            Some(b) if b.is_ascii_whitespace() || *b == b'*' || *b == b',' => break after,
            Some(_) => from = at + MARKER.len(),
        }
    };
    let rest = match memmem::find(rest, b"*/") {
        Some(end) => &rest[..end],
        None => rest,
    };
    let rules = rest
        .split(|b| b.is_ascii_whitespace() || *b == b',')
        .filter(|word| !word.is_empty())
        .take_while(|word| is_rule_id(word))
        .map(|word| String::from_utf8_lossy(word).into_owned())
        .collect();
    Some(rules)
}

fn is_rule_id(word: &[u8]) -> bool {
    matches!(word.first(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && word
            .iter()
            .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-'))
}

/// For `/// <reference path="x" />`: the byte range, within the comment, of the quoted path
/// (quotes included). `types=`, `lib=` and other directives give `None`.
pub(super) fn reference_path(comment: &[u8]) -> Option<(usize, usize)> {
    let mut i = 3;
    if !comment.starts_with(b"///") {
        return None;
    }
    let skip_ws = |mut i: usize| {
        while comment.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        i
    };
    i = skip_ws(i);
    if !comment[i..].starts_with(b"<reference") {
        return None;
    }
    i += b"<reference".len();
    loop {
        let before = i;
        i = skip_ws(i);
        let name_start = i;
        while comment
            .get(i)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
        {
            i += 1;
        }
        // Attributes must be separated from `<reference` and from each other by blanks.
        if i == name_start || name_start == before {
            return None;
        }
        let name = &comment[name_start..i];
        i = skip_ws(i);
        if comment.get(i) != Some(&b'=') {
            return None;
        }
        i = skip_ws(i + 1);
        let quote = *comment.get(i).filter(|q| matches!(q, b'"' | b'\''))?;
        let value_start = i;
        let len = memchr::memchr(quote, &comment[i + 1..])?;
        i += len + 2;
        if name == b"path" {
            return Some((value_start, i));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{reference_path, suppression};

    #[test]
    fn suppression_rules() {
        let cases: &[(&str, Option<&[&str]>)] = &[
            (
                "// hookctl-ignore imports/untracked env/undeclared",
                Some(&["imports/untracked", "env/undeclared"]),
            ),
            ("// hookctl-ignore", Some(&[])),
            ("// hookctl-ignore -- reason", Some(&[])),
            (
                "// hookctl-ignore imports/untracked -- reason here",
                Some(&["imports/untracked"]),
            ),
            ("/* hookctl-ignore a/b */", Some(&["a/b"])),
            ("/* hookctl-ignore a/b*/", Some(&["a/b"])),
            ("/* hookctl-ignore*/", Some(&[])),
            ("// hookctl-ignore a/b, c-d", Some(&["a/b", "c-d"])),
            ("// hookctl-ignore Imports/Untracked", Some(&[])),
            ("// eslint-disable-line hookctl-ignore x", Some(&["x"])),
            ("// hookctl-ignored x", None),
            ("// hookctl-ignore-next-line x", None),
            ("// hookctl-ignored hookctl-ignore y", Some(&["y"])),
            ("// nothing here", None),
        ];
        for (comment, want) in cases {
            let got = suppression(comment.as_bytes());
            let want = want.map(|w| w.iter().map(std::string::ToString::to_string).collect::<Vec<_>>());
            assert_eq!(got, want, "{comment}");
        }
    }

    #[test]
    fn reference_paths() {
        let cases: &[(&str, Option<&str>)] = &[
            (r#"/// <reference path="a.d.ts" />"#, Some(r#""a.d.ts""#)),
            (r"///<reference path='./b' />", Some("'./b'")),
            (r#"/// <reference   path = "c"/>"#, Some(r#""c""#)),
            (
                r#"/// <reference no-default-lib="true" path="d" />"#,
                Some(r#""d""#),
            ),
            (r#"/// <reference types="node" />"#, None),
            (r#"/// <reference lib="es2015" />"#, None),
            (r#"// <reference path="e" />"#, None),
            (r#"/// <referencepath="e" />"#, None),
            (r#"/// <reference path="unterminated />"#, None),
            (r#"/// <amd-module name="x" />"#, None),
        ];
        for (comment, want) in cases {
            let got = reference_path(comment.as_bytes()).map(|(s, e)| &comment[s..e]);
            assert_eq!(got, *want, "{comment}");
        }
    }
}
