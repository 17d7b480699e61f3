//! Scan: one file's text -> the facts hookctl needs (imports, env reads, suppressions), with
//! positions. Pure: no git, no file system. Results are cached by blob id, so everything here
//! is `serde`-serialisable and deterministic.

mod comments;
mod css;
mod extract;
mod pos;
mod read_kind;
pub mod sfc;
mod strings;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use css::{CssDialect, extract_css, extract_css_file};
pub use extract::{extract, parse_extent};

/// The value of a JS string or template literal's body (the text between the quotes).
pub fn decode_js_string(raw: &[u8]) -> String {
    strings::decode(raw)
}

/// Bump when extraction output changes, so cached facts from older versions are ignored.
pub const EXTRACTOR_VERSION: u32 = 11;

/// Which tree-sitter grammar a path is parsed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// `.ts .mts .cts` (and `.d.ts`): `<T>x` casts are legal, JSX is not.
    TypeScript,
    /// `.tsx .jsx .js .mjs .cjs`: JSX is legal.
    Tsx,
}

impl Lang {
    /// The grammar for a path, or `None` when the path is not a TS/JS source file.
    pub fn for_path(path: &str) -> Option<Lang> {
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            "tsx" | "jsx" | "js" | "mjs" | "cjs" => Some(Lang::Tsx),
            _ => None,
        }
    }
}

/// How a file is scanned: the dispatch from a path to an extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// TS/JS source, parsed whole with one grammar.
    Script(Lang),
    /// `.vue`, `.svelte`, `.astro`, `.mdx`: script blocks inside a host format.
    Host(sfc::Host),
    /// `.css`, `.scss`, `.sass`, `.less`: `@import`/`@use`/`@forward`/`url()`.
    Style(CssDialect),
}

impl FileKind {
    /// The kind of a path, or `None` when hookctl does not scan it.
    pub fn for_path(path: &str) -> Option<FileKind> {
        if let Some(lang) = Lang::for_path(path) {
            return Some(FileKind::Script(lang));
        }
        let ext = path.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "vue" => Some(FileKind::Host(sfc::Host::Vue)),
            "svelte" => Some(FileKind::Host(sfc::Host::Svelte)),
            "astro" => Some(FileKind::Host(sfc::Host::Astro)),
            "mdx" => Some(FileKind::Host(sfc::Host::Mdx)),
            _ => CssDialect::for_path(path).map(FileKind::Style),
        }
    }

    /// A number per kind, distinct for every kind that extracts differently: part of the
    /// facts cache key (the same blob at `a.ts`, `a.tsx` and `a.vue` has different facts).
    pub fn tag(self) -> u8 {
        match self {
            FileKind::Script(Lang::TypeScript) => 0,
            FileKind::Script(Lang::Tsx) => 1,
            FileKind::Host(sfc::Host::Vue) => 2,
            FileKind::Host(sfc::Host::Svelte) => 3,
            FileKind::Host(sfc::Host::Astro) => 4,
            FileKind::Host(sfc::Host::Mdx) => 5,
            FileKind::Style(dialect) => dialect.cache_tag(),
        }
    }
}

/// Facts of one file of the given kind.
/// Source files hookctl scans: TS/JS, `.vue`/`.svelte`/`.astro`/`.mdx` and stylesheets
/// (`.css .scss .sass .less`), outside `node_modules`.
pub fn is_source(path: &str) -> bool {
    FileKind::for_path(path).is_some() && !in_node_modules(path)
}

/// Whether a component of `path` is `node_modules` (a substring search first: most paths do not
/// hold it at all, and this runs for every path of a snapshot).
pub fn in_node_modules(path: &str) -> bool {
    path.contains("node_modules") && path.split('/').any(|c| c == "node_modules")
}

pub fn extract_file(kind: FileKind, src: &[u8], opts: &ScanOptions) -> Facts {
    match kind {
        FileKind::Script(lang) => extract(lang, src, opts),
        FileKind::Host(host) => sfc::extract_host(host, src, opts),
        FileKind::Style(dialect) => css::extract_css_file(dialect, src),
    }
}

/// A position in a file: 1-based line and column (column counted in characters), and the
/// byte range of the whole node it points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub line: u32,
    pub column: u32,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportKind {
    /// `import x from 'a'`, `import {x} from 'a'`, `import * as x from 'a'`
    Static,
    /// `import 'a'`
    SideEffect,
    /// `export ... from 'a'`
    ExportFrom,
    /// `import x = require('a')`
    ImportEquals,
    /// `import('a')`
    Dynamic,
    /// `require('a')`
    Require,
    /// `/// <reference path="a" />`
    Reference,
    /// `jest.mock('a')`, `vi.mock('a')` (and `doMock`, `requireActual`, `importActual`, ...)
    Mock,
    /// A plain CSS `@import` (in `.css`; in Sass or Less when it names a `.css` file, is a
    /// `url()`, has media queries, or is Less `(css)`): the file as named (or `x.css`,
    /// `x/index.css`, as postcss-import finds them), no Sass partials.
    CssImport,
    /// Sass `@import 'a'` of a Sass file: partials (`_a.scss`) and index files are probed.
    SassImport,
    /// Sass `@use 'a'`.
    SassUse,
    /// Sass `@forward 'a'`.
    SassForward,
    /// Less `@import 'a'`: `.less` is added when the name has no extension.
    LessImport,
    /// `url(a)` in a stylesheet value: an asset, which must exist exactly.
    CssUrl,
}

impl ImportKind {
    /// Written in a stylesheet: resolved with the stylesheet rules (`resolve::css`).
    pub fn is_css(self) -> bool {
        matches!(
            self,
            ImportKind::CssImport
                | ImportKind::SassImport
                | ImportKind::SassUse
                | ImportKind::SassForward
                | ImportKind::LessImport
                | ImportKind::CssUrl
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Import {
    /// The specifier exactly as written (escapes decoded).
    pub specifier: String,
    pub kind: ImportKind,
    /// `import type ...`, `export type ... from`, or every named specifier is `type`-qualified:
    /// erased at runtime, so `@types/x` satisfies the dependency check.
    pub type_only: bool,
    /// A `require(...)`, `require.resolve(...)` or `import(...)` call inside a `try` block (not
    /// its `catch`/`finally`, not in a function declared there): the code handles a missing
    /// module at run time and webpack marks the dependency optional. Never set for a static
    /// `import`.
    pub guarded: bool,
    /// Points at the specifier string literal (including its quotes).
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnvSource {
    /// `process.env` (also `globalThis.process.env`)
    ProcessEnv,
    /// `import.meta.env`
    ImportMetaEnv,
    /// `Deno.env.get('X')`
    DenoEnv,
    /// `Bun.env`
    BunEnv,
    /// a configured accessor function, e.g. `env('X')`
    Accessor,
    /// `SvelteKit`'s `$env/static/private` imports and `$env/dynamic/private` `env.X`
    SvelteKitPrivate,
    /// `SvelteKit`'s `$env/static/public` imports and `$env/dynamic/public` `env.X`: only
    /// `PUBLIC_` names exist there
    SvelteKitPublic,
}

/// How certain it is that the code breaks when the variable is unset, from the read's own
/// syntax and its file: only [`ReadKind::Plain`] uses the value as if it were there. The env
/// rules report the others as warnings (`[env] fallback_reads`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReadKind {
    /// The value is used as it is (`fetch(process.env.API_URL)`), or a guard that throws or
    /// exits makes it required (`if (!process.env.X) throw ...`).
    Plain,
    /// A literal or other fallback: `process.env.X ?? 'd'`, `|| 'd'`, `Number(process.env.X) || 1`,
    /// a destructuring default `const { X = 'd' } = process.env`.
    Fallback,
    /// Guarded by `typeof process.env.X` or `'X' in process.env`.
    TypeGuard,
    /// Only tested: `=== 'x'`, `!== 'x'`, `!process.env.X`, `if (process.env.X)`, a ternary's
    /// condition, `&&`, `Boolean(...)`, `!!`: unset means off.
    Flag,
    /// Under a test of the same name: an `if`, a ternary or an `&&` whose condition reads it, or
    /// after an early `return` when it is unset.
    SameNameGuard,
    /// Stored in a local that is tested (or given a fallback) before any other use:
    /// `const v = process.env.X; if (!v) return ...`.
    TestedLocal,
    /// A zod / t3-env / valibot schema in the same file marks the name `.optional()`,
    /// `.default(...)` or `.nullish()`.
    SchemaOptional,
    /// Its value goes only to a dependency's code (an argument of a function or class imported
    /// from a package, directly, in an object literal, or through a parameter of a class or
    /// function of the file that only hands it on), and the file tests the same name as on/off
    /// elsewhere: the module is written to run without it, and only the dependency's code knows
    /// what it does with `undefined` (umami's `new UmamiRedisClient(process.env.REDIS_URL)`
    /// beside `const enabled = !!process.env.REDIS_URL`).
    Dependency,
    /// Its value goes only to a dependency's code (as for [`ReadKind::Dependency`]) in a branch
    /// that runs only when another env name is set: `process.env.SENTRY_AUTH_TOKEN ?
    /// sentryVitePlugin({ org: process.env.SENTRY_ORG }) : null`. Unset switch, nothing runs;
    /// set, only the dependency knows whether it needs the value.
    SwitchedDependency,
}

impl ReadKind {
    /// Why unset does not break the code, for messages (`None` for a plain read).
    pub fn why_optional(self) -> Option<&'static str> {
        match self {
            ReadKind::Plain => None,
            ReadKind::Fallback => Some("it has a fallback"),
            ReadKind::TypeGuard => Some("it is guarded by `typeof`/`in`"),
            ReadKind::Flag => Some("it is only tested (unset means off)"),
            ReadKind::SameNameGuard => Some("it is read under a test of the same name"),
            ReadKind::TestedLocal => Some("its value is tested before use"),
            ReadKind::SchemaOptional => Some("a schema marks it optional"),
            ReadKind::Dependency => Some(
                "the file tests it as on/off, and here its value goes only to a dependency, whose code alone knows what it does when unset",
            ),
            ReadKind::SwitchedDependency => Some(
                "its value goes only to a dependency, in a branch that runs only when another env name (the feature's switch) is set",
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvRead {
    /// The variable name, or `None` when the key is not a literal (`process.env[name]`).
    pub name: Option<String>,
    pub source: EnvSource,
    /// Whether the code breaks when it is unset (see [`ReadKind`]).
    pub kind: ReadKind,
    /// Points at the name (the identifier, the string literal, or the destructured property);
    /// for a dynamic read, at the key expression.
    pub span: Span,
}

/// `// hookctl-ignore rule-id [rule-id ...]` found in a comment. It silences those rules on
/// its own line and on the next line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suppression {
    pub line: u32,
    /// Rule ids; empty means every rule.
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub imports: Vec<Import>,
    pub env_reads: Vec<EnvRead>,
    pub suppressions: Vec<Suppression>,
    /// tree-sitter produced error nodes in the text parsed; extraction carried on past them.
    /// A file that can hold no env read is parsed only up to the statement boundary after its
    /// last trigger word when that prefix parses without error (`extract::prefix_cut`): an
    /// error after the cut is not seen. No rule reads this.
    pub had_errors: bool,
    /// The file's directive prologue holds `"use client"` (Next.js client component): only
    /// string-literal statements and comments come before it. Set only for files that were
    /// worth parsing (those with env reads or imports).
    pub use_client: bool,
}

impl Facts {
    /// True when `rule` is silenced at `line` by a suppression comment on that line or the one above.
    pub fn suppressed(&self, rule: &str, line: u32) -> bool {
        self.suppressions.iter().any(|s| {
            (s.line == line || s.line + 1 == line)
                && (s.rules.is_empty() || s.rules.iter().any(|r| r == rule))
        })
    }
}

/// Options that change what counts as a read.
#[derive(Debug, Clone, Default)]
pub struct ScanOptions {
    /// Function names whose first string argument is an env var name (`env('X')`).
    pub env_accessors: Vec<String>,
}
