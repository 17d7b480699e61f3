//! Stylesheets: the imports of `.css`, `.scss`, `.sass` (indented syntax) and `.less` files —
//! `@import`, Sass `@use`/`@forward`, and `url()` in any value — with the positions of their
//! specifiers.
//!
//! A hand-written tokenizer, not tree-sitter: `tree-sitter-css` (maintained by the tree-sitter
//! org) parses plain CSS only — SCSS `//` comments, `#{}` interpolation and nested rules, Less's
//! `@import (reference)` and `@{var}` are errors to it — and the SCSS and Less grammars are
//! community packages without a release since 2024 (none on crates.io is kept in step with our
//! `tree-sitter` version), while the indented `.sass` syntax has no grammar at all. Imports are
//! lexical facts (an at-rule's prelude, a `url(` token), which CSS Syntax Level 3 defines at the
//! token level: comments, strings with escapes, `url()` tokens. One tokenizer for the four
//! dialects keeps them consistent; it is linear, never backtracks and never panics (a proptest
//! and `fuzz/fuzz_targets/css.rs` check that).
//!
//! What is not an import is skipped here, not guessed later: interpolated or variable targets
//! (`#{$x}`, `@{var}`, `url($x)`), remote URLs (`http:`, `https:`, `//cdn`), any `scheme:` URL
//! (`data:`, `sass:math`), fragment-only URLs (`url(#gradient)`), Less `(optional)` imports.

use std::ops::Range;

use memchr::memmem;

use super::comments;
use super::pos::Positions;
use super::{Facts, Import, ImportKind, Suppression};

/// The stylesheet language of a file (or of an SFC `<style lang="...">` block).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CssDialect {
    Css,
    /// `.scss`: CSS syntax plus `//` comments, `@use`/`@forward`, interpolation.
    Scss,
    /// `.sass`: the indented syntax (no braces or semicolons; statements end at the line end).
    Sass,
    Less,
}

impl CssDialect {
    /// The dialect of a path, or `None` when it is not a stylesheet.
    pub fn for_path(path: &str) -> Option<CssDialect> {
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        CssDialect::for_lang(ext)
    }

    /// The dialect of an extension or a `<style lang="...">` value (`css`, `scss`, `sass`,
    /// `less`, `postcss`, `pcss`).
    pub fn for_lang(lang: &str) -> Option<CssDialect> {
        match lang.to_ascii_lowercase().as_str() {
            "css" | "pcss" | "postcss" => Some(CssDialect::Css),
            "scss" => Some(CssDialect::Scss),
            "sass" => Some(CssDialect::Sass),
            "less" => Some(CssDialect::Less),
            _ => None,
        }
    }

    /// A number per dialect for the facts cache key (distinct from the script kinds' 0-5).
    pub fn cache_tag(self) -> u8 {
        match self {
            CssDialect::Css => 6,
            CssDialect::Scss => 7,
            CssDialect::Sass => 8,
            CssDialect::Less => 9,
        }
    }

    /// `//` starts a comment (outside strings and `url()`).
    fn line_comments(self) -> bool {
        self != CssDialect::Css
    }
}

/// The imports of a whole stylesheet and its `hookctl-ignore` comments (`/* */`, or `//` where
/// the dialect has them). Never panics; imports come out sorted by position.
pub fn extract_css_file(dialect: CssDialect, src: &[u8]) -> Facts {
    let mut facts = Facts::default();
    if src.len() >= u32::MAX as usize {
        return facts;
    }
    let mut t = Tokenizer::new(dialect, src, 0..src.len());
    t.want_suppressions = memmem::find(src, b"hookctl-ignore").is_some();
    t.run();
    facts.imports = t.imports;
    facts.suppressions = t.suppressions;
    facts
}

/// The imports of the stylesheet text in `src[range]` (an SFC `<style>` block); positions are
/// those of the whole `src`. An out-of-range `range` is clamped.
pub fn extract_css(dialect: CssDialect, src: &[u8], range: Range<usize>) -> Vec<Import> {
    if src.len() >= u32::MAX as usize {
        return Vec::new();
    }
    let end = range.end.min(src.len());
    let start = range.start.min(end);
    let mut t = Tokenizer::new(dialect, src, start..end);
    t.run();
    t.imports
}

struct Tokenizer<'a> {
    dialect: CssDialect,
    /// The file up to the end of the scanned range: every index below stays a file offset.
    src: &'a [u8],
    start: usize,
    pos: Positions<'a>,
    imports: Vec<Import>,
    suppressions: Vec<Suppression>,
    want_suppressions: bool,
}

/// A target read from an at-rule prelude or a `url()`.
struct Target {
    span: Range<usize>,
    value: String,
    /// Written as `url(...)`.
    url: bool,
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b >= 0x80
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

impl<'a> Tokenizer<'a> {
    fn new(dialect: CssDialect, src: &'a [u8], range: Range<usize>) -> Tokenizer<'a> {
        let src = &src[..range.end];
        let mut start = range.start;
        if src[start..].starts_with(b"\xEF\xBB\xBF") {
            start += 3;
        }
        Tokenizer {
            dialect,
            src,
            start,
            pos: Positions::new(src),
            imports: Vec::new(),
            suppressions: Vec::new(),
            want_suppressions: false,
        }
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.src.get(i).copied()
    }

    fn starts_with_ci(&self, i: usize, word: &[u8]) -> bool {
        self.src
            .get(i..i + word.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(word))
    }

    fn run(&mut self) {
        let mut i = self.start;
        while i < self.src.len() {
            i = match self.src[i] {
                b'/' if self.at(i + 1) == Some(b'*') || self.line_comment_at(i) => self.comment(i),
                b'"' | b'\'' => self.string(i).0,
                b'\\' => i + 2,
                b'@' => self.at_rule(i),
                b'u' | b'U' if self.url_at(i) => match self.url(i + 4) {
                    (end, Some(t)) => {
                        self.push(t, ImportKind::CssUrl);
                        end
                    }
                    (end, None) => end,
                },
                _ => i + 1,
            };
        }
        self.imports.sort_by_key(|i| i.span.start);
    }

    fn line_comment_at(&self, i: usize) -> bool {
        self.dialect.line_comments() && self.at(i) == Some(b'/') && self.at(i + 1) == Some(b'/')
    }

    /// `url(` at `i`, not the tail of another name (`my-url(`).
    fn url_at(&self, i: usize) -> bool {
        self.starts_with_ci(i, b"url(")
            && (i == 0 || !is_ident_byte(self.src[i - 1]) && self.src[i - 1] != b'\\')
    }

    /// Skip the comment starting at `i` (`/*` or `//`), noting a `hookctl-ignore` in it;
    /// returns the index after it.
    fn comment(&mut self, i: usize) -> usize {
        let end = self.comment_end(i);
        if self.want_suppressions
            && let Some(rules) = comments::suppression(&self.src[i..end])
        {
            let (line, _) = self.pos.line_col(end.saturating_sub(1).max(i));
            self.suppressions.push(Suppression { line, rules });
        }
        end
    }

    /// The index after the comment starting at `i`.
    fn comment_end(&self, i: usize) -> usize {
        let block = self.at(i + 1) == Some(b'*');
        if self.dialect == CssDialect::Sass {
            self.sass_comment_end(i, block)
        } else if block {
            memmem::find(&self.src[i + 2..], b"*/").map_or(self.src.len(), |e| i + 2 + e + 2)
        } else {
            memchr::memchr(b'\n', &self.src[i..]).map_or(self.src.len(), |e| i + e)
        }
    }

    /// In the indented syntax a comment also takes the following lines indented deeper than
    /// the line it starts on (`/*` needs no `*/`).
    fn sass_comment_end(&self, i: usize, block: bool) -> usize {
        let indent = |from: usize| {
            self.src[from..]
                .iter()
                .take_while(|b| **b == b' ' || **b == b'\t')
                .count()
        };
        // Found only for a comment that goes on past its first line, which happens at most once
        // per line: the walk back to the line start stays linear in the file.
        let mut base = None;
        let mut at = i;
        loop {
            let eol = memchr::memchr(b'\n', &self.src[at..]).map_or(self.src.len(), |e| at + e);
            if block && let Some(e) = memmem::find(&self.src[at..eol], b"*/") {
                return at + e + 2;
            }
            if eol >= self.src.len() {
                return eol;
            }
            let base = *base.get_or_insert_with(|| {
                let line_start = self.src[..i]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                indent(line_start)
            });
            let next = eol + 1;
            let ind = indent(next);
            let blank = self.src[next + ind..]
                .first()
                .is_none_or(|b| *b == b'\n' || *b == b'\r');
            if !blank && ind <= base {
                return eol;
            }
            at = next;
        }
    }

    /// Read the string starting at `i` (its quote). Returns the index after it and, when it is
    /// terminated, its decoded value. An unescaped newline ends it unterminated (CSS's
    /// bad-string).
    fn string(&self, i: usize) -> (usize, Option<String>) {
        let quote = self.src[i];
        let mut out = Vec::new();
        let mut j = i + 1;
        while j < self.src.len() {
            match self.src[j] {
                b if b == quote => return (j + 1, Some(String::from_utf8_lossy(&out).into_owned())),
                b'\n' => return (j, None),
                b'\\' => j = self.escape(j, &mut out, true),
                b => {
                    out.push(b);
                    j += 1;
                }
            }
        }
        (j, None)
    }

    /// Decode the escape at `i` (a backslash) into `out`; returns the index after it.
    fn escape(&self, i: usize, out: &mut Vec<u8>, in_string: bool) -> usize {
        let Some(next) = self.at(i + 1) else {
            return i + 1;
        };
        if next == b'\n' || next == b'\r' {
            // A line continuation inside a string; outside, not an escape.
            if !in_string {
                out.push(b'\\');
                return i + 1;
            }
            let skip = if next == b'\r' && self.at(i + 2) == Some(b'\n') {
                3
            } else {
                2
            };
            return i + skip;
        }
        if next.is_ascii_hexdigit() {
            let mut j = i + 1;
            let mut cp: u32 = 0;
            while j < self.src.len() && j < i + 7 && self.src[j].is_ascii_hexdigit() {
                cp = cp * 16 + char::from(self.src[j]).to_digit(16).unwrap_or(0);
                j += 1;
            }
            if self.at(j).is_some_and(is_ws) {
                j += if self.at(j) == Some(b'\r') && self.at(j + 1) == Some(b'\n') {
                    2
                } else {
                    1
                };
            }
            let c = char::from_u32(cp).filter(|c| *c != '\0').unwrap_or('\u{FFFD}');
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            return j;
        }
        // Any other byte stands for itself (a UTF-8 sequence's bytes follow one by one).
        out.push(next);
        i + 2
    }

    fn skip_ws_and_comments(&self, mut i: usize) -> usize {
        loop {
            while self.at(i).is_some_and(is_ws) {
                i += 1;
            }
            if self.at(i) == Some(b'/') && (self.at(i + 1) == Some(b'*') || self.line_comment_at(i)) {
                i = self.comment_end(i);
            } else {
                return i;
            }
        }
    }

    /// `i` is just after `url(`. Returns the index after the `url(...)` (or where reading
    /// stopped) and the target when it is a literal one.
    fn url(&mut self, open: usize) -> (usize, Option<Target>) {
        let mut i = open;
        while self.at(i).is_some_and(is_ws) {
            i += 1;
        }
        if let Some(b'"' | b'\'') = self.at(i) {
            let (end, value) = self.string(i);
            let mut j = end;
            while self.at(j).is_some_and(is_ws) {
                j += 1;
            }
            // `url("a" + $b)` and the like are computed.
            if self.at(j) != Some(b')') {
                return (end, None);
            }
            let target = value.map(|value| Target {
                span: i..end,
                value,
                url: true,
            });
            (j + 1, target)
        } else {
            let start = i;
            let mut out = Vec::new();
            while let Some(b) = self.at(i) {
                match b {
                    b')' => {
                        let end = i;
                        let t = Target {
                            span: start..end,
                            value: String::from_utf8_lossy(&out).into_owned(),
                            url: true,
                        };
                        return (i + 1, Some(t));
                    }
                    b'\\' => i = self.escape(i, &mut out, false),
                    b if is_ws(b) => {
                        let end = i;
                        while self.at(i).is_some_and(is_ws) {
                            i += 1;
                        }
                        if self.at(i) != Some(b')') {
                            return (i, None);
                        }
                        let t = Target {
                            span: start..end,
                            value: String::from_utf8_lossy(&out).into_owned(),
                            url: true,
                        };
                        return (i + 1, Some(t));
                    }
                    // A function call (`url(fn($x))`) or a stray quote: not a URL token.
                    b'(' | b'"' | b'\'' => return (i, None),
                    b => {
                        out.push(b);
                        i += 1;
                    }
                }
            }
            (i, None)
        }
    }

    /// `@name` at `i`: an import at-rule is read; any other is stepped over (its body is
    /// scanned as usual).
    fn at_rule(&mut self, i: usize) -> usize {
        let name_start = i + 1;
        let mut j = name_start;
        while self.at(j).is_some_and(is_ident_byte) {
            j += 1;
        }
        let name = &self.src[name_start..j];
        let sassy = matches!(self.dialect, CssDialect::Scss | CssDialect::Sass);
        if name.eq_ignore_ascii_case(b"import") {
            self.import_rule(j)
        } else if sassy && name == b"use" {
            self.use_rule(j, ImportKind::SassUse)
        } else if sassy && name == b"forward" {
            self.use_rule(j, ImportKind::SassForward)
        } else {
            j.max(i + 1)
        }
    }

    /// Where the prelude starting at `i` ends: `;`, `{` or `}` outside parentheses, or, in the
    /// indented syntax, the line end.
    fn prelude_end(&mut self, mut i: usize) -> usize {
        let mut depth = 0usize;
        while let Some(b) = self.at(i) {
            match b {
                b'"' | b'\'' => {
                    i = self.string(i).0;
                    continue;
                }
                b'/' if self.at(i + 1) == Some(b'*') || self.line_comment_at(i) => {
                    i = self.comment_end(i);
                    continue;
                }
                b'\\' => {
                    i += 2;
                    continue;
                }
                b'(' => depth += 1,
                b')' => depth = depth.saturating_sub(1),
                b';' | b'{' | b'}' if depth == 0 => return i,
                b'\n' | b'\r' if depth == 0 && self.dialect == CssDialect::Sass => return i,
                _ => {}
            }
            i += 1;
        }
        i.min(self.src.len())
    }

    /// A string or `url()` target at `i` (after blanks); for the indented syntax's `@import`,
    /// also an unquoted name (`@import foo`). Returns the target and the index after it.
    fn target(&mut self, i: usize, end: usize, unquoted: bool) -> Option<(Target, usize)> {
        let i = self.skip_ws_and_comments(i);
        if i >= end {
            return None;
        }
        match self.src[i] {
            b'"' | b'\'' => {
                let (after, value) = self.string(i);
                Some((
                    Target {
                        span: i..after,
                        value: value?,
                        url: false,
                    },
                    after,
                ))
            }
            b'u' | b'U' if self.url_at(i) => match self.url(i + 4) {
                (after, Some(t)) => Some((t, after)),
                (_, None) => None,
            },
            _ if unquoted => {
                let mut j = i;
                while j < end && !is_ws(self.src[j]) && self.src[j] != b',' {
                    j += 1;
                }
                let value = String::from_utf8_lossy(&self.src[i..j]).into_owned();
                (j > i).then_some((
                    Target {
                        span: i..j,
                        value,
                        url: false,
                    },
                    j,
                ))
            }
            _ => None,
        }
    }

    fn import_rule(&mut self, after_name: usize) -> usize {
        let end = self.prelude_end(after_name);
        let mut i = self.skip_ws_and_comments(after_name);
        // Less: `@import (reference, optional) "x";`
        let mut less_options: Vec<String> = Vec::new();
        if self.dialect == CssDialect::Less && self.at(i) == Some(b'(') {
            let close = self.src[i..end].iter().position(|b| *b == b')').map(|p| i + p);
            let Some(close) = close else { return end };
            less_options = String::from_utf8_lossy(&self.src[i + 1..close])
                .split(',')
                .map(|o| o.trim().to_ascii_lowercase())
                .collect();
            i = close + 1;
        }
        if less_options.iter().any(|o| o == "optional") {
            return end;
        }
        let sassy = matches!(self.dialect, CssDialect::Scss | CssDialect::Sass);
        let unquoted = self.dialect == CssDialect::Sass;
        let mut targets = Vec::new();
        while let Some((t, after)) = self.target(i, end, unquoted) {
            targets.push(t);
            let j = self.skip_ws_and_comments(after);
            // Sass takes a comma-separated list; CSS and Less one target.
            if sassy && self.at(j) == Some(b',') && j < end {
                i = j + 1;
                continue;
            }
            i = j;
            break;
        }
        // Anything after the target(s): media queries, `layer(...)`, `supports(...)`.
        let has_tail = i < end && self.src[i..end].iter().any(|b| !is_ws(*b));
        for t in targets {
            let kind = match self.dialect {
                CssDialect::Css => ImportKind::CssImport,
                CssDialect::Scss | CssDialect::Sass => {
                    let plain = t.url
                        || has_tail
                        || t.value.ends_with(".css")
                        || t.value.starts_with("http://")
                        || t.value.starts_with("https://");
                    if plain {
                        ImportKind::CssImport
                    } else {
                        ImportKind::SassImport
                    }
                }
                CssDialect::Less => {
                    let css = less_options.iter().any(|o| o == "css" || o == "inline")
                        || t.value.ends_with(".css") && !less_options.iter().any(|o| o == "less");
                    if css {
                        ImportKind::CssImport
                    } else {
                        ImportKind::LessImport
                    }
                }
            };
            self.push(t, kind);
        }
        end
    }

    fn use_rule(&mut self, after_name: usize, kind: ImportKind) -> usize {
        let end = self.prelude_end(after_name);
        let i = self.skip_ws_and_comments(after_name);
        if matches!(self.at(i), Some(b'"' | b'\''))
            && let Some((t, _)) = self.target(i, end, false)
        {
            self.push(t, kind);
        }
        end
    }

    fn push(&mut self, t: Target, kind: ImportKind) {
        if !is_file_target(&t.value) {
            return;
        }
        let span = self.pos.span(t.span.start, t.span.end);
        self.imports.push(Import {
            specifier: t.value,
            kind,
            type_only: false,
            guarded: false,
            span,
        });
    }
}

/// Can the target name a file of the repository (or a package)? Computed, remote, `scheme:`
/// and fragment-only targets cannot.
fn is_file_target(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() || v.starts_with('#') || v.starts_with("//") {
        return false;
    }
    // Interpolation (`#{$x}`, `@{var}`), variables (`$x`, Less `@x`; not `@/x` or
    // `@scope/pkg`, which are paths).
    if v.contains("#{") || v.contains("@{") || v.starts_with('$') || v.starts_with('@') && !v.contains('/') {
        return false;
    }
    if let Some((scheme, _)) = v.split_once(':') {
        let is_scheme = !scheme.is_empty()
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-' || b == b'.');
        if is_scheme {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specs(d: CssDialect, src: &str) -> Vec<(String, ImportKind)> {
        extract_css_file(d, src.as_bytes())
            .imports
            .into_iter()
            .map(|i| (i.specifier, i.kind))
            .collect()
    }

    fn names(d: CssDialect, src: &str) -> Vec<String> {
        specs(d, src).into_iter().map(|(s, _)| s).collect()
    }

    use CssDialect::*;
    use ImportKind::*;

    #[test]
    fn css_import_forms() {
        let src = r#"@import "a.css";
@import url(b.css) screen and (min-width: 10px);
@import url("c.css") layer(base) supports(display: grid);
@IMPORT 'd.css';
@import url('e.css');
"#;
        assert_eq!(
            specs(Css, src),
            [
                ("a.css".into(), CssImport),
                ("b.css".into(), CssImport),
                ("c.css".into(), CssImport),
                ("d.css".into(), CssImport),
                ("e.css".into(), CssImport)
            ]
        );
    }

    #[test]
    fn url_in_values() {
        let src = r#".a { background: url(./img.png) no-repeat, URL( "../b.svg" ); }
@font-face { src: url("../fonts/x.woff2") format("woff2"), local("Foo"); }
.b { mask: url(a\).png); content: "url(not.png)"; }
.c { background: my-url(x.png); filter: url(#gradient); }
.d { background: url(data:image/png;base64,AAA=) , url(https://cdn.x/y.png), url(//cdn.x/z.png); }
.e { background: url(); background: url(  ); }
"#;
        assert_eq!(
            names(Css, src),
            ["./img.png", "../b.svg", "../fonts/x.woff2", "a).png"]
        );
    }

    #[test]
    fn spans_point_at_the_specifier() {
        let src = "a{}\r\n.x { background: url( \"i.png\" ) }\n@import 'k.css';\n.y{b:url(j\\ k.png)}";
        let facts = extract_css_file(Css, src.as_bytes());
        let got: Vec<(&str, u32, u32, &str)> = facts
            .imports
            .iter()
            .map(|i| {
                let raw = &src[i.span.start as usize..i.span.end as usize];
                (i.specifier.as_str(), i.span.line, i.span.column, raw)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("i.png", 2, 23, "\"i.png\""),
                ("k.css", 3, 9, "'k.css'"),
                ("j k.png", 4, 10, "j\\ k.png")
            ]
        );
    }

    #[test]
    fn comments_hide_imports() {
        let css = "/* @import 'a.css'; url(b.png) */\n@import 'c.css';\n// @import 'd.css';\n";
        // `//` is not a comment in plain CSS: the rule after it on that line is read.
        assert_eq!(names(Css, css), ["c.css", "d.css"]);
        assert_eq!(names(Scss, css), ["c.css"]);
        assert_eq!(names(Less, css), ["c.css"]);
        // `//` inside url() is the URL, not a comment.
        assert_eq!(names(Scss, ".a{b:url(http://x/y.png)} @import 'e';"), ["e"]);
    }

    #[test]
    fn strings_with_escaped_quotes_and_escapes() {
        let src = r#".a { content: "it\"s @import 'x.css'"; } @import "q\"uote.css"; @import "\66 oo.css";"#;
        assert_eq!(names(Css, src), ["q\"uote.css", "foo.css"]);
        // An unterminated string ends at the line end; what follows is read.
        assert_eq!(names(Css, ".a { content: \"oops\n@import 'ok.css';"), ["ok.css"]);
    }

    #[test]
    fn scss_forms() {
        let src = r##"
@use "sass:math";
@use 'config' as cfg with ($primary: blue, $url: "x");
@forward "src/list" hide list-reset, $horizontal-list-gap;
@forward 'theme' as theme-* show a, b;
@import 'vars', 'mixins';
@import "print.css";
@import "x" screen;
@import url(y.scss);
@import "#{$theme}/vars";
.a { .b { background: url("../img/#{$name}.png"); } .c { background: url($icon); } }
.d { background: url(img/ok.png); }
"##;
        assert_eq!(
            specs(Scss, src),
            [
                ("config".into(), SassUse),
                ("src/list".into(), SassForward),
                ("theme".into(), SassForward),
                ("vars".into(), SassImport),
                ("mixins".into(), SassImport),
                ("print.css".into(), CssImport),
                ("x".into(), CssImport),
                ("y.scss".into(), CssImport),
                ("img/ok.png".into(), CssUrl),
            ]
        );
    }

    #[test]
    fn sass_indented_syntax() {
        let src = "@use 'config'\n@import foo, bar/baz\n@forward \"f\"\n.a\n  background: url(x.png)\n// @import gone\n  @import still-gone\n/* block\n  @import also-gone\n@import back\n";
        assert_eq!(
            specs(Sass, src),
            [
                ("config".into(), SassUse),
                ("foo".into(), SassImport),
                ("bar/baz".into(), SassImport),
                ("f".into(), SassForward),
                ("x.png".into(), CssUrl),
                ("back".into(), SassImport),
            ]
        );
    }

    #[test]
    fn less_forms() {
        let src = r#"@import (reference) "foo";
@import (css) url("theme.css");
@import (optional, reference) "maybe";
@import "plain.css";
@import (less) "as-less.css";
@import "@{themes}/tidal-wave.less";
@import "@scope/ui/theme";
.b { background: url(@icon); background: url("@/assets/a.png"); }
@var: ~"url(x.png)";
.a { background+: url("@{base}/x.png"); background: url(ok.png); }
// @import "commented";
"#;
        assert_eq!(
            specs(Less, src),
            [
                ("foo".into(), LessImport),
                ("theme.css".into(), CssImport),
                ("plain.css".into(), CssImport),
                ("as-less.css".into(), LessImport),
                ("@scope/ui/theme".into(), LessImport),
                ("@/assets/a.png".into(), CssUrl),
                ("ok.png".into(), CssUrl),
            ]
        );
    }

    #[test]
    fn crlf_bom_and_non_utf8() {
        let src = b"\xEF\xBB\xBF@import 'a.css';\r\n.x{b:url(\xff\xfe.png)}\r\n@use 'b'\r\n".to_vec();
        let f = extract_css_file(Css, &src);
        assert_eq!(f.imports.len(), 2);
        assert_eq!(f.imports[0].specifier, "a.css");
        assert_eq!((f.imports[0].span.start, f.imports[0].span.line), (11, 1));
        assert_eq!(f.imports[1].specifier, "\u{FFFD}\u{FFFD}.png");
        assert_eq!(f.imports[1].span.line, 2);
        assert_eq!(names(Sass, std::str::from_utf8(&src[3..18]).unwrap()), ["a.css"]);
        let sass = b"@use 'b'\r\n@import c\r\n";
        assert_eq!(
            extract_css_file(Sass, sass)
                .imports
                .iter()
                .map(|i| i.specifier.as_str())
                .collect::<Vec<_>>(),
            ["b", "c"]
        );
    }

    #[test]
    fn nested_blocks_and_at_rules() {
        let src = "@media screen { .a { @supports (x: y) { .b { background: url(n.png) } } } }\n@font-face { font-family: X; src: url(f.woff2) format('woff2') }\n@charset 'utf-8';\n@layer base { @import 'not-allowed-here-but-read.css'; }";
        assert_eq!(
            names(Css, src),
            ["n.png", "f.woff2", "not-allowed-here-but-read.css"]
        );
    }

    #[test]
    fn suppressions() {
        let src = "/* hookctl-ignore imports/untracked */\n@import 'a.css';\n// hookctl-ignore\n@use 'b';";
        let f = extract_css_file(Scss, src.as_bytes());
        assert_eq!(f.suppressions.len(), 2);
        assert!(f.suppressed("imports/untracked", 2));
        assert!(f.suppressed("imports/unresolved", 4));
        assert!(!f.suppressed("imports/unresolved", 2));
    }

    #[test]
    fn a_range_keeps_file_positions() {
        let src = "<template><div/></template>\n<style lang=\"scss\">\n@use 'x';\n.a{b:url(y.png)}\n</style>\n@import 'outside';";
        let start = src.find("<style").unwrap() + "<style lang=\"scss\">".len();
        let end = src.find("</style>").unwrap();
        let imports = extract_css(Scss, src.as_bytes(), start..end);
        let got: Vec<(&str, u32, u32)> = imports
            .iter()
            .map(|i| (i.specifier.as_str(), i.span.line, i.span.column))
            .collect();
        assert_eq!(got, [("x", 3, 6), ("y.png", 4, 10)]);
        assert_eq!(
            &src[imports[0].span.start as usize..imports[0].span.end as usize],
            "'x'"
        );
        // Out-of-range ranges are clamped, never a panic.
        assert!(extract_css(Scss, src.as_bytes(), 500..900).is_empty());
        #[expect(
            clippy::reversed_empty_ranges,
            reason = "the reversed range is the input under test"
        )]
        let reversed = 40..10;
        let _ = extract_css(Scss, src.as_bytes(), reversed);
    }

    #[test]
    fn unterminated_input_ends_cleanly() {
        for src in [
            "@import",
            "@import '",
            "@import url(",
            "url(",
            "url(\"a",
            "/*",
            "a { b: url(x\\",
            "@import (reference",
            "@use",
            "\\",
            "@",
        ] {
            for d in [Css, Scss, Sass, Less] {
                let _ = extract_css_file(d, src.as_bytes());
            }
        }
    }

    proptest::proptest! {
        /// Any bytes, any dialect, any range: no panic, and every span lies in the file and in
        /// the range, with 1-based positions.
        #[test]
        fn never_panics_and_spans_in_range(
            src in proptest::collection::vec(proptest::prop_oneof![
                proptest::num::u8::ANY,
                proptest::sample::select(b"@import url(\"';/*\\\n\r{}()#$ ~,".to_vec()),
            ], 0..200),
            a in 0usize..220,
            b in 0usize..220,
        ) {
            for d in [Css, Scss, Sass, Less] {
                let f = extract_css_file(d, &src);
                for i in &f.imports {
                    proptest::prop_assert!(i.span.line >= 1 && i.span.column >= 1);
                    proptest::prop_assert!(i.span.start <= i.span.end && i.span.end as usize <= src.len());
                }
                let (lo, hi) = (a.min(b), a.max(b));
                for i in extract_css(d, &src, lo..hi) {
                    proptest::prop_assert!(i.span.start as usize >= lo.min(src.len()));
                    proptest::prop_assert!(i.span.end as usize <= hi.min(src.len()));
                }
            }
        }
    }
}
