//! A forgiving dotenv parser: bytes in, entries and per-line errors out. A bad line is reported
//! with its 1-based line and column and skipped; the rest of the file is still read. Only a file
//! that is not text at all (NUL bytes, invalid UTF-8) is rejected as a whole by [`parse`];
//! [`parse_lossy`] reads it anyway, for scanners that must not go blind on such a file.
//!
//! Accepted: UTF-8 (with or without a BOM) and UTF-16 (PowerShell's `>` writes UTF-16 LE with a
//! BOM), comments, blank lines, `export NAME=...`, `NAME: value`, unquoted values with a
//! trailing ` # comment`, `'single'`, `"double"` (with `\n`, `\r`, `\t`, `\"`, `\\` escapes) and
//! `` `backtick` `` quotes, quoted values spanning lines, an unquoted PEM block spanning lines,
//! `NAME=` (empty) and CRLF. Names are env identifiers (`[A-Za-z_][A-Za-z0-9_]*`): anything
//! else on a line is an error, never a name, because a malformed line is often a pasted value.
//! Error messages never quote the text of the line.

use std::borrow::Cow;
use std::fmt;

/// One `NAME=value` assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub value: String,
    /// 1-based line of the name.
    pub line: u32,
    /// 1-based column (in characters) of the name.
    pub column: u32,
}

/// A malformed line. The message never contains the line's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Everything that could be read from a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub errors: Vec<LineError>,
}

impl Parsed {
    /// The last value assigned to `name` (later assignments win, as in dotenv).
    pub fn get(&self, name: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.name == name)
    }
}

/// The file is not text: nothing was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileError {
    /// A NUL byte at this 1-based line and column.
    Binary { line: u32, column: u32 },
    /// Bytes that are not UTF-8 at this 1-based line and column.
    InvalidUtf8 { line: u32, column: u32 },
}

impl FileError {
    pub fn line_col(&self) -> (u32, u32) {
        match *self {
            FileError::Binary { line, column } | FileError::InvalidUtf8 { line, column } => (line, column),
        }
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::Binary { .. } => {
                f.write_str("is a binary file (contains NUL bytes), not a dotenv file")
            }
            FileError::InvalidUtf8 { .. } => f.write_str("is not valid UTF-8 text"),
        }
    }
}

/// Parse a dotenv file. A file that is not text (NUL bytes, invalid UTF-8) is rejected whole:
/// a value read through a wrong decoding would be validated wrongly.
pub fn parse(bytes: &[u8]) -> Result<Parsed, FileError> {
    decode(bytes).map(|text| parse_str(&text))
}

/// Parse whatever can be read: a file that is not text is decoded lossily (invalid bytes become
/// U+FFFD) and parsed anyway, with the reason it is not text. For secret scanners: one stray
/// Latin-1 byte must not hide the live key on the next line.
pub fn parse_lossy(bytes: &[u8]) -> (Parsed, Option<FileError>) {
    let (text, problem) = decode_lossy(bytes);
    (parse_str(&text), problem)
}

/// The text of an env file: UTF-8 (a BOM is dropped) or UTF-16 LE/BE (with a BOM, or without
/// one when every other byte is NUL, as PowerShell and Notepad write it).
pub fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, FileError> {
    if let Some(text) = crate::text::decode_utf16(bytes) {
        if let Some(at) = text.find('\0') {
            let (line, column) = byte_line_col(text.as_bytes(), at);
            return Err(FileError::Binary { line, column });
        }
        return Ok(Cow::Owned(text));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = memchr::memchr(0, bytes) {
        let (line, column) = byte_line_col(bytes, at);
        return Err(FileError::Binary { line, column });
    }
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        let (line, column) = byte_line_col(bytes, e.valid_up_to());
        FileError::InvalidUtf8 { line, column }
    })
}

/// [`decode`], or when the file is not text, a lossy UTF-8 reading of it and why.
pub fn decode_lossy(bytes: &[u8]) -> (Cow<'_, str>, Option<FileError>) {
    match decode(bytes) {
        Ok(text) => (text, None),
        Err(e) => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            (String::from_utf8_lossy(bytes), Some(e))
        }
    }
}

/// 1-based line and column of a byte offset in possibly non-UTF-8 bytes (columns count the
/// valid characters before it).
fn byte_line_col(bytes: &[u8], at: usize) -> (u32, u32) {
    let before = &bytes[..at];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[start..]).chars().count() + 1;
    (to_u32(line), to_u32(column))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Parse text that is already known to be UTF-8.
pub fn parse_str(text: &str) -> Parsed {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser {
        text,
        out: Parsed::default(),
        unterminated_from: [usize::MAX; 3],
    };
    p.run();
    p.out
}

struct Parser<'a> {
    text: &'a str,
    out: Parsed,
    /// For each quote kind, a byte offset from which no closing quote was found: a later search
    /// from at or after it cannot succeed either. Keeps a file of unterminated quotes linear.
    unterminated_from: [usize; 3],
}

fn quote_index(q: char) -> usize {
    match q {
        '\'' => 0,
        '"' => 1,
        _ => 2,
    }
}

/// Env identifiers only: a `.` or `-` would make `NAME` of `MIIE.../x=` (a PEM line) or of a
/// pasted token a "name" that `env diff` and `env/unused` print.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The end of the line starting at `from` (offset of `\n` or the end), and the start of the next.
fn line_end(text: &str, from: usize) -> (usize, usize) {
    if let Some(i) = text[from..].find('\n') {
        visited(i + 1);
        (from + i, from + i + 1)
    } else {
        visited(text.len() - from);
        (text.len(), text.len())
    }
}

#[cfg(test)]
thread_local! {
    /// Bytes the searches that could run past a line (`line_end`, `find_close`) looked at on
    /// this thread: the tests' measure of linear time, counted instead of timed.
    static VISITED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Count `n` bytes looked at (tests only; nothing in a release build).
#[inline]
fn visited(n: usize) {
    #[cfg(test)]
    VISITED.with(|v| v.set(v.get() + n));
    #[cfg(not(test))]
    let _ = n;
}

fn col_of(line: &str, offset: usize) -> u32 {
    to_u32(line[..offset].chars().count() + 1)
}

impl Parser<'_> {
    fn error(&mut self, line: u32, line_text: &str, offset: usize, message: String) {
        self.out.errors.push(LineError {
            line,
            column: col_of(line_text, offset),
            message,
        });
    }

    fn run(&mut self) {
        let text = self.text;
        let mut pos = 0;
        let mut line_no: u32 = 1;
        while pos < text.len() {
            let (end, next) = line_end(text, pos);
            let line = text[pos..end].strip_suffix('\r').unwrap_or(&text[pos..end]);
            // A quoted value may consume further lines: `consumed` is where to resume.
            let (resume, lines_used) = self.line(pos, line, line_no).unwrap_or((next, 1));
            pos = resume;
            line_no = line_no.saturating_add(lines_used);
        }
    }

    /// Parse one logical line starting at byte `start` of the text. Returns where to continue
    /// and how many physical lines were used when a quoted value spans lines.
    fn line(&mut self, start: usize, line: &str, line_no: u32) -> Option<(usize, u32)> {
        let mut i = line.len() - line.trim_start_matches(is_blank).len();
        let rest = &line[i..];
        if rest.is_empty() || rest.starts_with('#') {
            return None;
        }
        if let Some(after) = rest.strip_prefix("export")
            && after.starts_with(is_blank)
        {
            i += "export".len() + (after.len() - after.trim_start_matches(is_blank).len());
        }
        let name_start = i;
        let name_len = line[i..].len() - line[i..].trim_start_matches(is_name_char).len();
        // What follows the name is never quoted in a message: it may be the first character of
        // a value (`EXTRA_VAR LEAKME17`).
        if name_len == 0 || line[i..].starts_with(|c: char| c.is_ascii_digit()) {
            self.error(line_no, line, i, EXPECTED_NAME.to_string());
            return None;
        }
        let name = &line[name_start..name_start + name_len];
        i += name_len;
        i += line[i..].len() - line[i..].trim_start_matches(is_blank).len();
        if i == line.len() {
            // `export NAME` alone re-exports a shell variable: valid shell, nothing to record.
            if name_start > 0 && line[..name_start].trim_start().starts_with("export") {
                return None;
            }
            // The "name" of a malformed line may be a pasted secret: never echo it.
            self.error(line_no, line, i, EXPECTED_EQUALS.to_string());
            return None;
        }
        let sep = line[i..].chars().next().unwrap_or(' ');
        let yaml_style = sep == ':' && line[i + 1..].starts_with(is_blank);
        if sep != '=' && !yaml_style {
            self.error(line_no, line, i, EXPECTED_EQUALS.to_string());
            return None;
        }
        i += 1;
        let blanks = line[i..].len() - line[i..].trim_start_matches(is_blank).len();
        i += blanks;
        let entry = |value: String| Entry {
            name: name.to_string(),
            value,
            line: line_no,
            column: col_of(line, name_start),
        };
        if let Some(q @ ('\'' | '"' | '`')) = line[i..].chars().next() {
            self.quoted(start, line, line_no, i, q, entry)
        } else {
            let raw = &line[i..];
            let value = match comment_start(raw, blanks > 0) {
                Some(c) => &raw[..c],
                None => raw,
            };
            let mut value = value.trim_end_matches(is_blank).to_string();
            let (_, next) = line_end(self.text, start);
            let more = pem_continuation(self.text, next, &value);
            if let Some((resume, lines)) = more {
                for l in self.text[next..resume].lines() {
                    value.push('\n');
                    value.push_str(l.trim_end_matches('\r').trim_matches(is_blank));
                }
                self.out.entries.push(entry(value));
                return Some((resume, lines + 1));
            }
            self.out.entries.push(entry(value));
            None
        }
    }

    /// A quoted value opening at byte `open` of `line` (which starts at byte `start` of the text).
    fn quoted(
        &mut self,
        start: usize,
        line: &str,
        line_no: u32,
        open: usize,
        q: char,
        entry: impl Fn(String) -> Entry,
    ) -> Option<(usize, u32)> {
        let text = self.text;
        let body_start = start + open + 1;
        let close = if body_start >= self.unterminated_from[quote_index(q)] {
            None
        } else {
            find_close(&text[body_start..], q).map(|c| body_start + c)
        };
        let Some(close) = close else {
            self.unterminated_from[quote_index(q)] = body_start;
            self.error(line_no, line, open, unterminated(q).to_string());
            return None;
        };
        let (end, next) = line_end(text, close);
        let after_close = text[close + 1..end]
            .strip_suffix('\r')
            .unwrap_or(&text[close + 1..end]);
        let trailing = after_close.trim_start_matches(is_blank);
        let spans_lines = close > start + line.len();
        if !trailing.is_empty() && !trailing.starts_with('#') {
            if spans_lines {
                // More likely a quote left open on this line than a value spanning lines that is
                // followed by junk: report this line and carry on with the next one.
                self.error(line_no, line, open, unterminated(q).to_string());
                return None;
            }
            let col = close + 1 + (after_close.len() - trailing.len()) - (start);
            self.error(line_no, line, col, TEXT_AFTER_QUOTE.to_string());
        }
        let body = &text[body_start..close];
        let value = if q == '"' {
            unescape(body)
        } else {
            body.replace("\r\n", "\n")
        };
        self.out.entries.push(entry(value));
        let lines_used = to_u32(text[start..close].matches('\n').count() + 1);
        Some((next, lines_used))
    }
}

const EXPECTED_NAME: &str = "expected a variable name (letters, digits and `_`, not starting with a digit)";
const EXPECTED_EQUALS: &str = "expected `=` after the name (names have only letters, digits and `_`)";

/// An unquoted value that opens a PEM block (`KEY=-----BEGIN RSA PRIVATE KEY-----` followed by
/// the raw key) continues on the following lines: base64 lines, PEM headers, up to the
/// `-----END` line. Without this, a base64 line ending in `=` padding reads as `NAME=`, and the
/// key becomes a "name" that reports print. Returns where the block ends (the next line's start)
/// and how many lines it took, if `value` opens one.
fn pem_continuation(text: &str, from: usize, value: &str) -> Option<(usize, u32)> {
    if !value.contains("-----BEGIN ") || value.contains("-----END") {
        return None;
    }
    let mut pos = from;
    let mut lines = 0u32;
    while pos < text.len() {
        let (end, next) = line_end(text, pos);
        let l = text[pos..end].trim_end_matches('\r').trim_matches(is_blank);
        let ends = l.starts_with("-----END");
        if !(ends || is_base64_line(l) || is_pem_header(l)) {
            break;
        }
        pos = next;
        lines += 1;
        if ends {
            break;
        }
    }
    (lines > 0).then_some((pos, lines))
}

/// A line of a PEM body: base64 with `=` padding only at the end.
fn is_base64_line(l: &str) -> bool {
    let body = l.trim_end_matches('=');
    !body.is_empty()
        && l.len() - body.len() <= 2
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// `Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...` in legacy encrypted PEM.
fn is_pem_header(l: &str) -> bool {
    l.starts_with("Proc-Type:") || l.starts_with("DEK-Info:")
}

const TEXT_AFTER_QUOTE: &str = "unexpected text after the closing quote";

fn unterminated(q: char) -> &'static str {
    match q {
        '\'' => "unterminated single quote",
        '"' => "unterminated double quote",
        _ => "unterminated backtick quote",
    }
}

/// Every message a [`LineError`] can have: fixed strings, so that none can carry text of the
/// file (checked by the fuzz target and a property test).
pub const ERROR_MESSAGES: &[&str] = &[
    EXPECTED_NAME,
    EXPECTED_EQUALS,
    TEXT_AFTER_QUOTE,
    "unterminated single quote",
    "unterminated double quote",
    "unterminated backtick quote",
];

/// Byte offset of the closing quote in `body` (which starts just after the opening quote).
fn find_close(body: &str, q: char) -> Option<usize> {
    let found = find_close_uncounted(body, q);
    visited(found.map_or(body.len(), |at| at + 1));
    found
}

fn find_close_uncounted(body: &str, q: char) -> Option<usize> {
    if q != '"' {
        return body.find(q);
    }
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(off) = body[i..].find(['"', '\\']) {
        let at = i + off;
        if bytes[at] == b'"' {
            return Some(at);
        }
        i = at + 2;
        if i >= body.len() {
            return None;
        }
        // Never land inside a multi-byte character.
        while !body.is_char_boundary(i) {
            i += 1;
        }
    }
    None
}

/// Where an inline comment starts in an unquoted value: a `#` after a blank (`A=x # note`,
/// `A= # note`). `A=#fff` is a value, as in Docker Compose.
fn comment_start(raw: &str, blank_before: bool) -> Option<usize> {
    if blank_before && raw.starts_with('#') {
        return Some(0);
    }
    raw.match_indices('#')
        .map(|(i, _)| i)
        .find(|&i| raw[..i].ends_with(is_blank))
}

fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\r' {
            continue;
        }
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(text: &str) -> Vec<(String, String, u32)> {
        let p = parse(text.as_bytes()).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.entries.into_iter().map(|e| (e.name, e.value, e.line)).collect()
    }

    fn e(name: &str, value: &str, line: u32) -> (String, String, u32) {
        (name.to_string(), value.to_string(), line)
    }

    #[test]
    fn comments_blank_lines_and_export() {
        assert_eq!(
            entries("# top\n\n  # indented\nA=1\nexport B=2\nexport\tC = 3 \n"),
            [e("A", "1", 4), e("B", "2", 5), e("C", "3", 6)]
        );
    }

    #[test]
    fn unquoted_values_and_inline_comments() {
        assert_eq!(
            entries("A=hello world # note\nB=#fff\nC= # only a comment\nD=a#b\nE=x\t# tab\n"),
            [
                e("A", "hello world", 1),
                e("B", "#fff", 2),
                e("C", "", 3),
                e("D", "a#b", 4),
                e("E", "x", 5)
            ]
        );
    }

    #[test]
    fn empty_values_count() {
        assert_eq!(entries("A=\nB=  \n"), [e("A", "", 1), e("B", "", 2)]);
    }

    #[test]
    fn quotes() {
        assert_eq!(
            entries(
                "A='single # not a comment'\nB=\"dou\\\"ble\\n\\tx\\\\\" # c\nC=`back 'tick' \"q\"`\nD='a\\nb'\n"
            ),
            [
                e("A", "single # not a comment", 1),
                e("B", "dou\"ble\n\tx\\", 2),
                e("C", "back 'tick' \"q\"", 3),
                e("D", "a\\nb", 4)
            ]
        );
    }

    #[test]
    fn multi_line_quoted_values_keep_line_numbers() {
        let text = "KEY=\"-----BEGIN\nabc\n-----END\"\nNEXT=1\nS='x\ny'\nLAST=2\n";
        assert_eq!(
            entries(text),
            [
                e("KEY", "-----BEGIN\nabc\n-----END", 1),
                e("NEXT", "1", 4),
                e("S", "x\ny", 5),
                e("LAST", "2", 7)
            ]
        );
    }

    #[test]
    fn crlf_and_bom() {
        assert_eq!(
            entries("\u{feff}A=1\r\nB=\"x\r\ny\"\r\nC='q' \r\n# c\r\nD=\r\n"),
            [e("A", "1", 1), e("B", "x\ny", 2), e("C", "q", 4), e("D", "", 6)]
        );
    }

    #[test]
    fn yaml_style_and_lower_case_names() {
        assert_eq!(
            entries("A: 1\nmy_name_x=2\n_U=3\n"),
            [e("A", "1", 1), e("my_name_x", "2", 2), e("_U", "3", 3)]
        );
    }

    #[test]
    fn names_are_env_identifiers() {
        let p = parse(b"my.name=1\nx-y=2\n1ABC=3\nMIIEv+AIB/AD=\nOK=4\n").unwrap();
        let names: Vec<_> = p.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["OK"]);
        assert_eq!(p.errors.len(), 4, "{:?}", p.errors);
    }

    /// Issue 9 (3): the text after a name is never shown, not even its first character.
    #[test]
    fn errors_never_show_what_follows_the_name() {
        let text = "EXTRA_VAR LEAKME17\nX:LEAKME17\nLEAKME17\n=LEAKME17\n%LEAKME17=1\nA='x' LEAKME17\nB=\"LEAKME17\nY.LEAKME17=1\n";
        let p = parse(text.as_bytes()).unwrap();
        assert!(p.entries.iter().all(|e| e.name != "LEAKME17"));
        assert_eq!(p.errors.len(), 8, "{:?}", p.errors);
        for e in &p.errors {
            assert!(!e.message.contains('L'), "{}", e.message);
            assert!(!e.message.contains("17"), "{}", e.message);
        }
    }

    /// Issue 9 (3): an unquoted multi-line PEM is one value; its base64 lines never become names.
    #[test]
    fn unquoted_multi_line_pem_is_one_value() {
        let body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\nLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo9z=\n";
        let text = format!(
            "A=1\nPRIVATE_KEY=-----BEGIN RSA PRIVATE KEY-----\r\n{body}-----END RSA PRIVATE KEY-----\nB=2\n"
        );
        let p = parse(text.as_bytes()).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        let got: Vec<_> = p.entries.iter().map(|e| (e.name.as_str(), e.line)).collect();
        assert_eq!(got, [("A", 1), ("PRIVATE_KEY", 2), ("B", 7)]);
        assert!(p.entries[1].value.ends_with("\n-----END RSA PRIVATE KEY-----"));
        // No END line: the base64 lines are still part of it, and the next assignment is read.
        let text = format!("K=-----BEGIN PRIVATE KEY-----\n{body}NEXT_ONE=1\n");
        let names: Vec<_> = parse_str(&text).entries.into_iter().map(|e| e.name).collect();
        assert_eq!(names, ["K", "NEXT_ONE"]);
    }

    /// Issue 9 (1): PowerShell writes UTF-16 LE with a BOM; big-endian and BOM-less too.
    #[test]
    fn utf16_is_decoded() {
        let text = "A=1\r\nKEY=v\u{e9}\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        for bytes in [
            [&b"\xFF\xFE"[..], &le].concat(),
            [&b"\xFE\xFF"[..], &be].concat(),
            le.clone(),
            be.clone(),
        ] {
            assert_eq!(entries_of(&bytes), [e("A", "1", 1), e("KEY", "v\u{e9}", 2)]);
        }
        // A NUL character inside UTF-16 text is still a binary file.
        let nul: Vec<u8> = "A=\0".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert!(matches!(
            parse(&[&b"\xFF\xFE"[..], &nul].concat()),
            Err(FileError::Binary { .. })
        ));
    }

    fn entries_of(bytes: &[u8]) -> Vec<(String, String, u32)> {
        let p = parse(bytes).unwrap();
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        p.entries.into_iter().map(|e| (e.name, e.value, e.line)).collect()
    }

    /// Issue 9 (1): a file that is not text is still read, lossily, with the reason.
    #[test]
    fn lossy_parse_reads_what_it_can() {
        let (p, problem) = parse_lossy(b"NAME=caf\xe9\nKEY=abc\nZ=\0\n");
        assert_eq!(problem, Some(FileError::Binary { line: 3, column: 3 }));
        let (_, problem) = parse_lossy(b"NAME=caf\xe9\n");
        assert_eq!(problem, Some(FileError::InvalidUtf8 { line: 1, column: 9 }));
        let names: Vec<_> = p.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["NAME", "KEY", "Z"]);
        assert_eq!(parse_lossy(b"A=1\n").1, None);
    }

    #[test]
    fn malformed_lines_are_reported_and_skipped() {
        let text = "A=1\n=nope\nJUST_A_NAME\nB 2\nC=\"open\nD=4\nE='x' junk\n  %X=1\nF=6\n";
        let p = parse(text.as_bytes()).unwrap();
        let names: Vec<_> = p.entries.iter().map(|e| (e.name.as_str(), e.line)).collect();
        assert_eq!(names, [("A", 1), ("D", 6), ("E", 7), ("F", 9)]);
        let errs: Vec<_> = p
            .errors
            .iter()
            .map(|e| (e.line, e.column, e.message.as_str()))
            .collect();
        assert_eq!(
            errs,
            [
                (2, 1, EXPECTED_NAME),
                (3, 12, EXPECTED_EQUALS),
                (4, 3, EXPECTED_EQUALS),
                (5, 3, "unterminated double quote"),
                (7, 7, "unexpected text after the closing quote"),
                (8, 3, EXPECTED_NAME),
            ]
        );
        // Messages never carry values.
        assert!(p.errors.iter().all(|e| !e.message.contains("open")));
    }

    #[test]
    fn unterminated_quote_at_end_keeps_what_was_read() {
        let p = parse(b"A=1\nB='never closed\nC=3").unwrap();
        assert_eq!(p.entries.len(), 2);
        assert_eq!(p.entries[1].name, "C");
        assert_eq!((p.errors[0].line, p.errors[0].column), (2, 3));
    }

    #[test]
    fn export_alone_is_fine() {
        assert_eq!(entries("export A\nB=1\n"), [e("B", "1", 2)]);
        // A variable named `export`.
        assert_eq!(entries("export=1\n"), [e("export", "1", 1)]);
    }

    #[test]
    fn binary_and_invalid_utf8_are_file_errors() {
        assert_eq!(
            parse(b"A=1\nB=x\0y\n").unwrap_err(),
            FileError::Binary { line: 2, column: 4 }
        );
        assert_eq!(
            parse(b"A=1\nB=\xff\xfe\n").unwrap_err(),
            FileError::InvalidUtf8 { line: 2, column: 3 }
        );
        assert!(parse(b"\x89PNG\r\n\x1a\n\0\0").is_err());
    }

    #[test]
    fn multibyte_text_gets_character_columns() {
        let p = parse("A=\"é\\ü\"\nΩ=1\n".as_bytes()).unwrap();
        assert_eq!(p.entries[0].value, "é\\ü");
        assert_eq!((p.errors[0].line, p.errors[0].column), (2, 1));
    }

    #[test]
    fn later_assignment_wins() {
        let p = parse(b"A=1\nA=2\n").unwrap();
        assert_eq!(p.get("A").unwrap().value, "2");
    }

    /// `parse(text)` and the bytes its searches looked at (see [`VISITED`]).
    fn parse_visiting(text: &str) -> (Parsed, usize) {
        VISITED.with(|v| v.set(0));
        let p = parse(text.as_bytes()).unwrap();
        (p, VISITED.with(std::cell::Cell::get))
    }

    fn lines(n: usize) -> String {
        (0..n)
            .map(|i| format!("VAR_{i}=\"value number {i} with some padding text\" # c\n"))
            .collect()
    }

    #[test]
    fn ten_megabytes_parse_in_linear_time() {
        let big = lines(200_000);
        assert!(big.len() > 10 * 1024 * 1024);
        let (p, visited) = parse_visiting(&big);
        assert_eq!(p.entries.len(), 200_000);
        assert_eq!(p.entries[199_999].line, 200_000);
        // Each byte is looked at a bounded number of times (a search running to the end of the
        // text from every line would be 100,000 times the size): counted, not timed.
        assert!(
            visited <= 3 * big.len(),
            "{visited} bytes looked at for {}",
            big.len()
        );
    }

    #[test]
    fn many_unterminated_quotes_stay_linear() {
        let text = "A=\"x\n".repeat(200_000);
        let (p, visited) = parse_visiting(&text);
        assert_eq!(p.errors.len(), 200_000);
        // Each open quote searching to the end of the text for its close would look at
        // 200,000 × 500 KB; a search is never run again from inside a region already searched.
        assert!(
            visited <= 3 * text.len(),
            "{visited} bytes looked at for {}",
            text.len()
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = parse(&bytes);
        }

        #[test]
        fn names_are_identifiers_and_messages_fixed(text in "([A-Za-z0-9_.:=\"' -]{0,12}(\r?\n)?){0,10}") {
            let p = parse_str(&text);
            for e in &p.entries {
                proptest::prop_assert!(!e.name.is_empty() && !e.name.starts_with(|c: char| c.is_ascii_digit()));
                proptest::prop_assert!(e.name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{:?}", e.name);
            }
            for e in &p.errors {
                proptest::prop_assert!(ERROR_MESSAGES.contains(&e.message.as_str()), "{:?}", e.message);
            }
        }

        #[test]
        fn never_panics_and_keeps_lines_in_order(text in "([A-Z_]{0,4}[ =:'\"`#\\\t]{0,3}[a-zé\"' ]{0,4}(\r?\n)?){0,12}") {
            let p = parse_str(&text);
            let lines: Vec<u32> = p.entries.iter().map(|e| e.line).collect();
            proptest::prop_assert!(lines.windows(2).all(|w| w[0] < w[1]), "{:?}", lines);
            let total = u32::try_from(text.matches('\n').count() + 1).unwrap();
            proptest::prop_assert!(p.errors.iter().all(|e| e.line >= 1 && e.line <= total && e.column >= 1));
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        for text in [
            "\"",
            "'",
            "`",
            "=",
            "A=\"\\",
            "A=\"\\é",
            "A='",
            "export",
            "export ",
            "A:",
            "A:b",
            "\r",
            "\r\n\r\n",
            "A=\"x\"\r",
            "A=\"a\nb\" junk\nB=1",
            "#",
            "A=\"\\\"",
            "\u{feff}",
            "A=`\n`\n",
        ] {
            let _ = parse(text.as_bytes());
        }
    }
}
