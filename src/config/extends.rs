//! `extends = ["./tooling/hookctl.base.toml", "@acme/hookctl-config"]`: shared configurations
//! merged under a `hookctl.toml`, in order, as one configuration.
//!
//! - An entry starting with `./`, `../` or `/` (or ending in `.toml`) is a file, relative to the
//!   file that names it (a folder stands for its `hookctl.toml`). Anything else is an npm
//!   package, found in `node_modules` from that file's folder up to the repository root, as
//!   Node finds packages: its `hookctl.toml`, or the `.toml` file a subpath names
//!   (`@acme/hookctl-config/strict.toml`). Nothing is ever downloaded: a package that is not
//!   installed is a configuration error saying to install it.
//! - Bases are merged first, in the order listed, each after its own bases; the extending
//!   file last. Tables are merged key by key, any other value (arrays too) is replaced by the
//!   later file's. A hook's `jobs` are merged by `name`: a job of the same name overrides the
//!   fields it sets, a new name is added, and `enabled = false` drops the inherited job.
//! - A file reached twice (two bases sharing one) is merged once, at its first place; a file
//!   that extends itself, directly or not, is an error naming the loop.
//! - The merged tables are deserialized as ONE configuration, so a key's problem is found
//!   whichever file set it, and reported at that file's line (each file keeps its own spans:
//!   the files are read into one buffer and each value's span points into its own file).
//!
//! Every cache keyed on settings hashes the merged [`super::Config`] (its effective content),
//! never a file name, so editing any file of a chain invalidates what depends on it.

use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeArray, DeTable, DeValue};

use super::{Config, Error, FILE_NAME};

/// Longer chains are a mistake (or a loop through symbolic links).
pub const MAX_DEPTH: usize = 16;

/// One file of a chain.
#[derive(Debug, Clone)]
pub struct Source {
    /// How users see it: its path from the repository root, or for a package
    /// `@acme/hookctl-config (node_modules/@acme/hookctl-config/hookctl.toml)`.
    pub shown: String,
    pub path: PathBuf,
    /// Its text in [`Chain::buffer`].
    range: Range<usize>,
    /// The workspace package folder whose `hookctl.toml` this file is (or is a base of), in a
    /// run of that package: its jobs' `root` is inside that folder.
    package: Option<String>,
}

/// The files of a configuration and its `extends` chain, bases first.
#[derive(Debug)]
pub struct Chain {
    buffer: String,
    pub sources: Vec<Source>,
}

/// The `extends` entries of a file's text, if it has the key: cheap enough to call on every
/// load (one TOML parse, which the real load repeats).
pub fn has_extends(text: &str) -> bool {
    DeTable::parse(text).is_ok_and(|t| t.get_ref().contains_key("extends"))
}

impl Chain {
    /// Read `file` (whose text is `text`) and every file it extends, recursively.
    pub fn load(file: &Path, text: String, root: &Path) -> Result<Chain, Error> {
        Chain::load_layers(vec![(file.to_path_buf(), text, None)], root)
    }

    /// Several files merged in order, each after its own bases: the root's `hookctl.toml`,
    /// then a workspace package's (`Some(folder)`), as if the package's file extended the
    /// root's.
    pub fn load_layers(layers: Vec<(PathBuf, String, Option<String>)>, root: &Path) -> Result<Chain, Error> {
        let mut found: Vec<Found> = Vec::new();
        for (file, text, package) in layers {
            let mut stack = Vec::new();
            let shown_as = shown(&file, root, None);
            collect(&file, shown_as, text, root, &package, &mut stack, &mut found)?;
        }
        let mut buffer = String::new();
        let mut sources = Vec::new();
        for f in found {
            let start = buffer.len();
            buffer.push_str(&f.text);
            sources.push(Source {
                shown: f.shown,
                path: f.path,
                range: start..buffer.len(),
                package: f.package,
            });
            // Keeps a span at the end of one file from reading as the start of the next.
            buffer.push('\n');
        }
        Ok(Chain { buffer, sources })
    }

    /// The merged tables, every span pointing into [`Chain::buffer`].
    fn merged(&self) -> Result<Spanned<DeTable<'_>>, Error> {
        let mut merged = DeTable::new();
        for source in &self.sources {
            let text = &self.buffer[source.range.clone()];
            let table = DeTable::parse(text).map_err(|e| Error::Parse {
                path: source.path.clone(),
                source: Box::new(e),
            })?;
            let mut table = table.into_inner();
            shift_table(&mut table, source.range.start);
            if let Some(folder) = &source.package {
                root_jobs_in(&mut table, folder);
                // What a package's chain sets for the whole repository stays the root's (its
                // own file may not set it: `nested::refuse_repository_wide`), here so that what
                // runs and what `config show` prints agree.
                for (key, _) in super::nested::REPOSITORY_WIDE {
                    table.remove(*key);
                }
            }
            merge_tables(&mut merged, table, 0);
        }
        Ok(Spanned::new(0..self.buffer.len(), merged))
    }

    /// The configuration the chain makes, validated as one.
    pub fn config(&self) -> Result<Config, Error> {
        let merged = self.merged()?;
        let mut config = super::File::deserialize(toml::de::Deserializer::from(merged))
            .map(|f| f.0)
            .map_err(|e| self.error(&e))?;
        config.sources = self.sources.iter().map(|s| s.shown.clone()).collect();
        Ok(config)
    }

    /// A deserialization error of the merged tables, at the file and line of the key.
    fn error(&self, e: &toml::de::Error) -> Error {
        let last = self.sources.last().expect("a chain has its own file");
        let Some(span) = e.span() else {
            return Error::Merged {
                path: last.path.clone(),
                source: Detail(e.message().to_string()),
            };
        };
        let source = self.source_at(span.start).unwrap_or(last);
        let text = &self.buffer[source.range.clone()];
        let local =
            span.start.saturating_sub(source.range.start)..span.end.saturating_sub(source.range.start);
        Error::Merged {
            path: source.path.clone(),
            source: Detail(render(text, local, e.message())),
        }
    }

    fn source_at(&self, offset: usize) -> Option<&Source> {
        self.sources
            .iter()
            .find(|s| s.range.start <= offset && offset <= s.range.end)
    }

    /// `file:line` of a byte offset of the buffer.
    fn origin(&self, offset: usize) -> String {
        match self.source_at(offset) {
            Some(s) => {
                let (line, _) = super::line_col(&self.buffer[s.range.clone()], offset - s.range.start);
                format!("{}:{line}", s.shown)
            }
            None => "?".into(),
        }
    }

    /// The merged configuration as TOML, each value followed by the file and line it came from.
    pub fn show(&self) -> Result<String, Error> {
        // Validated first: `config show` on a broken chain says what is broken, as a hook would.
        self.config()?;
        let merged = self.merged()?;
        let mut out = String::new();
        let mut blocks = Vec::new();
        show_table(self, merged.get_ref(), &mut Vec::new(), &mut out, &mut blocks);
        for b in blocks {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&b);
        }
        Ok(out)
    }
}

/// A cause shown under the error line (toml's own style: line, column, the line, a caret).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Detail(pub String);

/// toml's error layout for a span of one file's text.
fn render(text: &str, span: Range<usize>, message: &str) -> String {
    let (line, col) = super::line_col(text, span.start);
    let content = text.split('\n').nth(line - 1).unwrap_or("");
    let gutter = " ".repeat(line.to_string().len());
    let width = span
        .end
        .saturating_sub(span.start)
        .clamp(1, content.chars().count().saturating_sub(col - 1).max(1));
    format!(
        "TOML parse error at line {line}, column {col}\n{gutter} |\n{line} | {content}\n{gutter} | {}{}\n{message}",
        " ".repeat(col - 1),
        "^".repeat(width)
    )
}

fn shown(path: &Path, root: &Path, package: Option<&str>) -> String {
    // `tooling/../hookctl.toml` is `hookctl.toml`.
    let real = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let (path, root) = if real.starts_with(&real_root) {
        (real.as_path(), real_root.as_path())
    } else {
        (path, root)
    };
    let rel = path
        .strip_prefix(root)
        .map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    match package {
        Some(p) => format!("{p} ({rel})"),
        None => rel,
    }
}

/// A file of a chain, as [`collect`] finds it.
struct Found {
    path: PathBuf,
    shown: String,
    text: String,
    package: Option<String>,
}

/// Depth-first: a file's bases (and theirs) before the file itself.
#[expect(
    clippy::ref_option,
    reason = "the caller holds the package as an Option<String> field"
)]
fn collect(
    file: &Path,
    shown_as: String,
    text: String,
    root: &Path,
    package: &Option<String>,
    stack: &mut Vec<(PathBuf, String)>,
    found: &mut Vec<Found>,
) -> Result<(), Error> {
    let real = file.canonicalize().unwrap_or_else(|_| file.to_path_buf());
    if let Some(at) = stack.iter().position(|(p, _)| *p == real) {
        let names: Vec<&str> = stack[at..].iter().map(|(_, s)| s.as_str()).collect();
        return Err(Error::Extends {
            path: stack
                .last()
                .map_or_else(|| file.to_path_buf(), |(p, _)| p.clone()),
            line: 1,
            message: format!("`extends` loops: {} -> {shown_as}", names.join(" -> ")),
        });
    }
    if found.iter().any(|f| f.path == real && f.package == *package) {
        return Ok(());
    }
    if stack.len() >= MAX_DEPTH {
        return Err(Error::Extends {
            path: file.to_path_buf(),
            line: 1,
            message: format!("`extends` chain deeper than {MAX_DEPTH} files"),
        });
    }
    super::check_min_version(file, &text)?;
    let entries = entries(file, &text)?;
    stack.push((real.clone(), shown_as.clone()));
    let dir = file.parent().unwrap_or(root).to_path_buf();
    for (spec, line) in entries {
        if !is_path(&spec) && skip_package(&spec, &shown_as, line) {
            continue;
        }
        if reading_a_commit() && !lexically_inside(&dir.join(&spec), root) {
            return Err(Error::Extends {
                path: file.to_path_buf(),
                line,
                message: format!("`extends` entry \"{spec}\": names a file outside the commit"),
            });
        }
        let (path, pkg) = resolve(&spec, &dir, root).map_err(|message| Error::Extends {
            path: file.to_path_buf(),
            line,
            message: format!("`extends` entry \"{spec}\": {message}"),
        })?;
        let base_text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        let name = shown(&path, root, pkg.as_deref());
        collect(&path, name, base_text, root, package, stack, found)?;
    }
    stack.pop();
    found.push(Found {
        path: real,
        shown: shown_as,
        text,
        package: package.clone(),
    });
    Ok(())
}

/// A package's jobs run in its folder: `root` made `<folder>/<root>` (the folder without one).
fn root_jobs_in(table: &mut DeTable<'_>, folder: &str) {
    for (_, hook) in table.iter_mut() {
        let DeValue::Table(hook) = hook.get_mut() else {
            continue;
        };
        let Some(jobs) = hook.get_mut("jobs") else {
            continue;
        };
        let DeValue::Array(jobs) = jobs.get_mut() else {
            continue;
        };
        for job in jobs.iter_mut() {
            let span = job.span();
            let DeValue::Table(job) = job.get_mut() else {
                continue;
            };
            let (inner, at) = match job.get("root") {
                Some(r) => (
                    r.get_ref()
                        .as_str()
                        .map(|s| s.trim_start_matches("./").trim_matches('/').to_string()),
                    r.span(),
                ),
                None => (Some(String::new()), span.start..span.start),
            };
            // Not a string: left for the deserializer to report where it is.
            let Some(inner) = inner else {
                continue;
            };
            let rooted = if inner.is_empty() {
                folder.to_string()
            } else {
                format!("{folder}/{inner}")
            };
            job.remove("root");
            job.insert(
                Spanned::new(at.clone(), std::borrow::Cow::Borrowed("root")),
                Spanned::new(at, DeValue::String(std::borrow::Cow::Owned(rooted))),
            );
        }
    }
}

/// The `extends` entries of one file, each with its line.
fn entries(file: &Path, text: &str) -> Result<Vec<(String, usize)>, Error> {
    let table = DeTable::parse(text).map_err(|e| Error::Parse {
        path: file.to_path_buf(),
        source: Box::new(e),
    })?;
    let Some(value) = table.get_ref().get("extends") else {
        return Ok(Vec::new());
    };
    let line_of = |span: Range<usize>| super::line_col(text, span.start).0;
    let bad = || {
        Error::Extends {
        path: file.to_path_buf(),
        line: line_of(value.span()),
        message: "`extends` is a list of files and npm packages, e.g. `extends = [\"./tooling/hookctl.base.toml\", \"@acme/hookctl-config\"]`".into(),
    }
    };
    match value.get_ref() {
        DeValue::String(s) => Ok(vec![(s.to_string(), line_of(value.span()))]),
        DeValue::Array(items) => items
            .iter()
            .map(|i| match i.get_ref() {
                DeValue::String(s) => Ok((s.to_string(), line_of(i.span()))),
                _ => Err(bad()),
            })
            .collect(),
        _ => Err(bad()),
    }
}

thread_local! {
    /// While [`without_packages`] runs on this thread: the package entries it skipped.
    static UNREAD_PACKAGES: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// Run `load` with npm package entries of `extends` skipped instead of read (a server, where
/// no package is installed: [`super::Config::from_commit`]); returns what `load` gave and the
/// skipped entries, each as `"<package>" (<file>:<line>)`.
pub fn without_packages<T>(load: impl FnOnce() -> T) -> (T, Vec<String>) {
    UNREAD_PACKAGES.with(|u| *u.borrow_mut() = Some(Vec::new()));
    let out = load();
    let skipped = UNREAD_PACKAGES
        .with(|u| u.borrow_mut().take())
        .unwrap_or_default();
    (out, skipped)
}

/// Inside [`without_packages`]: the files read are a commit's, and nothing beside them may be.
fn reading_a_commit() -> bool {
    UNREAD_PACKAGES.with(|u| u.borrow().is_some())
}

/// `path` stays under `root` once `.` and `..` are applied (without asking the disk).
fn lexically_inside(path: &Path, root: &Path) -> bool {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                if !out.pop() {
                    return false;
                }
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out.starts_with(root)
}

/// Inside [`without_packages`]: remember the package entry and skip it.
fn skip_package(spec: &str, file: &str, line: usize) -> bool {
    UNREAD_PACKAGES.with(|u| {
        let mut u = u.borrow_mut();
        let Some(list) = u.as_mut() else {
            return false;
        };
        let entry = format!("\"{spec}\" ({file}:{line})");
        if !list.contains(&entry) {
            list.push(entry);
        }
        true
    })
}

/// Whether an `extends` entry names a file rather than an npm package.
fn is_path(spec: &str) -> bool {
    spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
        || spec == "."
        || spec == ".."
        || (spec.ends_with(".toml") && !spec.starts_with('@') && !spec.contains('/'))
}

/// The file an entry names, and the package name when it is a package.
fn resolve(spec: &str, dir: &Path, root: &Path) -> Result<(PathBuf, Option<String>), String> {
    if spec.trim().is_empty() {
        return Err("empty".into());
    }
    if spec.contains('\0') || spec.contains('\\') {
        return Err("not a path or a package name".into());
    }
    if is_path(spec) {
        let mut path = dir.join(spec);
        if path.is_dir() {
            path = path.join(FILE_NAME);
        }
        if !path.is_file() {
            return Err(format!("no such file {}", shown(&path, root, None)));
        }
        return Ok((path, None));
    }
    // `@scope/name`, `name`, then an optional subpath naming a `.toml` file.
    let parts: Vec<&str> = spec.split('/').collect();
    let name_len = if spec.starts_with('@') { 2 } else { 1 };
    if parts.len() < name_len
        || parts.iter().any(|p| p.is_empty() || *p == "." || *p == "..")
        || (name_len == 2 && parts[0].len() < 2)
    {
        return Err("not a path (start it with `./`) or an npm package name".into());
    }
    let name = parts[..name_len].join("/");
    let sub = parts[name_len..].join("/");
    if !sub.is_empty() && !sub.ends_with(".toml") {
        return Err(format!(
            "a package's subpath must name a `.toml` file (`{name}/strict.toml`), not `{sub}`"
        ));
    }
    let mut at = dir.to_path_buf();
    let mut looked = Vec::new();
    loop {
        let pkg = at.join("node_modules").join(&name);
        if pkg.is_dir() {
            let file = pkg.join(if sub.is_empty() { FILE_NAME } else { &sub });
            if file.is_file() {
                return Ok((file, Some(name)));
            }
            return Err(format!(
                "the package is installed ({}) but has no {}",
                shown(&pkg, root, None),
                if sub.is_empty() { FILE_NAME } else { &sub }
            ));
        }
        looked.push(shown(&pkg, root, None));
        if at == root || !at.starts_with(root) || !at.pop() {
            break;
        }
    }
    Err(format!(
        "package `{name}` is not installed (looked in {}): install the dependencies (`npm install`, `pnpm install`, ...); hookctl never downloads a shared configuration",
        looked.join(", ")
    ))
}

/// Moves every span of a file's table by `by` (its place in the chain's buffer).
fn shift_table(table: &mut DeTable<'_>, by: usize) {
    let old = std::mem::take(table);
    for (k, mut v) in old {
        shift_value(&mut v, by);
        let span = k.span();
        table.insert(Spanned::new(span.start + by..span.end + by, k.into_inner()), v);
    }
}

fn shift_value(v: &mut Spanned<DeValue<'_>>, by: usize) {
    let span = v.span();
    let mut inner = std::mem::replace(v.get_mut(), DeValue::Boolean(false));
    match &mut inner {
        DeValue::Table(t) => shift_table(t, by),
        DeValue::Array(a) => a.iter_mut().for_each(|i| shift_value(i, by)),
        _ => {}
    }
    *v = Spanned::new(span.start + by..span.end + by, inner);
}

/// `from` over `into`: tables merged, `jobs` of a hook by name, anything else replaced.
/// `depth` 0 is the top level, 1 a table there (a hook's is where `jobs` lives).
fn merge_tables<'i>(into: &mut DeTable<'i>, from: DeTable<'i>, depth: usize) {
    for (k, v) in from {
        let key: &str = k.get_ref();
        if depth == 0 && key == "extends" {
            continue;
        }
        let jobs = depth == 1 && key == "jobs";
        if let Some(existing) = into.get_mut(key) {
            match (existing.get_mut(), v.get_ref()) {
                (DeValue::Table(e), DeValue::Table(_)) => {
                    let DeValue::Table(t) = v.into_inner() else {
                        unreachable!()
                    };
                    merge_tables(e, t, depth + 1);
                    continue;
                }
                (DeValue::Array(e), DeValue::Array(_)) if jobs => {
                    let DeValue::Array(a) = v.into_inner() else {
                        unreachable!()
                    };
                    merge_jobs(e, a);
                    continue;
                }
                _ => {}
            }
            into.remove(key);
        }
        let v = if jobs { without_unmatched_disabled(v) } else { v };
        into.insert(k, v);
    }
}

fn job_name<'a>(job: &'a Spanned<DeValue<'_>>) -> Option<&'a str> {
    job.get_ref().as_table()?.get("name")?.get_ref().as_str()
}

fn disabled(job: &Spanned<DeValue<'_>>) -> bool {
    job.get_ref()
        .as_table()
        .and_then(|t| t.get("enabled"))
        .and_then(|e| e.get_ref().as_bool())
        == Some(false)
}

/// Jobs by name: a known name merges into the inherited job (or drops it with
/// `enabled = false`), a new one is added.
fn merge_jobs<'i>(into: &mut DeArray<'i>, from: DeArray<'i>) {
    for job in from {
        let at = job_name(&job).and_then(|n| into.iter().position(|j| job_name(j) == Some(n)));
        match at {
            Some(i) if disabled(&job) => {
                let old = std::mem::replace(into, DeArray::new());
                for (n, j) in old.into_iter().enumerate() {
                    if n != i {
                        into.push(j);
                    }
                }
            }
            Some(i) => {
                let items: &mut [Spanned<DeValue<'i>>] = into;
                if let (DeValue::Table(e), DeValue::Table(_)) = (items[i].get_mut(), job.get_ref()) {
                    let DeValue::Table(t) = job.into_inner() else {
                        unreachable!()
                    };
                    merge_tables(e, t, 2);
                } else {
                    items[i] = job;
                }
            }
            // Nothing to drop (a base removed it since): not an error.
            None if disabled(&job) => {}
            None => into.push(job),
        }
    }
}

/// A `jobs` list taken as it is: its `enabled = false` entries that drop nothing inherited
/// are left out (they need no `run` of their own).
fn without_unmatched_disabled(v: Spanned<DeValue<'_>>) -> Spanned<DeValue<'_>> {
    let span = v.span();
    match v.into_inner() {
        DeValue::Array(a) => {
            let mut kept = DeArray::new();
            for j in a {
                if !(disabled(&j) && job_name(&j).is_some()) {
                    kept.push(j);
                }
            }
            Spanned::new(span, DeValue::Array(kept))
        }
        other => Spanned::new(span, other),
    }
}

/// `key = value  # file:line` for the plain values of a table, then its sub-tables and
/// arrays of tables as TOML headers (collected in `blocks`, printed after the top level).
fn show_table(
    chain: &Chain,
    table: &DeTable<'_>,
    path: &mut Vec<String>,
    out: &mut String,
    blocks: &mut Vec<String>,
) {
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut subtables: Vec<(&str, &DeTable<'_>)> = Vec::new();
    let mut arrays: Vec<(&str, &DeArray<'_>)> = Vec::new();
    for (k, v) in table {
        let key: &str = k.get_ref();
        let text = chain.buffer[v.span()].trim();
        match v.get_ref() {
            DeValue::Table(t) if !text.starts_with('{') => subtables.push((key, t)),
            // `[[hook.jobs]]` (an array of tables, not an inline `[{ ... }]`).
            DeValue::Array(a)
                if !a.is_empty() && a.iter().all(|i| i.get_ref().is_table()) && text.starts_with("[[") =>
            {
                arrays.push((key, a));
            }
            _ => rows.push((
                format!(
                    "{} = {}",
                    toml_key(key),
                    match v.get_ref() {
                        // Written by hookctl (a package job's `root`), not read from a file.
                        DeValue::String(s) if text.is_empty() =>
                            toml::Value::String(s.to_string()).to_string(),
                        _ => one_line(text),
                    }
                ),
                chain.origin(v.span().start),
            )),
        }
    }
    // A job's name first, as people write it.
    rows.sort_by_key(|(line, _)| !line.starts_with("name = "));
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0)
        .min(60);
    for (line, origin) in rows {
        let pad = width.saturating_sub(line.chars().count());
        let _ = writeln!(out, "{line}{}  # {origin}", " ".repeat(pad));
    }
    for (key, t) in subtables {
        path.push(toml_key(key));
        let header = format!("[{}]\n", path.join("."));
        let mut block = header.clone();
        let mut inner = Vec::new();
        show_table(chain, t, path, &mut block, &mut inner);
        // A table holding only tables (`[pre-commit]` of `[[pre-commit.jobs]]`) needs no header.
        if block != header || inner.is_empty() {
            blocks.push(block);
        }
        blocks.extend(inner);
        path.pop();
    }
    for (key, items) in arrays {
        path.push(toml_key(key));
        for item in items {
            if let DeValue::Table(t) = item.get_ref() {
                let mut block = format!("[[{}]]\n", path.join("."));
                let mut inner = Vec::new();
                show_table(chain, t, path, &mut block, &mut inner);
                blocks.push(block);
                blocks.extend(inner);
            }
        }
        path.pop();
    }
}

/// A value as written, on one line (a multi-line array's lines joined).
fn one_line(text: &str) -> String {
    if !text.contains('\n') || text.starts_with("\"\"\"") || text.starts_with("'''") {
        return text.to_string();
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect::<Vec<_>>()
        .join(" ")
        .replace("[ ", "[")
        .replace(", ]", "]")
        .replace(" ]", "]")
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        k.to_string()
    } else {
        toml::Value::String(k.to_string()).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) -> PathBuf {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    fn chain(dir: &Path) -> Result<Chain, Error> {
        let main = dir.join(FILE_NAME);
        Chain::load(&main, std::fs::read_to_string(&main).unwrap(), dir)
    }

    #[test]
    fn jobs_merge_by_name_and_tables_key_by_key() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "base.toml",
            "[rules]\n\"env/unused\" = \"warning\"\n\"env/dynamic\" = \"warning\"\n[env]\nallow = [\"A\"]\n\
             [[pre-commit.jobs]]\nname = \"lint\"\nrun = \"eslint {files}\"\nglob = \"*.ts\"\n\
             [[pre-commit.jobs]]\nname = \"fmt\"\nrun = \"prettier --write {files}\"\n",
        );
        write(
            d.path(),
            FILE_NAME,
            "extends = [\"./base.toml\"]\n[rules]\n\"env/unused\" = \"error\"\n[env]\nallow = [\"B\"]\n\
             [[pre-commit.jobs]]\nname = \"lint\"\nglob = \"*.tsx\"\n\
             [[pre-commit.jobs]]\nname = \"fmt\"\nenabled = false\n\
             [[pre-commit.jobs]]\nname = \"gone\"\nenabled = false\n\
             [[pre-commit.jobs]]\nname = \"test\"\nrun = \"vitest related {files}\"\n",
        );
        let c = chain(d.path()).unwrap().config().unwrap();
        assert_eq!(c.rules["env/unused"], super::super::Level::Error);
        assert_eq!(c.rules["env/dynamic"], super::super::Level::Warning);
        assert_eq!(c.env.allow, ["B"], "arrays are replaced");
        let jobs: Vec<(&str, &str)> = c.hooks["pre-commit"]
            .jobs
            .iter()
            .map(|j| (j.name.as_str(), j.run.as_str()))
            .collect();
        assert_eq!(
            jobs,
            [("lint", "eslint {files}"), ("test", "vitest related {files}")]
        );
        assert_eq!(
            c.hooks["pre-commit"].jobs[0]
                .glob
                .as_ref()
                .map(super::super::pattern::Matcher::patterns),
            Some(&super::super::Patterns::One("*.tsx".into()))
        );
        assert_eq!(c.sources, ["base.toml", "hookctl.toml"]);
    }

    #[test]
    fn enabled_false_drops_a_job_of_a_single_file_too() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            FILE_NAME,
            "[[pre-commit.jobs]]\nname = \"a\"\nrun = \"x\"\nenabled = false\n[[pre-commit.jobs]]\nname = \"b\"\nrun = \"y\"\n",
        );
        let c = Config::load(d.path(), None).unwrap();
        let names: Vec<&str> = c.hooks["pre-commit"]
            .jobs
            .iter()
            .map(|j| j.name.as_str())
            .collect();
        assert_eq!(names, ["b"]);
    }

    #[test]
    fn errors_name_the_file_and_line_of_the_key() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "base.toml",
            "[pre-commit]\n\n[[pre-commit.jobs]]\nname = \"lint\"\nglobb = \"*\"\nrun = \"x\"\n",
        );
        write(d.path(), FILE_NAME, "extends = [\"./base.toml\"]\n");
        let e = chain(d.path()).unwrap().config().unwrap_err().chain();
        assert!(e.contains("base.toml"), "{e}");
        assert!(e.contains("line 5, column 1"), "{e}");
        assert!(e.contains("5 | globb = \"*\""), "{e}");
    }

    #[test]
    fn loops_and_missing_packages_are_errors() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "a.toml", "extends = [\"./hookctl.toml\"]\n");
        write(d.path(), FILE_NAME, "extends = [\"./a.toml\"]\n");
        let e = chain(d.path()).unwrap_err().chain();
        assert!(e.contains("loops: hookctl.toml -> a.toml -> hookctl.toml"), "{e}");
        write(d.path(), FILE_NAME, "\nextends = [\"@acme/cfg\"]\n");
        let e = chain(d.path()).unwrap_err().chain();
        assert!(e.contains("line 2") && e.contains("not installed"), "{e}");
        write(
            d.path(),
            "node_modules/@acme/cfg/hookctl.toml",
            "[rules]\n\"env/unused\" = \"error\"\n",
        );
        let c = chain(d.path()).unwrap().config().unwrap();
        assert_eq!(
            c.sources,
            ["@acme/cfg (node_modules/@acme/cfg/hookctl.toml)", "hookctl.toml"]
        );
        for bad in ["@acme", "../", "@acme/cfg/x.json", "a/../../b"] {
            write(d.path(), FILE_NAME, &format!("extends = [\"{bad}\"]\n"));
            assert!(chain(d.path()).is_err(), "{bad}");
        }
        write(d.path(), FILE_NAME, "extends = 3\n");
        let e = chain(d.path()).unwrap_err().chain();
        assert!(e.contains("is a list"), "{e}");
    }
}
