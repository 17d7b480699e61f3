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

use std::io::{self, Write};

use super::escape::{escape, escaped_width};
use super::{Options, Sources, Summary};
use crate::diagnostic::{Finding, Severity};

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

struct Paint(bool);

impl Paint {
    fn p(&self, style: &'static str, text: &str) -> String {
        if self.0 {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

pub fn print(
    out: &mut dyn Write,
    opts: &Options,
    findings: &[Finding],
    summary: &Summary,
    sources: &dyn Sources,
) -> io::Result<()> {
    let paint = Paint(opts.color);
    for f in findings {
        let (style, word) = match f.severity {
            Severity::Error => (RED, "error"),
            Severity::Warning => (YELLOW, "warning"),
        };
        writeln!(
            out,
            "{}{}",
            paint.p(style, &format!("{word}[{}]", f.rule)),
            paint.p(BOLD, &format!(": {}", escape(&f.message)))
        )?;
        // Env files hold values, which are never shown: no source line for them.
        let src_line = if f.line > 0 && crate::env::env_file_kind(&f.path).is_none() {
            sources.source(&f.path).and_then(|s| line_text(&s, f.line))
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
        writeln!(out, "{pad}{} {location}", paint.p(BLUE, "-->"))?;
        if let Some(text) = src_line {
            let bar = paint.p(BLUE, "|");
            writeln!(out, "{pad} {bar}")?;
            writeln!(
                out,
                "{} {bar} {}",
                paint.p(BLUE, &f.line.to_string()),
                escape(&text)
            )?;
            let col = f.column.saturating_sub(1) as usize;
            let width = caret_width(f, &text, col);
            // Carets under the escaped text: `\x1b` is four columns wide.
            let (col, width) = (
                escaped_width(&text, col),
                escaped_width(&text, col + width) - escaped_width(&text, col),
            );
            let width = width.max(1);
            let label = f
                .label
                .as_deref()
                .map(|l| format!(" {}", escape(l)))
                .unwrap_or_default();
            writeln!(
                out,
                "{pad} {bar} {}{}",
                " ".repeat(col),
                paint.p(style, &format!("{}{label}", "^".repeat(width)))
            )?;
            writeln!(out, "{pad} {bar}")?;
        }
        if let Some(help) = &f.help {
            writeln!(
                out,
                "{pad} {} {}",
                paint.p(BLUE, "="),
                paint.p(BOLD, &format!("help: {}", escape(help)))
            )?;
        }
        writeln!(out)?;
    }
    if !opts.quiet || !findings.is_empty() {
        let mut parts = vec![format!("{} checked", plural(summary.files, opts.unit))];
        parts.push(plural(summary.errors, "error"));
        parts.push(plural(summary.warnings, "warning"));
        let line = format!("hookctl: {} in {} ms", parts.join(", "), summary.elapsed_ms);
        let style = if summary.errors > 0 {
            RED
        } else if summary.warnings > 0 {
            YELLOW
        } else {
            BOLD
        };
        writeln!(out, "{}", paint.p(style, &line))?;
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

/// The text of a 1-based line, tabs expanded to one space so carets line up. Lines longer than
/// 300 characters (minified code) are not shown.
fn line_text(src: &[u8], line: u32) -> Option<String> {
    let raw = src.split(|&b| b == b'\n').nth(line.checked_sub(1)? as usize)?;
    let text = String::from_utf8_lossy(raw)
        .trim_end_matches('\r')
        .replace('\t', " ");
    (text.chars().count() <= 300).then_some(text)
}

fn caret_width(f: &Finding, text: &str, col: usize) -> usize {
    let rest = text.chars().count().saturating_sub(col).max(1);
    match f.span {
        Some((start, end)) if end > start => {
            // Byte length approximates the character width for the specifiers and names we point at.
            ((end - start) as usize).min(rest)
        }
        _ => 1,
    }
}
