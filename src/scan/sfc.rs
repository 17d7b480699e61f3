//! Single-file components (`.vue`, `.svelte`, `.astro`) and MDX: a block splitter that finds
//! the script parts of a host file, and extraction from them with the TypeScript grammars.
//!
//! Every byte outside the script blocks is replaced by a space (newlines and carriage returns
//! kept), so the TS parser sees the original byte offsets and lines; columns (which count
//! characters) are recomputed from the original text afterwards.
//!
//! Why a hand-written splitter rather than tree-sitter host grammars: the crates.io grammars for
//! Vue, Svelte and Astro are community forks pinned to older tree-sitter ABIs than this build
//! uses, and none exists for MDX. What is needed is small (where a script block starts and ends)
//! and follows the frameworks' own parsers:
//! - a `<script>` block ends at the first `</script` (case-insensitive), even inside a JS string,
//!   as the Vue, Svelte and Astro compilers and browsers do;
//! - HTML comments (`<!-- ... -->`) hide tags;
//! - Vue: top-level `<script>` blocks only (a `<script>` inside `<template>` is markup); custom
//!   blocks (`<i18n>`, `<docs>`) are raw text;
//! - Svelte: top-level `<script>`, `<script context="module">`, `<script module>`; a `<script>`
//!   inside an element (`<svelte:head>`) is a plain HTML script, not scanned;
//! - Astro: the frontmatter (a `---` fence at the start) and the `<script>` tags Astro bundles:
//!   those with no attribute other than `src` (any other attribute, `is:inline` or
//!   `type="module"`, makes a script inline, resolved by the browser, not by Astro);
//! - MDX: ESM blocks, a paragraph whose first line starts with `import`/`export` at column 0,
//!   up to the next blank line (while brackets are open, the block goes on, as MDX's parser
//!   does); frontmatter and fenced code are skipped. JSX and `{expressions}` in MDX content are
//!   not scanned: they cannot import, and env reads belong in the ESM blocks.
//!
//! Style blocks (`<style>`, `<style lang="scss">`, ...) go to the CSS extractor
//! ([`super::extract_css`]), at their offsets in the whole file. A Vue `<script src>`/`<style
//! src>` and a `<script src>` that Astro bundles name a file the build reads: an import of it
//! (a root-absolute or remote `src` is served as is, not bundled).
//!
//! The splitter is linear in the input: each byte is looked at a bounded number of times, and a
//! closing tag walks the stack of open elements only when an element of its name is open (and
//! then pops what it walks over).

use std::ops::Range;

use super::pos::Positions;
use super::{Facts, Lang, ScanOptions, extract::extract};

/// A host format whose code lives in blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Host {
    Vue,
    Svelte,
    Astro,
    Mdx,
}

/// A script block: the byte range of its content and the grammar it is parsed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptBlock {
    pub range: Range<usize>,
    pub lang: Lang,
}

/// A `<style>` block: its `lang` attribute (`scss`, `less`, ...; `None` for plain CSS) and the
/// byte range of its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StyleBlock {
    pub lang: Option<String>,
    pub range: Range<usize>,
}

/// A block whose content is another file (`<script src="./x.ts">`, `<style src="./x.css">`):
/// the build reads that file, so it must be there like an import's target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrcRef {
    /// The attribute value, with its quotes when quoted.
    pub range: Range<usize>,
    /// A `<style>` block (else a `<script>`).
    pub style: bool,
}

/// What [`split`] found in a host file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blocks {
    pub scripts: Vec<ScriptBlock>,
    pub styles: Vec<StyleBlock>,
    /// Vue `<script src>`/`<style src>` and the `<script src>` Astro bundles.
    pub sources: Vec<SrcRef>,
}

/// The script and style blocks of a host file. Never panics, whatever the bytes.
pub fn split(host: Host, src: &[u8]) -> Blocks {
    match host {
        Host::Mdx => Blocks {
            scripts: mdx_esm(src)
                .into_iter()
                .map(|range| ScriptBlock {
                    range,
                    lang: Lang::Tsx,
                })
                .collect(),
            styles: Vec::new(),
            sources: Vec::new(),
        },
        _ => markup(host, src),
    }
}

/// The `<style>` blocks of a `.vue`, `.svelte` or `.astro` file (none for MDX).
pub fn style_blocks(host: Host, src: &[u8]) -> Vec<StyleBlock> {
    split(host, src).styles
}

/// A copy of `src` where every byte outside `keep` is a space, except `\n` and `\r`: same
/// length, same line breaks, same offsets.
pub fn blank(src: &[u8], keep: &[Range<usize>]) -> Vec<u8> {
    let mut out: Vec<u8> = src
        .iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b } else { b' ' })
        .collect();
    for r in keep {
        let (s, e) = (r.start.min(src.len()), r.end.min(src.len()));
        if s < e {
            out[s..e].copy_from_slice(&src[s..e]);
        }
    }
    out
}

/// Imports, env reads and suppressions of a host file's script blocks.
pub fn extract_host(host: Host, src: &[u8], opts: &ScanOptions) -> Facts {
    let blocks = split(host, src);
    let mut facts = Facts::default();
    for lang in [Lang::TypeScript, Lang::Tsx] {
        let keep: Vec<Range<usize>> = blocks
            .scripts
            .iter()
            .filter(|b| b.lang == lang)
            .map(|b| b.range.clone())
            .collect();
        if keep.is_empty() {
            continue;
        }
        let part = extract(lang, &blank(src, &keep), opts);
        facts.imports.extend(part.imports);
        facts.env_reads.extend(part.env_reads);
        facts.suppressions.extend(part.suppressions);
        facts.had_errors |= part.had_errors;
    }
    // `<style>` and `<style lang="scss">` blocks: their `@import`/`@use`/`url()` targets (an
    // unknown `lang`, e.g. stylus, is not read).
    for style in &blocks.styles {
        let dialect = match style.lang.as_deref() {
            None => Some(super::CssDialect::Css),
            Some(lang) => super::CssDialect::for_lang(lang),
        };
        if let Some(dialect) = dialect {
            facts
                .imports
                .extend(super::extract_css(dialect, src, style.range.clone()));
        }
    }
    for r in &blocks.sources {
        let text = src.get(r.range.clone()).unwrap_or_default();
        let spec = String::from_utf8_lossy(
            text.strip_prefix(b"\"")
                .and_then(|t| t.strip_suffix(b"\""))
                .or_else(|| text.strip_prefix(b"'").and_then(|t| t.strip_suffix(b"'")))
                .unwrap_or(text),
        )
        .trim()
        .to_string();
        // A root-absolute or remote `src` is served as is (`public/`, a CDN): not a module.
        if spec.is_empty() || spec.starts_with('/') || spec.contains("://") {
            continue;
        }
        facts.imports.push(super::Import {
            specifier: spec,
            kind: if r.style {
                super::ImportKind::CssImport
            } else {
                super::ImportKind::SideEffect
            },
            type_only: false,
            guarded: false,
            span: super::Span {
                line: 0,
                column: 0,
                start: r.range.start as u32,
                end: r.range.end as u32,
            },
        });
    }
    // Columns count characters: the blanked text may have fewer before a block on its line.
    let mut pos = Positions::new(src);
    for i in &mut facts.imports {
        i.span = pos.span(i.span.start as usize, i.span.end as usize);
    }
    for r in &mut facts.env_reads {
        r.span = pos.span(r.span.start as usize, r.span.end as usize);
    }
    facts.imports.sort_by_key(|i| i.span.start);
    facts.env_reads.sort_by_key(|r| r.span.start);
    facts.suppressions.sort_by_key(|s| s.line);
    facts
}

// ---- markup hosts (.vue, .svelte, .astro) ----

/// Elements that never have content or a closing tag.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
    "wbr", "keygen",
];

/// Elements whose start tag closes an open `<p>`.
const P_CLOSERS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];

struct Tag {
    name: String,
    attrs: Vec<(String, Option<String>)>,
    /// The byte range of the `src` attribute's value (quotes included), if any.
    src: Option<Range<usize>>,
    self_closing: bool,
    /// Offset just past the `>`.
    end: usize,
}

fn markup(host: Host, src: &[u8]) -> Blocks {
    markup_counted(host, src, &mut 0)
}

/// The splitter's work on `src`: steps of its main loop plus open elements walked over by
/// closing tags (every other look-ahead ends where the main loop resumes). Linear: at most
/// about two steps per byte, whatever the input.
#[cfg(test)]
pub(crate) fn steps(host: Host, src: &[u8]) -> usize {
    let mut steps = 0;
    markup_counted(host, src, &mut steps);
    steps
}

fn markup_counted(host: Host, src: &[u8], steps: &mut usize) -> Blocks {
    let mut blocks = Blocks::default();
    let mut i = 0;
    if host == Host::Astro
        && let Some((content, after)) = astro_frontmatter(src)
    {
        blocks.scripts.push(ScriptBlock {
            range: content,
            lang: Lang::TypeScript,
        });
        i = after;
    }
    let mut open = OpenElements::default();
    while i < src.len() {
        *steps += 1;
        let depth = open.stack.len();
        let b = src[i];
        // Svelte and Astro markup expressions may hold `<` (`{a < b}`, `{'<p>'}`).
        if b == b'{' && host != Host::Vue {
            i = skip_braces(src, i);
            continue;
        }
        if b != b'<' {
            i += 1;
            continue;
        }
        let rest = &src[i..];
        if rest.starts_with(b"<!--") {
            i = find(src, i + 4, b"-->").map_or(src.len(), |e| e + 3);
            continue;
        }
        if rest.get(1) == Some(&b'/') {
            let (name, _) = tag_name(src, i + 2);
            open.close(&name.to_ascii_lowercase(), steps);
            i = memchr::memchr(b'>', &src[i..]).map_or(src.len(), |e| i + e + 1);
            continue;
        }
        if !rest.get(1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let tag = open_tag(src, i);
        let lower = tag.name.to_ascii_lowercase();
        let raw =
            lower == "script" || lower == "style" || (host == Host::Vue && depth == 0 && lower != "template");
        if let Some(range) = tag.src.clone()
            && (lower == "script" || lower == "style")
            && match host {
                Host::Vue => depth == 0,
                Host::Astro => lower == "script" && script_lang(host, &tag, depth).is_some(),
                Host::Svelte | Host::Mdx => false,
            }
        {
            blocks.sources.push(SrcRef {
                range,
                style: lower == "style",
            });
        }
        if raw && !tag.self_closing {
            i = raw_block(host, src, &tag, &lower, depth, &mut blocks);
            continue;
        }
        open.close_implied(&lower);
        if !tag.self_closing && !VOID.contains(&lower.as_str()) {
            open.push(lower);
        }
        i = tag.end;
    }
    blocks
}

/// Open elements, lowercase. A closing tag pops up to its element (closing any left open
/// inside it, as HTML's `<li>`/`<p>` are), and is ignored when nothing matches. `counts` says
/// whether an element of a name is open at all, so that a closing tag of nothing open costs no
/// walk of the stack (`<div>`×N then `</x>`×N would be quadratic): each element is then walked
/// over at most once, when it is popped.
#[derive(Default)]
struct OpenElements {
    stack: Vec<String>,
    counts: std::collections::HashMap<String, usize>,
}

impl OpenElements {
    fn push(&mut self, name: String) {
        *self.counts.entry(name.clone()).or_default() += 1;
        self.stack.push(name);
    }

    fn pop_to(&mut self, at: usize) {
        for name in self.stack.drain(at..) {
            if let Some(c) = self.counts.get_mut(&name) {
                *c = c.saturating_sub(1);
            }
        }
    }

    /// A closing tag of `name`: counts the elements walked over in `steps`.
    fn close(&mut self, name: &str, steps: &mut usize) {
        if self.counts.get(name).is_some_and(|c| *c > 0) {
            let at = self.stack.iter().rposition(|n| *n == name);
            *steps += self.stack.len() - at.unwrap_or(0);
            if let Some(at) = at {
                self.pop_to(at);
            }
        }
    }

    /// HTML's implied end tags: a block element closes an open `<p>`, a `<li>` (`<option>`,
    /// `<dt>`/`<dd>`, `<tr>`, `<td>`/`<th>`) the previous sibling's.
    fn close_implied(&mut self, lower: &str) {
        let implied = |top: &str| match lower {
            "li" => top == "li",
            "option" => top == "option",
            "dt" | "dd" => top == "dt" || top == "dd",
            "tr" => top == "tr" || top == "td" || top == "th",
            "td" | "th" => top == "td" || top == "th",
            _ => top == "p" && P_CLOSERS.contains(&lower),
        };
        while self.stack.last().is_some_and(|top| implied(top)) {
            let at = self.stack.len() - 1;
            self.pop_to(at);
        }
    }
}

/// The content of a raw element (`<script>`, `<style>`, a Vue top-level block) opened by `tag`:
/// records a script or style block and returns the offset after its closing tag.
fn raw_block(host: Host, src: &[u8], tag: &Tag, lower: &str, depth: usize, blocks: &mut Blocks) -> usize {
    let close = find_ci(src, tag.end, format!("</{lower}").as_bytes());
    let content = tag.end..close.unwrap_or(src.len());
    if lower == "script" {
        if let Some(lang) = script_lang(host, tag, depth) {
            blocks.scripts.push(ScriptBlock {
                range: content.clone(),
                lang,
            });
        }
    } else if lower == "style" {
        let lang = attr(tag, "lang").map(str::to_ascii_lowercase);
        blocks.styles.push(StyleBlock {
            lang,
            range: content.clone(),
        });
    }
    match close {
        Some(c) => memchr::memchr(b'>', &src[c..]).map_or(src.len(), |e| c + e + 1),
        None => src.len(),
    }
}

/// The grammar of a `<script>` block that the framework compiles, or `None` for a block it
/// leaves alone (data scripts, inline scripts, nested HTML scripts).
fn script_lang(host: Host, tag: &Tag, depth: usize) -> Option<Lang> {
    let ts = |v: &str| matches!(v, "ts" | "typescript") || v.ends_with("/typescript") || v.ends_with("/ts");
    match host {
        Host::Astro => {
            // Any attribute besides `src` makes the script inline: the browser resolves it.
            tag.attrs
                .iter()
                .all(|(n, _)| n.eq_ignore_ascii_case("src"))
                .then_some(Lang::TypeScript)
        }
        Host::Vue | Host::Svelte => {
            if depth != 0 {
                return None;
            }
            if let Some(ty) = attr(tag, "type").map(str::to_ascii_lowercase) {
                let js = ty.is_empty()
                    || ty == "module"
                    || ty.contains("javascript")
                    || ty.contains("ecmascript")
                    || ts(&ty);
                if !js {
                    return None;
                }
                if ts(&ty) {
                    return Some(Lang::TypeScript);
                }
            }
            match attr(tag, "lang").map(str::to_ascii_lowercase).as_deref() {
                None | Some("" | "js" | "javascript" | "jsx" | "tsx") => Some(Lang::Tsx),
                Some(l) if ts(l) => Some(Lang::TypeScript),
                Some(_) => None, // coffee and other preprocessors: not TS or JS
            }
        }
        Host::Mdx => None,
    }
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_deref().unwrap_or(""))
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b':' | b'.')
}

/// The tag name starting at `at`, and the offset after it.
fn tag_name(src: &[u8], at: usize) -> (String, usize) {
    let mut e = at;
    while e < src.len() && is_name_byte(src[e]) {
        e += 1;
    }
    (String::from_utf8_lossy(&src[at.min(e)..e]).into_owned(), e)
}

/// Parses the open tag starting with the `<` at `at`: name, attributes (quoted, unquoted, or a
/// `{...}` expression), and whether it ends with `/>`.
fn open_tag(src: &[u8], at: usize) -> Tag {
    let (name, mut i) = tag_name(src, at + 1);
    let mut attrs = Vec::new();
    let mut self_closing = false;
    let mut src_attr = None;
    loop {
        while i < src.len() && src[i].is_ascii_whitespace() {
            i += 1;
        }
        let Some(&b) = src.get(i) else {
            return Tag {
                name,
                attrs,
                src: src_attr,
                self_closing,
                end: src.len(),
            };
        };
        match b {
            b'>' => {
                return Tag {
                    name,
                    attrs,
                    src: src_attr,
                    self_closing,
                    end: i + 1,
                };
            }
            b'/' => {
                self_closing = src.get(i + 1) == Some(&b'>');
                i += 1;
            }
            b'{' => {
                // `{...spread}` or `{shorthand}`
                i = skip_braces(src, i);
                attrs.push(("{}".to_string(), None));
            }
            _ => {
                self_closing = false;
                i = attribute(src, i, &mut attrs, &mut src_attr);
            }
        }
    }
}

/// Parses the attribute starting at `i` (a name, then `=` and a quoted, unquoted or `{...}`
/// value, or no value), pushes it, notes where a `src` value lies, and returns the offset after it.
fn attribute(
    src: &[u8],
    mut i: usize,
    attrs: &mut Vec<(String, Option<String>)>,
    src_attr: &mut Option<Range<usize>>,
) -> usize {
    let start = i;
    while i < src.len() && !src[i].is_ascii_whitespace() && !matches!(src[i], b'=' | b'>' | b'/' | b'{') {
        i += 1;
    }
    if i == start {
        return i + 1; // a stray byte such as `=`
    }
    let attr_name = String::from_utf8_lossy(&src[start..i]).into_owned();
    let mut j = i;
    while j < src.len() && src[j].is_ascii_whitespace() {
        j += 1;
    }
    if src.get(j) != Some(&b'=') {
        attrs.push((attr_name, None));
        return i;
    }
    j += 1;
    while j < src.len() && src[j].is_ascii_whitespace() {
        j += 1;
    }
    let value = match src.get(j) {
        Some(&q @ (b'"' | b'\'')) => {
            let end = memchr::memchr(q, &src[j + 1..]).map_or(src.len(), |e| j + 1 + e);
            let v = String::from_utf8_lossy(&src[j + 1..end]).into_owned();
            i = (end + 1).min(src.len());
            if attr_name.eq_ignore_ascii_case("src") {
                *src_attr = Some(j..i);
            }
            v
        }
        Some(b'{') => {
            i = skip_braces(src, j);
            String::new()
        }
        _ => {
            let mut e = j;
            while e < src.len() && !src[e].is_ascii_whitespace() && src[e] != b'>' {
                e += 1;
            }
            i = e;
            if attr_name.eq_ignore_ascii_case("src") {
                *src_attr = Some(j..e);
            }
            String::from_utf8_lossy(&src[j..e]).into_owned()
        }
    };
    attrs.push((attr_name, Some(value)));
    i
}

/// The offset after the `}` matching the `{` at `at` (strings skipped), or the end.
fn skip_braces(src: &[u8], at: usize) -> usize {
    let mut depth = 0usize;
    let mut i = at;
    while i < src.len() {
        match src[i] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < src.len() && src[i] != q {
                    if src[i] == b'\\' {
                        i += 1;
                    } else if src[i] == b'\n' && q != b'`' {
                        break; // an unterminated string ends at the line
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    src.len()
}

fn find(src: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(src.get(from..)?, needle).map(|e| from + e)
}

/// First `needle` (lowercase ASCII) at or after `from`, ignoring ASCII case.
fn find_ci(src: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = src.get(from..)?;
    let mut at = 0;
    while let Some(p) = memchr::memchr(b'<', &hay[at..]) {
        let s = at + p;
        if hay.len() - s >= needle.len() && hay[s..s + needle.len()].eq_ignore_ascii_case(needle) {
            return Some(from + s);
        }
        at = s + 1;
    }
    None
}

/// Astro's frontmatter: a `---` line first in the file (after a BOM and blank lines), up to
/// the next `---` line (or the end). Returns the content range and where the markup starts.
fn astro_frontmatter(src: &[u8]) -> Option<(Range<usize>, usize)> {
    let mut i = if src.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    while i < src.len() && src[i].is_ascii_whitespace() {
        i += 1;
    }
    let (line, next) = line_at(src, i);
    if trim_ws(line) != b"---" {
        return None;
    }
    let start = next;
    let mut at = next;
    while at < src.len() {
        let (line, next) = line_at(src, at);
        if trim_ws(line) == b"---" {
            return Some((start..at, next));
        }
        at = next;
    }
    Some((start..src.len(), src.len()))
}

/// The line starting at `at` (without its `\n`) and the offset of the next line.
fn line_at(src: &[u8], at: usize) -> (&[u8], usize) {
    match memchr::memchr(b'\n', &src[at.min(src.len())..]) {
        Some(e) => (&src[at..at + e], at + e + 1),
        None => (&src[at.min(src.len())..], src.len()),
    }
}

fn trim_ws(b: &[u8]) -> &[u8] {
    b.trim_ascii()
}

// ---- MDX ----

/// The ESM blocks of an MDX file.
fn mdx_esm(src: &[u8]) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut at = if src.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    // YAML frontmatter
    if trim_ws(line_at(src, at).0) == b"---" {
        let mut i = line_at(src, at).1;
        while i < src.len() {
            let (line, next) = line_at(src, i);
            i = next;
            if trim_ws(line) == b"---" {
                at = i;
                break;
            }
        }
    }
    // A new block may start here (not the continuation of a paragraph).
    let mut block_start = true;
    // The open code fence: its character and length.
    let mut fence: Option<(u8, usize)> = None;
    while at < src.len() {
        let (line, next) = line_at(src, at);
        let blank = trim_ws(line).is_empty();
        if let Some((ch, len)) = fence {
            let t = trim_ws(line);
            if t.len() >= len && t.iter().all(|b| *b == ch) && line.len() - line.trim_ascii_start().len() < 4
            {
                fence = None;
                block_start = true;
            }
            at = next;
            continue;
        }
        let indent = line.len() - line.trim_ascii_start().len();
        let t = line.trim_ascii_start();
        if indent < 4 && (t.starts_with(b"```") || t.starts_with(b"~~~")) {
            let ch = t[0];
            fence = Some((ch, t.iter().take_while(|b| **b == ch).count()));
            at = next;
            continue;
        }
        if block_start && is_esm_start(line) {
            // The block runs to a blank line at which its brackets are balanced.
            let start = at;
            let mut depth: i64 = 0;
            let mut i = at;
            while i < src.len() {
                let (l, n) = line_at(src, i);
                if trim_ws(l).is_empty() && depth <= 0 {
                    break;
                }
                depth += bracket_balance(l);
                i = n;
            }
            out.push(start..i);
            at = i;
            block_start = true;
            continue;
        }
        block_start = blank || t.starts_with(b"#") || (t.starts_with(b"<") && trim_ws(t).ends_with(b">"));
        at = next;
    }
    out
}

/// `import`/`export` at column 0 followed by a space, `{`, `*` or a quote.
fn is_esm_start(line: &[u8]) -> bool {
    [&b"import"[..], b"export"].iter().any(|kw| {
        line.starts_with(kw)
            && line
                .get(kw.len())
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'{' | b'*' | b'"' | b'\''))
    })
}

/// Opening minus closing brackets on a line, outside strings and `//` comments.
fn bracket_balance(line: &[u8]) -> i64 {
    let mut n = 0;
    let mut i = 0;
    while i < line.len() {
        match line[i] {
            b'{' | b'(' | b'[' => n += 1,
            b'}' | b')' | b']' => n -= 1,
            b'/' if line.get(i + 1) == Some(&b'/') => break,
            q @ (b'"' | b'\'' | b'`') => {
                i += 1;
                while i < line.len() && line[i] != q {
                    if line[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    n
}

#[cfg(test)]
mod tests;
