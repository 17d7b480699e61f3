//! Text from the repository (paths, file contents quoted in messages, source lines) reaches a
//! terminal or a CI log: a file named `\x1b[2J...` or a line holding `\r` could clear the
//! screen, rewrite earlier lines or hide a finding. Control characters are shown escaped.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether a character must not reach a terminal raw: C0 controls except tab, DEL, C1
/// controls, and the bidirectional overrides and isolates that reorder what is displayed.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character written as `\xNN` (`\r`, `\n` as themselves) or `\u{NNNN}`.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            c if is_unsafe(c) && (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:04x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_and_text_is_kept() {
        assert_eq!(escape("plain é\ttab"), "plain é\ttab");
        assert_eq!(
            escape("a\x1b[31mb\rc\nd\x7f\u{85}\0"),
            "a\\x1b[31mb\\rc\\nd\\x7f\\x85\\x00"
        );
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
    }
}
