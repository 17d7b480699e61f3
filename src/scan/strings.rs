//! Cooked values of JS string literals: what `'\x41'` means at run time, not how it is spelled.

/// Decodes the body of a string or template literal (the bytes between the quotes).
/// Invalid escapes and invalid UTF-8 never fail: they decode to something close to what was
/// written (lone surrogates and bad bytes become U+FFFD).
pub(super) fn decode(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    if !text.contains('\\') {
        return text.into_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(&e) = chars.get(i) else { break };
        i += 1;
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' if chars.get(i) == Some(&'\n') => i += 1, // line continuation, CRLF
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '\r' => {
                if chars.get(i) == Some(&'\n') {
                    i += 1;
                }
            }
            '\n' | '\u{2028}' | '\u{2029}' => {}
            '0'..='7' => {
                // Legacy octal escape (`\0` alone is NUL); at most 3 digits and at most 0o377.
                let max_len = if e <= '3' { 3 } else { 2 };
                let mut value = e.to_digit(8).unwrap_or(0);
                let mut len = 1;
                while len < max_len {
                    match chars.get(i).and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            i += 1;
                            len += 1;
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(value).unwrap_or('\u{FFFD}'));
            }
            'x' => match hex(&chars, i, 2) {
                Some(v) => {
                    out.push(char::from_u32(v).unwrap_or('\u{FFFD}'));
                    i += 2;
                }
                None => out.push('x'),
            },
            'u' => {
                i = push_unicode(&mut out, &chars, i);
            }
            other => out.push(other),
        }
    }
    out
}

/// A `\u` escape whose `u` is before `at` (`\uXXXX`, `\u{X}`, or a surrogate pair spelled as
/// two), pushed onto `out`; returns where the text goes on.
fn push_unicode(out: &mut String, chars: &[char], at: usize) -> usize {
    let (unit, mut i) = unicode_escape(chars, at);
    match unit {
        Some(hi @ 0xD800..=0xDBFF) => {
            // A surrogate pair spelled as two escapes: `\uD83D\uDE00`.
            let low = if chars.get(i) == Some(&'\\') && chars.get(i + 1) == Some(&'u') {
                match unicode_escape(chars, i + 2) {
                    (Some(lo @ 0xDC00..=0xDFFF), next) => Some((lo, next)),
                    _ => None,
                }
            } else {
                None
            };
            match low {
                Some((lo, next)) => {
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                    i = next;
                }
                None => out.push('\u{FFFD}'),
            }
        }
        Some(v) => out.push(char::from_u32(v).unwrap_or('\u{FFFD}')),
        None => out.push('u'),
    }
    i
}

/// `len` hex digits at `at`.
fn hex(chars: &[char], at: usize, len: usize) -> Option<u32> {
    let digits = chars.get(at..at + len)?;
    digits
        .iter()
        .try_fold(0u32, |acc, d| Some(acc * 16 + d.to_digit(16)?))
}

/// The code point of `XXXX` or `{X...}` at `at` (just after `\u`), and where it ends.
/// `None` (and `at` unchanged) when the escape is malformed.
fn unicode_escape(chars: &[char], at: usize) -> (Option<u32>, usize) {
    if chars.get(at) == Some(&'{') {
        let mut value: u32 = 0;
        let mut j = at + 1;
        while let Some(d) = chars.get(j).and_then(|d| d.to_digit(16)) {
            value = value.saturating_mul(16).saturating_add(d);
            j += 1;
        }
        if j > at + 1 && chars.get(j) == Some(&'}') {
            return (Some(value.min(0x11_0000)), j + 1);
        }
        return (None, at);
    }
    match hex(chars, at, 4) {
        Some(v) => (Some(v), at + 4),
        None => (None, at),
    }
}

#[cfg(test)]
mod tests {
    use super::decode;

    #[test]
    fn decodes_escapes() {
        let cases: &[(&str, &str)] = &[
            ("plain", "plain"),
            (r"\x41", "A"),
            (r"\u0041", "A"),
            (r"\u{41}", "A"),
            (r"\u{1F600}", "\u{1F600}"),
            (r"\uD83D\uDE00", "\u{1F600}"),
            (r"\uD83D", "\u{FFFD}"),
            (r"\\", "\\"),
            (r#"\'\""#, "'\""),
            (r"a\nb\tc", "a\nb\tc"),
            (r"\0", "\0"),
            (r"\101", "A"),
            ("a\\\nb", "ab"),
            ("a\\\r\nb", "ab"),
            (r"\q", "q"),
            (r"\xZZ", "xZZ"),
            (r"\u{110000}", "\u{FFFD}"),
            (r"\u{FFFFFFFFFFFF}", "\u{FFFD}"),
            (r"\u{}", "u{}"),
            ("end\\", "end"),
            ("caf\u{e9}", "caf\u{e9}"),
        ];
        for (raw, want) in cases {
            assert_eq!(decode(raw.as_bytes()), *want, "decoding {raw:?}");
        }
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(decode(b"a\xffb"), "a\u{FFFD}b");
        assert_eq!(decode(b"\\\xff"), "\u{FFFD}");
    }
}
