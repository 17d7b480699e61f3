//! A forgiving dotenv parser: bytes in, entries and per-line errors out. A bad line is reported
//! with its 1-based line and column and skipped; the rest of the file is still read. Only a file
//! that is not text at all (NUL bytes, invalid UTF-8) is rejected as a whole.
//!
//! Accepted: comments, blank lines, `export NAME=...`, `NAME: value`, unquoted values with a
//! trailing ` # comment`, `'single'`, `"double"` (with `\n`, `\r`, `\t`, `\"`, `\\` escapes) and
//! `` `backtick` `` quotes, quoted values spanning lines, `NAME=` (empty), CRLF and a BOM.

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

/// Parse a dotenv file.
pub fn parse(bytes: &[u8]) -> Result<Parsed, FileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(at) = bytes.iter().position(|&b| b == 0) {
        let (line, column) = byte_line_col(bytes, at);
        return Err(FileError::Binary { line, column });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = byte_line_col(bytes, e.valid_up_to());
        FileError::InvalidUtf8 { line, column }
    })?;
    Ok(parse_str(text))
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

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-'
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// The end of the line starting at `from` (offset of `\n` or the end), and the start of the next.
fn line_end(text: &str, from: usize) -> (usize, usize) {
    match text[from..].find('\n') {
        Some(i) => (from + i, from + i + 1),
        None => (text.len(), text.len()),
    }
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
        if name_len == 0 {
            let found = line[i..].chars().next().unwrap_or(' ');
            self.error(
                line_no,
                line,
                i,
                format!("expected a variable name, found `{}`", found.escape_debug()),
            );
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
            self.error(line_no, line, i, "expected `=` after the name".to_string());
            return None;
        }
        let sep = line[i..].chars().next().unwrap_or(' ');
        let yaml_style = sep == ':' && line[i + 1..].starts_with(is_blank);
        if sep != '=' && !yaml_style {
            self.error(
                line_no,
                line,
                i,
                format!("expected `=` after the name, found `{}`", sep.escape_debug()),
            );
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
        match line[i..].chars().next() {
            Some(q @ ('\'' | '"' | '`')) => self.quoted(start, line, line_no, i, q, entry),
            _ => {
                let raw = &line[i..];
                let value = match comment_start(raw, blanks > 0) {
                    Some(c) => &raw[..c],
                    None => raw,
                };
                self.out
                    .entries
                    .push(entry(value.trim_end_matches(is_blank).to_string()));
                None
            }
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
            self.error(
                line_no,
                line,
                open,
                format!("unterminated {} quote", quote_name(q)),
            );
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
                self.error(
                    line_no,
                    line,
                    open,
                    format!("unterminated {} quote", quote_name(q)),
                );
                return None;
            }
            let col = close + 1 + (after_close.len() - trailing.len()) - (start);
            self.error(
                line_no,
                line,
                col,
                "unexpected text after the closing quote".to_string(),
            );
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

fn quote_name(q: char) -> &'static str {
    match q {
        '\'' => "single",
        '"' => "double",
        _ => "backtick",
    }
}

/// Byte offset of the closing quote in `body` (which starts just after the opening quote).
fn find_close(body: &str, q: char) -> Option<usize> {
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
    fn yaml_style_and_dotted_names() {
        assert_eq!(
            entries("A: 1\nmy.name-x=2\n"),
            [e("A", "1", 1), e("my.name-x", "2", 2)]
        );
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
                (2, 1, "expected a variable name, found `=`"),
                (3, 12, "expected `=` after the name"),
                (4, 3, "expected `=` after the name, found `2`"),
                (5, 3, "unterminated double quote"),
                (7, 7, "unexpected text after the closing quote"),
                (8, 3, "expected a variable name, found `%`"),
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

    #[test]
    fn ten_megabytes_parse_fast() {
        let mut text = String::new();
        let mut n = 0;
        while text.len() < 10 * 1024 * 1024 {
            text.push_str(&format!(
                "VAR_{n}=\"value number {n} with some padding text\" # c\n"
            ));
            n += 1;
        }
        let t = std::time::Instant::now();
        let p = parse(text.as_bytes()).unwrap();
        // Debug builds are slower than release; the bound still catches quadratic behaviour.
        assert!(t.elapsed().as_secs_f64() < 3.0, "{:?}", t.elapsed());
        assert_eq!(p.entries.len(), n);
        assert_eq!(p.entries[n - 1].line, u32::try_from(n).unwrap());
    }

    #[test]
    fn many_unterminated_quotes_stay_linear() {
        let text = "A=\"x\n".repeat(200_000);
        let t = std::time::Instant::now();
        let p = parse(text.as_bytes()).unwrap();
        assert!(t.elapsed().as_secs_f64() < 3.0, "{:?}", t.elapsed());
        assert_eq!(p.errors.len(), 200_000);
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_any_bytes(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = parse(&bytes);
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
