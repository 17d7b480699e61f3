//! Every known-format secret of a text, by byte range: the formats' prefixes are found in one
//! Aho-Corasick pass over the whole text (no line is too long to look at), and each prefix
//! occurrence is read by its format's own regex, so a value ends where its alphabet ends —
//! before a `\"` or `\n` escape, a Markdown `**` or `|`, a sentence's `.` — whatever surrounds
//! it. Every occurrence is judged on its own: a placeholder earlier on a line hides nothing.
//!
//! Cost: one pass over the bytes, plus for each prefix occurrence at a value boundary one
//! anchored regex run over at most a bounded window; a value accepted covers the prefixes
//! inside it. A prefix in the middle of a word (`xAKIA…`, `eyJ-eyJ…`) is no value's start
//! and is dropped before any regex runs.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use super::formats::{Format, accepts, is_placeholder, repeated_placeholder, tables, url_password};

/// A known-format secret in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// Byte range of the value (a private key: its header and body).
    pub start: usize,
    pub end: usize,
    /// The bytes a mask covers: after the prefix that names the kind (`sk_live_`), a URL's
    /// password, a private key's body.
    pub mask: (usize, usize),
    /// The format's name, e.g. "Stripe live secret key".
    pub format: &'static str,
}

/// Bytes a token value may span (the longest real ones are about 200); a longer run of its
/// alphabet is still a value, masked to its end.
const MAX_TOKEN: usize = 1024;
/// A JWT carries claims: allow more.
const MAX_JWT: usize = 16 * 1024;
/// Bytes after a private-key header looked at for its body (an RSA 4096 key is about 3,300).
const MAX_PEM_BODY: usize = 16 * 1024;
/// Fewer base64 characters than this after a PEM header is no key (the smallest real one, an
/// EC P-256 key, has about 160).
const MIN_KEY_BODY: usize = 64;
/// A URL's scheme is looked for this far before its `://`.
const MAX_SCHEME: usize = 32;
/// Bytes after a URL's `@` read for its host.
const MAX_HOST: usize = 256;

struct Prefixes {
    ac: AhoCorasick,
    /// Pattern id -> the formats (indices into the table) that start with it.
    formats: Vec<Vec<usize>>,
}

fn prefixes() -> &'static Prefixes {
    static CELL: OnceLock<Prefixes> = OnceLock::new();
    CELL.get_or_init(|| {
        let mut patterns: Vec<&'static str> = Vec::new();
        let mut formats: Vec<Vec<usize>> = Vec::new();
        for (i, f) in tables().formats.iter().enumerate() {
            for &p in &f.prefixes {
                if let Some(at) = patterns.iter().position(|q| *q == p) {
                    formats[at].push(i);
                } else {
                    patterns.push(p);
                    formats.push(vec![i]);
                }
            }
        }
        Prefixes {
            ac: AhoCorasick::new(&patterns).expect("fixed prefixes build"),
            formats,
        }
    })
}

/// Where the first known format's prefix in `text[from..]` starts: [`find`] finds a value only
/// where a prefix starts, so a text without any holds no value, and a value [`find`] finds in
/// a part of a text starts at one of these. Leftmost-first search, which the automaton runs
/// with a vectorised prefilter (many times faster than the overlapping search [`find`] needs);
/// calling again from the position after each start gives every start in order.
pub fn next_prefix_start(text: &[u8], from: usize) -> Option<usize> {
    static CELL: OnceLock<AhoCorasick> = OnceLock::new();
    let ac = CELL.get_or_init(|| {
        let mut patterns: Vec<&'static str> = tables()
            .formats
            .iter()
            .flat_map(|f| f.prefixes.iter().copied())
            .collect();
        patterns.sort_unstable();
        patterns.dedup();
        AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(&patterns)
            .expect("fixed prefixes build")
    });
    let input = aho_corasick::Input::new(text).range(from.min(text.len())..);
    ac.find(input).map(|m| m.start())
}

/// Every known-format secret in `text` (UTF-8, or any bytes: values are ASCII), in order.
pub fn find(text: &[u8]) -> Vec<Found> {
    // Most texts hold no prefix at all: the leftmost-first search (vectorised) says so, and
    // no prefix starts before the first it finds, so the overlapping search starts there.
    match next_prefix_start(text, 0) {
        Some(first) => find_from(text, first),
        None => Vec::new(),
    }
}

/// [`find`] with the overlapping prefix search started at `first` (no prefix starts before).
pub(super) fn find_from(text: &[u8], first: usize) -> Vec<Found> {
    let pre = prefixes();
    let mut starts: Vec<(usize, usize, usize)> = pre
        .ac
        .find_overlapping_iter(aho_corasick::Input::new(text).range(first..))
        .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
        .collect();
    // By start, the longest prefix first (`sk-ant-` before `sk-`).
    starts.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let t = tables();
    let mut out: Vec<Found> = Vec::new();
    let mut covered = 0;
    for (at, prefix_end, pattern) in starts {
        if at < covered {
            continue;
        }
        let hit = pre.formats[pattern].iter().find_map(|&i| {
            let f = &t.formats[i];
            candidate(text, at, prefix_end, f).map(|hit| (hit, f.pem))
        });
        if let Some((hit, pem)) = hit {
            // A private key's body is not its alphabet's only text: a value right after its
            // last base64 run still starts there.
            covered = if pem { hit.mask.0 } else { hit.end };
            out.push(hit);
        }
    }
    out.sort_by_key(|h| h.start);
    out
}

/// Where a value may have begun and not ended yet: the end of the last known prefix in
/// `text` that starts a value and is followed only by bytes of a value's alphabet (what a
/// stream shows of a key printed in two writes, when it must show something before the
/// second). `None` when `text` ends with no such prefix.
pub fn open_prefix(text: &[u8]) -> Option<usize> {
    let tail = text
        .iter()
        .rposition(|b| !(b.is_ascii_alphanumeric() || b"_-+/=.".contains(b)))
        .map_or(0, |i| i + 1);
    prefixes()
        .ac
        .find_overlapping_iter(&text[tail..])
        .filter(|m| starts_value(text, tail + m.start()))
        .map(|m| tail + m.end())
        .min()
}

/// The value of format `f` whose prefix is at `at..prefix_end`, if one is there.
fn candidate(text: &[u8], at: usize, prefix_end: usize, f: &Format) -> Option<Found> {
    if f.pem {
        return private_key(text, at, f);
    }
    let start = if f.url_password {
        scheme_start(text, at)?
    } else {
        at
    };
    if !starts_value(text, start) {
        return None;
    }
    let cap = if f.jwt_role.is_some() { MAX_JWT } else { MAX_TOKEN };
    let window = &text[start..text.len().min(start + cap)];
    let m = f.scan().find(window)?;
    let mut end = start + m.end();
    let value = std::str::from_utf8(&text[start..end]).ok()?;
    if f.url_password {
        let rest = &text[end..text.len().min(end + MAX_HOST)];
        let with_host = format!("{value}{}", String::from_utf8_lossy(rest));
        if is_placeholder(value) || repeated_placeholder(value) {
            return None;
        }
        let (p0, p1) = url_password(f, &with_host)?;
        return Some(Found {
            start,
            end,
            mask: (start + p0, start + p1),
            format: f.name,
        });
    }
    // A fixed-length value glued to more of its letters is part of a longer word.
    if text.get(end).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    if is_placeholder(value) || repeated_placeholder(value) || !accepts(f, value) {
        return None;
    }
    if m.end() == window.len() {
        // Longer than any real value: still one, masked to the end of its run.
        end += text[end..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || b"_-+/=".contains(b))
            .count();
    }
    Some(Found {
        start,
        end,
        mask: (prefix_end.max(start), end),
        format: f.name,
    })
}

/// Whether a value can start at `start`: not in the middle of a word. `_` and `-` just before
/// it are skipped (Markdown's `_key_`, `--key`), and so is an escape's letter (`\nsk_live_…`
/// inside a string, `\u0022`).
fn starts_value(text: &[u8], start: usize) -> bool {
    let mut i = start;
    while i > 0 && start - i < 8 && matches!(text[i - 1], b'_' | b'-') {
        i -= 1;
    }
    if i == 0 {
        return true;
    }
    let before = text[i - 1];
    if !before.is_ascii_alphanumeric() {
        return true;
    }
    // The end of a terminal colour sequence (`\x1b[1m`).
    if before == b'm' {
        let params = text[..i - 1]
            .iter()
            .rev()
            .take(16)
            .take_while(|b| b.is_ascii_digit() || **b == b';')
            .count();
        let at = i - 1 - params;
        if at >= 2 && text[at - 1] == b'[' && text[at - 2] == 0x1b {
            return true;
        }
    }
    // An escape in a string literal: `\n`, `\t`, `\r`, `\u0022`, `\x22`.
    let escaped = |len: usize, letter: u8| {
        i >= len
            && text[i - len] == b'\\'
            && text[i - len + 1] == letter
            && text[i - len + 2..i].iter().all(u8::is_ascii_hexdigit)
    };
    i == start
        && ((i >= 2 && text[i - 2] == b'\\' && matches!(before, b'n' | b't' | b'r'))
            || escaped(6, b'u')
            || escaped(4, b'x'))
}

/// The start of the URL scheme that ends at the `://` at `at` (`postgres`, `redis+tls`).
fn scheme_start(text: &[u8], at: usize) -> Option<usize> {
    let is_scheme = |b: u8| b.is_ascii_alphanumeric() || b"+.-".contains(&b);
    let mut i = at;
    while i > 0 && at - i < MAX_SCHEME && is_scheme(text[i - 1]) {
        i -= 1;
    }
    // Skip digits and signs a scheme cannot start with.
    while i < at && !text[i].is_ascii_alphabetic() {
        i += 1;
    }
    (i < at).then_some(i)
}

/// A private-key header at `at` with a key body after it (not an elided sample, not code that
/// only handles the header text).
fn private_key(text: &[u8], at: usize, f: &Format) -> Option<Found> {
    let window = &text[at..text.len().min(at + 96)];
    let m = f.scan().find(window)?;
    let header_end = at + m.end();
    let (b0, b1) = key_body(text, header_end)?;
    Some(Found {
        start: at,
        end: b1,
        mask: (b0, b1),
        format: f.name,
    })
}

/// The byte range of the base64 body after a PEM header ending at `from`: lines (or
/// `\n`-escaped pieces of one line) of base64 between quotes, `,` `+` `;` of string
/// concatenation or a sentence's `.`, `Name: value` PEM headers, or a key pasted on the
/// header's own line (glued to it, or its lines joined by blanks); the body ends at `-----END`,
/// a blank line after it, or the first other text. `None` when it holds fewer than
/// [`MIN_KEY_BODY`] base64 characters, or an ellipsis (an elided sample). One pass, stopping at
/// the first byte that is no body's.
fn key_body(text: &[u8], from: usize) -> Option<(usize, usize)> {
    let limit = text.len().min(from + MAX_PEM_BODY);
    let is_b64 = |b: u8| b.is_ascii_alphanumeric() || b"+/=".contains(&b);
    let is_sep = |b: u8| b" \t\r\"'`,+;()".contains(&b);
    let mut i = from;
    let mut base64 = 0usize;
    let mut span: Option<(usize, usize)> = None;
    let mut header_line = true;
    let mut line_start = false;
    // Only blanks since the last newline: a blank line after the body ends it.
    let mut blank = false;
    while i < limit {
        let rest = &text[i..limit];
        if rest[0] == b'\n' {
            if blank && span.is_some() {
                break;
            }
            blank = true;
        }
        if rest[0] == b'\n' || rest.starts_with(b"\\n") {
            i += if rest[0] == b'\n' { 1 } else { 2 };
            header_line = false;
            line_start = true;
            continue;
        }
        if !rest[0].is_ascii_whitespace() {
            blank = false;
        }
        if is_sep(rest[0]) {
            i += 1;
            continue;
        }
        if rest.starts_with(b"-----END") {
            break;
        }
        if rest.starts_with(b"..") || rest.starts_with("…".as_bytes()) {
            // An ellipsis right after base64 (`MIIE...`) or alone on its line elides the
            // body: a sample. Anywhere else it is text after the body.
            let dots = rest.iter().take_while(|&&b| b == b'.' || b >= 0x80).count();
            let alone = rest[dots..]
                .iter()
                .take_while(|&&b| b != b'\n' && b != b'\\')
                .all(|&b| is_sep(b));
            if span.is_some_and(|s| s.1 == i) || alone {
                return None;
            }
            break;
        }
        if rest[0] == b'.' {
            i += 1;
            continue;
        }
        if line_start && is_pem_header(rest) {
            i += rest
                .iter()
                .position(|&b| b == b'\n' || b == b'\\')
                .unwrap_or(rest.len());
            continue;
        }
        line_start = false;
        if !is_b64(rest[0]) {
            break;
        }
        let run = rest.iter().take_while(|&&b| is_b64(b)).count();
        // A body line is one word (what follows it on its line ends the body); on the
        // header's own line, long words only (prose after a header is short words).
        let more_on_line = rest[run..]
            .iter()
            .find(|&&b| !is_sep(b) && b != b'.')
            .is_some_and(|&b| is_b64(b));
        if more_on_line && header_line && run < 16 {
            break;
        }
        base64 += run;
        span = Some((span.map_or(i, |s| s.0), i + run));
        i += run;
        if more_on_line && !header_line {
            break;
        }
    }
    if base64 < MIN_KEY_BODY {
        return None;
    }
    span
}

/// `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`: a header line inside a PEM block.
fn is_pem_header(line: &[u8]) -> bool {
    let name = line
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
        .count();
    name > 0 && line[name..].starts_with(b": ")
}
