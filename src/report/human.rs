//! rustc-style human output:
//!
//! ```text
//! error[imports/untracked]: `@/lib/utils/slug-generator` resolves to a file that is not staged
//!   --> app/gallery/page.tsx:2:25
//!    |
//!  2 | import { slugify } from "@/lib/utils/slug-generator";
//!    |                         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^ `lib/utils/slug-generator.ts` is untracked
//!    |
//!    = help: run `git add lib/utils/slug-generator.ts`
//! ```
//!
//! Source lines are masked (`crate::secret::redact_source`) before they are cut for display, and
//! not shown at all for a finding that says `hide_source`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::{self, Write};

use unicode_width::UnicodeWidthChar;

use super::escape::escape;
use super::{Options, Sources, Summary};
use crate::diagnostic::{Finding, Severity};
use crate::output::{Style, paint, style};

/// Findings shown per file and rule; the rest are counted ("… and N more").
pub const MAX_PER_FILE_RULE: usize = 20;
/// Display columns of a source line shown under a finding.
pub const MAX_LINE_WIDTH: usize = 160;

pub fn print(
    out: &mut dyn Write,
    opts: &Options,
    findings: &[Finding],
    summary: &Summary,
    sources: &dyn Sources,
) -> io::Result<()> {
    let color = opts.color;
    // `(new)` tells findings apart only when some are old (all new: the summary says so).
    let mark_new = findings.iter().any(|f| f.new == Some(false));
    // The source of the file being shown, read once per file (a minified bundle can be MBs).
    let mut source: Option<(&str, Option<Cow<'_, [u8]>>)> = None;
    let mut shown: BTreeMap<&'static crate::codes::Rule, usize> = BTreeMap::new();
    let mut hidden: BTreeMap<&'static crate::codes::Rule, usize> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        let count = shown.entry(f.rule).or_default();
        *count += 1;
        if *count > MAX_PER_FILE_RULE {
            *hidden.entry(f.rule).or_default() += 1;
        } else {
            if source.as_ref().is_none_or(|(p, _)| *p != f.path) {
                source = Some((f.path.as_str(), sources.source(&f.path).map(shown_text)));
            }
            let src = source.as_ref().and_then(|(_, s)| s.as_deref());
            finding(out, color, f, src, mark_new)?;
        }
        if findings.get(i + 1).is_none_or(|next| next.path != f.path) {
            for (rule, n) in std::mem::take(&mut hidden) {
                let text = format!(
                    "… and {n} more {rule} finding{} in {} (all of them: --format json)",
                    if n == 1 { "" } else { "s" },
                    escape(&f.path)
                );
                writeln!(out, "{}\n", paint(color, style::BOLD, &text))?;
            }
            shown.clear();
        }
    }
    if !opts.findings_only && (!opts.quiet || !findings.is_empty()) {
        summary_line(out, opts, summary)?;
    }
    Ok(())
}

fn finding(
    out: &mut dyn Write,
    color: bool,
    f: &Finding,
    src: Option<&[u8]>,
    mark_new: bool,
) -> io::Result<()> {
    let (sev_style, word) = match f.severity {
        Severity::Error => (style::ERROR, "error"),
        Severity::Warning => (style::WARNING, "warning"),
    };
    let new = if mark_new && f.new == Some(true) {
        " (new)"
    } else {
        ""
    };
    writeln!(
        out,
        "{}{}",
        paint(color, sev_style, &format!("{word}[{}]", f.rule)),
        paint(color, style::BOLD, &format!(": {}{new}", escape(&f.message)))
    )?;
    // The rule says when a line must not be shown at all (an env file's values, a secret's
    // own line); any other line was masked when it was read.
    let shown = if f.line > 0 && !f.hide_source {
        src.and_then(|s| source_window(s, f))
    } else {
        None
    };
    let gutter = if f.line > 0 { f.line.to_string().len() } else { 1 };
    let pad = " ".repeat(gutter);
    let path = escape(&f.path);
    let location = if f.line > 0 {
        format!("{path}:{}:{}", f.line, f.column)
    } else {
        path.into_owned()
    };
    writeln!(out, "{pad}{} {location}", paint(color, style::ACCENT, "-->"))?;
    if let Some(w) = shown {
        let bar = paint(color, style::ACCENT, "|");
        writeln!(out, "{pad} {bar}")?;
        writeln!(
            out,
            "{} {bar} {}",
            paint(color, style::ACCENT, &f.line.to_string()),
            w.text
        )?;
        let label = f
            .label
            .as_deref()
            .map(|l| format!(" {}", escape(l)))
            .unwrap_or_default();
        writeln!(
            out,
            "{pad} {bar} {}{}",
            " ".repeat(w.caret_col),
            paint(
                color,
                sev_style,
                &format!("{}{label}", "^".repeat(w.caret_width.max(1)))
            )
        )?;
        writeln!(out, "{pad} {bar}")?;
    }
    if let Some(help) = &f.help {
        writeln!(
            out,
            "{pad} {} {}",
            paint(color, style::ACCENT, "="),
            paint(color, style::BOLD, &format!("help: {}", escape(help)))
        )?;
    }
    writeln!(out)
}

/// A file's bytes as lines may show them: UTF-16 decoded (its NULs would spell a key out
/// between escapes), every secret masked, random-looking tokens included
/// (`crate::secret::redact_source`; byte offsets kept, so spans still point right). The one
/// place that renders source text: JSON, SARIF and GitHub annotations carry none.
fn shown_text(bytes: Cow<'_, [u8]>) -> Cow<'_, [u8]> {
    let text = crate::text::utf8_view(&bytes);
    match crate::secret::redact_source(&text) {
        Cow::Owned(masked) => Cow::Owned(masked),
        Cow::Borrowed(_) => match text {
            Cow::Owned(decoded) => Cow::Owned(decoded),
            Cow::Borrowed(_) => bytes,
        },
    }
}

fn summary_line(out: &mut dyn Write, opts: &Options, summary: &Summary) -> io::Result<()> {
    let mut parts = vec![format!("{} checked", plural(summary.files, opts.unit))];
    if summary.skipped_too_large > 0 {
        parts.push(format!(
            "{} skipped (larger than max_file_size)",
            plural(summary.skipped_too_large, "file")
        ));
    }
    parts.push(plural(summary.errors, "error"));
    parts.push(plural(summary.warnings, "warning"));
    if let Some(new) = summary.new {
        parts.push(format!("{new} new"));
    }
    let line = format!("hookctl: {} in {} ms", parts.join(", "), summary.elapsed_ms);
    let st: Style = if summary.errors > 0 {
        style::ERROR
    } else if summary.warnings > 0 {
        style::WARNING
    } else {
        style::BOLD
    };
    writeln!(out, "{}", paint(opts.color, st, &line))?;
    if summary.new.is_some() && (summary.errors > 0 || summary.warnings > 0) {
        writeln!(
            out,
            "hint: hooks block only new findings (marked `(new)`); `hookctl check --new` lists only those"
        )?;
    }
    if opts.verbose {
        for line in &summary.details {
            writeln!(out, "  {line}")?;
        }
    }
    Ok(())
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A source line cut for display: escaped, at most `MAX_LINE_WIDTH` columns around the
/// finding, `…` where it was cut, and where the carets go (in display columns).
#[derive(Debug, PartialEq, Eq)]
pub struct Window {
    pub text: String,
    pub caret_col: usize,
    pub caret_width: usize,
}

/// The window of the finding's line, or None when the line does not exist.
fn source_window(src: &[u8], f: &Finding) -> Option<Window> {
    let index = f.line.checked_sub(1)? as usize;
    let mut line_start = 0;
    for _ in 0..index {
        line_start += memchr::memchr(b'\n', &src[line_start..])? + 1;
    }
    let line_end = memchr::memchr(b'\n', &src[line_start..]).map_or(src.len(), |i| line_start + i);
    let mut raw = &src[line_start..line_end];
    if raw.last() == Some(&b'\r') {
        raw = &raw[..raw.len() - 1];
    }
    // Where the carets go, in bytes of the line: the span when it lies on this line, else the
    // column (counted in characters).
    let (start, end) = match f.span {
        Some((s, e)) if (s as usize) >= line_start && (s as usize) <= line_start + raw.len() => {
            let s = s as usize - line_start;
            (s, (e as usize).saturating_sub(line_start).clamp(s, raw.len()))
        }
        _ => {
            let col = f.column.saturating_sub(1) as usize;
            let s = String::from_utf8_lossy(raw)
                .char_indices()
                .nth(col)
                .map_or(raw.len(), |(i, _)| i)
                .min(raw.len());
            (s, s)
        }
    };
    Some(window(raw, start, end))
}

/// Cut `raw` (one line) to a window around bytes `start..end`, in O(window), not O(line).
pub fn window(raw: &[u8], start: usize, end: usize) -> Window {
    let start = floor_boundary(raw, start.min(raw.len()));
    let end = floor_boundary(raw, end.clamp(start, raw.len()));
    // Never look further than 4 bytes per column either side.
    let reach = MAX_LINE_WIDTH * 4;
    let lo = floor_boundary(raw, start.saturating_sub(reach));
    let hi = floor_boundary(raw, end.saturating_add(reach).min(raw.len()));
    let pre = cells(&raw[lo..start]);
    let mut mid = cells(&raw[start..end]);
    let post = cells(&raw[end..hi]);
    // The underlined part itself is cut when it alone would fill the window.
    let mid_cut = cut_to(&mut mid, MAX_LINE_WIDTH - 40);
    let budget = MAX_LINE_WIDTH - (width(&mid) + usize::from(mid_cut));
    let cut_left_anyway = lo > 0;
    let cut_right_anyway = hi < raw.len() || mid_cut;
    let (pre_w, post_w) = (width(&pre), width(&post));
    let fits = pre_w + post_w <= budget && !cut_left_anyway && !cut_right_anyway;
    let (left_budget, right_budget) = if fits {
        (pre_w, post_w)
    } else {
        // Half each, what one side does not need goes to the other; each cut side spends a
        // column on `…`.
        let half = budget / 2;
        let left = if pre_w <= half && !cut_left_anyway {
            pre_w
        } else {
            half
        };
        (left, budget - left)
    };
    let (mut text, caret_col) = left_of(&pre, left_budget, cut_left_anyway || pre_w > left_budget);
    for (s, _) in &mid {
        text.push_str(s);
    }
    let mut caret_width = width(&mid);
    if mid_cut {
        text.push('…');
        caret_width += 1;
    }
    let right_cut = cut_right_anyway || post_w > right_budget;
    push_right(&mut text, &post, right_budget, right_cut);
    if right_cut && !(mid_cut && post.is_empty()) {
        text.push('…');
    }
    Window {
        text,
        caret_col,
        caret_width: caret_width.max(1),
    }
}

/// One character as shown (control characters escaped, a tab as a space), with its width in
/// columns.
type Cell = (String, usize);

fn cells(b: &[u8]) -> Vec<Cell> {
    let text = String::from_utf8_lossy(b);
    text.chars()
        .map(|c| {
            let c = if c == '\t' { ' ' } else { c };
            let shown = escape(c.encode_utf8(&mut [0; 4])).into_owned();
            let width = if shown.chars().count() > 1 {
                shown.chars().count()
            } else {
                c.width().unwrap_or(0)
            };
            (shown, width)
        })
        .collect()
}

fn width(v: &[Cell]) -> usize {
    v.iter().map(|(_, w)| *w).sum()
}

/// Keeps the first cells of `v` narrower than `max` columns; whether it cut any.
fn cut_to(v: &mut Vec<Cell>, max: usize) -> bool {
    if width(v) <= max {
        return false;
    }
    let mut w = 0;
    let n = v
        .iter()
        .take_while(|(_, cw)| {
            w += cw;
            w < max
        })
        .count();
    v.truncate(n);
    true
}

/// The last cells of `pre` that fit in `budget` columns, after a `…` when `cut`; and the
/// columns taken, where the carets start.
fn left_of(pre: &[Cell], budget: usize, cut: bool) -> (String, usize) {
    let avail = if cut { budget.saturating_sub(1) } else { budget };
    let mut w = 0;
    let from = pre
        .iter()
        .rposition(|(_, cw)| {
            w += cw;
            w > avail
        })
        .map_or(0, |i| i + 1);
    let mut text = String::new();
    let mut caret_col = 0;
    if cut {
        text.push('…');
        caret_col += 1;
    }
    for (s, cw) in &pre[from..] {
        text.push_str(s);
        caret_col += cw;
    }
    (text, caret_col)
}

/// The first cells of `post` that fit in `budget` columns (one fewer when `cut`, for its `…`).
fn push_right(text: &mut String, post: &[Cell], budget: usize, cut: bool) {
    let avail = if cut { budget.saturating_sub(1) } else { budget };
    let mut w = 0;
    for (s, cw) in post {
        if w + cw > avail {
            break;
        }
        w += cw;
        text.push_str(s);
    }
}

/// The largest char boundary of `raw` at or before `i` (UTF-8 continuation bytes skipped).
fn floor_boundary(raw: &[u8], mut i: usize) -> usize {
    while i > 0 && i < raw.len() && (raw[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_width::UnicodeWidthStr;

    #[test]
    fn short_lines_are_shown_whole() {
        let w = window(b"import x from './a';", 14, 19);
        assert_eq!(w.text, "import x from './a';");
        assert_eq!((w.caret_col, w.caret_width), (14, 5));
    }

    #[test]
    fn long_lines_are_cut_around_the_span_with_ellipses() {
        let mut line = "x".repeat(100_000);
        line.push_str("require(\"./m1\")");
        line.push_str(&"y".repeat(100_000));
        let start = 100_008;
        let w = window(line.as_bytes(), start, start + 6);
        assert!(w.text.width() <= MAX_LINE_WIDTH, "{}", w.text.width());
        assert!(w.text.starts_with('…') && w.text.ends_with('…'), "{}", w.text);
        let under: String = w.text.chars().skip(w.caret_col).take(w.caret_width).collect();
        assert_eq!(under, "\"./m1\"");
    }

    #[test]
    fn carets_count_display_width_not_bytes() {
        // Two wide CJK characters (4 columns, 6 bytes) before the span.
        let line = "const 日本 = require('./a');";
        let start = line.find("'./a'").unwrap();
        let w = window(line.as_bytes(), start, start + 5);
        assert_eq!(w.text, line);
        assert_eq!(w.caret_col, line[..start].width());
        assert_eq!(w.caret_col, start - 2, "6 bytes of CJK are 4 columns");
        assert_eq!(w.caret_width, 5);
    }

    #[test]
    fn a_span_wider_than_the_window_is_cut_too() {
        let line = format!("x = \"{}\"", "a".repeat(1000));
        let w = window(line.as_bytes(), 4, line.len());
        assert!(w.text.width() <= MAX_LINE_WIDTH, "{}", w.text.width());
        assert_eq!(w.caret_col, 4);
        assert!(w.caret_width <= MAX_LINE_WIDTH - 4);
    }

    #[test]
    fn control_characters_are_escaped_and_counted() {
        let w = window(b"\x1b[2J import './a'", 14, 19);
        assert!(w.text.starts_with("\\x1b[2J"), "{}", w.text);
        assert_eq!(w.caret_col, 17);
    }
}
