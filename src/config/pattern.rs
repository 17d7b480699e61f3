//! Regular expressions and globs of the configuration, compiled once while it is read
//! (`#[serde(try_from = "String")]`, as prek's `config/pattern.rs`): a bad one fails the load
//! at its line, and the code that matches holds a compiled matcher, never a string to compile
//! again.

use std::fmt;
use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

/// A regular expression matched anywhere in the text (`[imports] not_files`,
/// `[commit] ticket`).
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct Regex {
    raw: String,
    re: regex::Regex,
}

impl Regex {
    /// The expression as written in `hookctl.toml`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text)
    }
}

impl TryFrom<String> for Regex {
    type Error = String;

    fn try_from(raw: String) -> Result<Regex, String> {
        match regex::Regex::new(&raw) {
            Ok(re) => Ok(Regex { raw, re }),
            Err(e) => Err(format!("invalid regular expression `{raw}`: {e}")),
        }
    }
}

/// A regular expression a whole value must match (`[env.vars.NAME] pattern`): compiled
/// anchored, `^(?:pattern)$`.
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct WholeMatch {
    raw: String,
    re: regex::Regex,
}

impl WholeMatch {
    /// The expression as written in `hookctl.toml`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    pub fn is_match(&self, value: &str) -> bool {
        self.re.is_match(value)
    }
}

impl TryFrom<String> for WholeMatch {
    type Error = String;

    fn try_from(raw: String) -> Result<WholeMatch, String> {
        // Validated as written, so the error quotes the user's expression.
        let Regex { raw, .. } = Regex::try_from(raw)?;
        let re = regex::Regex::new(&format!("^(?:{raw})$"))
            .map_err(|e| format!("invalid regular expression `{raw}`: {e}"))?;
        Ok(WholeMatch { raw, re })
    }
}

/// Globs over repository paths. In a [`GlobList`] (`[secrets] skip`) `*` stays inside one
/// folder and `**` crosses them; in a [`LooseGlobList`] (`[deps] dev_globs`, matched as it
/// always was) `*` crosses folders too.
#[derive(Clone, Deserialize)]
#[serde(try_from = "Vec<String>")]
pub struct Globs<const LITERAL_SEPARATOR: bool> {
    raw: Vec<String>,
    set: GlobSet,
}

/// `*` stays inside one folder.
pub type GlobList = Globs<true>;
/// `*` crosses folders.
pub type LooseGlobList = Globs<false>;

impl<const L: bool> Globs<L> {
    /// The globs as written in `hookctl.toml`.
    pub fn as_slice(&self) -> &[String] {
        &self.raw
    }

    pub fn is_match(&self, path: impl AsRef<Path>) -> bool {
        self.set.is_match(path)
    }
}

impl<const L: bool> TryFrom<Vec<String>> for Globs<L> {
    type Error = String;

    fn try_from(raw: Vec<String>) -> Result<Globs<L>, String> {
        let mut set = GlobSetBuilder::new();
        for g in &raw {
            set.add(
                GlobBuilder::new(g)
                    .literal_separator(L)
                    .build()
                    .map_err(|e| format!("invalid glob `{g}`: {}", e.kind()))?,
            );
        }
        let set = set.build().map_err(|e| e.to_string())?;
        Ok(Globs { raw, set })
    }
}

impl<const L: bool> PartialEq for Globs<L> {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}

impl<const L: bool> fmt::Debug for Globs<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.raw, f)
    }
}

/// A job's `glob`/`exclude`: one pattern or a list.
#[derive(Debug, Clone, Deserialize, PartialEq, schemars::JsonSchema)]
#[serde(untagged)]
pub enum Patterns {
    One(String),
    Many(Vec<String>),
}

impl Patterns {
    pub fn list(&self) -> &[String] {
        match self {
            Patterns::One(s) => std::slice::from_ref(s),
            Patterns::Many(v) => v,
        }
    }
}

/// A job's `glob`/`exclude`, compiled. A pattern without `/` matches the file name in any
/// folder (as lint-staged does); one with `/` matches the path relative to the job's root;
/// `**` crosses folders and `{a,b}` alternates.
#[derive(Clone, Deserialize)]
#[serde(try_from = "Patterns")]
pub struct Matcher {
    raw: Patterns,
    names: GlobSet,
    paths: GlobSet,
}

impl Matcher {
    /// The patterns as written in `hookctl.toml`.
    pub fn patterns(&self) -> &Patterns {
        &self.raw
    }

    pub fn is_match(&self, rel: &Path) -> bool {
        self.paths.is_match(rel) || rel.file_name().is_some_and(|n| self.names.is_match(Path::new(n)))
    }
}

impl TryFrom<Patterns> for Matcher {
    type Error = String;

    fn try_from(raw: Patterns) -> Result<Matcher, String> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for written in raw.list() {
            let p = written.strip_prefix("./").unwrap_or(written);
            let (anchored, p) = match p.strip_prefix('/') {
                Some(rest) => (true, rest),
                None => (false, p),
            };
            let glob = GlobBuilder::new(p)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| format!("invalid glob `{written}`: {}", e.kind()))?;
            if anchored || p.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| e.to_string());
        Ok(Matcher {
            names: build(names)?,
            paths: build(paths)?,
            raw,
        })
    }
}

/// A condition's branch globs (`ref = "release/*"`): `*` stays inside one `/`-separated part,
/// `**` crosses them; a leading `refs/heads/` is ignored.
#[derive(Clone)]
pub struct RefGlobs {
    raw: Vec<String>,
    set: GlobSet,
}

impl RefGlobs {
    /// The globs as written in `hookctl.toml`.
    pub fn as_slice(&self) -> &[String] {
        &self.raw
    }

    pub fn is_match(&self, branch: &str) -> bool {
        self.set.is_match(branch)
    }
}

impl TryFrom<Vec<String>> for RefGlobs {
    type Error = String;

    fn try_from(raw: Vec<String>) -> Result<RefGlobs, String> {
        let mut set = GlobSetBuilder::new();
        for g in &raw {
            set.add(
                GlobBuilder::new(g.strip_prefix("refs/heads/").unwrap_or(g))
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("invalid branch glob `{g}`: {}", e.kind()))?,
            );
        }
        let set = set.build().map_err(|e| e.to_string())?;
        Ok(RefGlobs { raw, set })
    }
}

/// A job's `root`: one folder inside the repository, or a glob of folders (`apps/*`) compiled
/// once, when the configuration is read. Written back and displayed as it was written.
#[derive(Clone, Deserialize)]
#[serde(try_from = "String")]
pub struct JobRoot {
    raw: String,
    /// The glob of folders, when `raw` is one.
    glob: Option<globset::GlobMatcher>,
}

/// Why a `root` cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum RootError {
    #[error("`root = \"{0}\"` must be a folder inside the repository")]
    Outside(String),
    #[error("invalid `root` glob `{raw}`: {kind}")]
    Glob { raw: String, kind: globset::ErrorKind },
}

impl JobRoot {
    /// The root as written in `hookctl.toml`.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The root without a leading `./` and a trailing `/`.
    pub fn trimmed(&self) -> &str {
        self.raw.trim_start_matches("./").trim_end_matches('/')
    }

    /// The folder, repository-relative (for a glob, the glob as a path).
    pub fn folder(&self) -> &Path {
        Path::new(self.trimmed())
    }

    /// The compiled glob of folders, when the root is one (`*`, `?`, `[`, `{`).
    pub fn glob(&self) -> Option<&globset::GlobMatcher> {
        self.glob.as_ref()
    }

    /// One folder, taken as it is (a folder a glob root matched: `app/[id]` is no glob).
    pub fn literal(folder: &Path) -> JobRoot {
        JobRoot {
            raw: folder.to_string_lossy().into_owned(),
            glob: None,
        }
    }

    /// A nested config's job root, inside its package's folder `dir` (`dir` itself for none):
    /// `dir` is taken as it is, the job's own root as the glob it may be.
    pub fn within(dir: &str, inner: Option<&JobRoot>) -> Result<JobRoot, RootError> {
        let own = inner.map_or("", |r| r.raw.trim_start_matches("./").trim_matches('/'));
        if own.is_empty() {
            return Ok(JobRoot::literal(Path::new(dir)));
        }
        let raw = format!("{dir}/{own}");
        if inner.is_none_or(|r| r.glob.is_none()) {
            return Ok(JobRoot { raw, glob: None });
        }
        let glob = compile(&format!("{}/{own}", globset::escape(dir))).map_err(|kind| RootError::Glob {
            raw: raw.clone(),
            kind,
        })?;
        Ok(JobRoot {
            raw,
            glob: Some(glob),
        })
    }
}

/// A root's glob of folders: `*` stays inside one folder.
fn compile(glob: &str) -> Result<globset::GlobMatcher, globset::ErrorKind> {
    GlobBuilder::new(glob)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|e| e.kind().clone())
}

impl TryFrom<String> for JobRoot {
    type Error = RootError;

    fn try_from(raw: String) -> Result<JobRoot, RootError> {
        let trimmed = raw.trim_start_matches("./").trim_end_matches('/');
        let path = Path::new(trimmed);
        let inside = path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_) | std::path::Component::CurDir));
        if path.is_absolute() || !inside {
            return Err(RootError::Outside(raw));
        }
        if !is_glob(trimmed) {
            return Ok(JobRoot { raw, glob: None });
        }
        match compile(trimmed) {
            Ok(glob) => Ok(JobRoot {
                raw,
                glob: Some(glob),
            }),
            Err(kind) => Err(RootError::Glob { raw, kind }),
        }
    }
}

/// `Option<JobRoot>::as_deref()` gives the root as written.
impl std::ops::Deref for JobRoot {
    type Target = str;

    fn deref(&self) -> &str {
        &self.raw
    }
}

/// Whether a `root` (or one part of it) is a glob (`apps/*`, `packages/**`) rather than one
/// folder.
pub fn is_glob(raw: &str) -> bool {
    raw.contains(['*', '?', '[', '{'])
}

/// Equal and shown as written (the compiled form is derived from it).
macro_rules! by_raw {
    ($($t:ty),*) => {$(
        impl PartialEq for $t {
            fn eq(&self, other: &Self) -> bool {
                self.raw == other.raw
            }
        }

        impl fmt::Debug for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&self.raw, f)
            }
        }
    )*};
}

/// As [`by_raw`], and also written back and displayed as the text it was read from (the
/// schema's defaults).
macro_rules! by_text {
    ($($t:ty),*) => {$(
        by_raw!($t);

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.raw)
            }
        }

        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.raw)
            }
        }
    )*};
}

by_text!(Regex, WholeMatch, JobRoot);
by_raw!(Matcher, RefGlobs);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_once_and_anchored_where_whole() {
        let any = Regex::try_from("a+".to_string()).unwrap();
        assert!(any.is_match("xaay") && any.as_str() == "a+");
        let whole = WholeMatch::try_from("a+|b".to_string()).unwrap();
        assert!(whole.is_match("aa") && whole.is_match("b") && !whole.is_match("xaa"));
        let e = Regex::try_from("(unclosed".to_string()).err().unwrap();
        assert!(e.starts_with("invalid regular expression `(unclosed`"), "{e}");
        assert!(WholeMatch::try_from("[z-a]".to_string()).is_err());
    }

    #[test]
    fn globs_compiled_once_as_each_key_matches() {
        let strict = GlobList::try_from(vec!["**/fixtures/**".to_string(), "*.ts".to_string()]).unwrap();
        assert!(strict.is_match("a/fixtures/b.ts") && strict.is_match("x.ts") && !strict.is_match("a/x.ts"));
        let loose = LooseGlobList::try_from(vec!["*.ts".to_string()]).unwrap();
        assert!(
            loose.is_match("a/x.ts"),
            "`*` crosses folders in dev_globs, as it always did"
        );
        let e = GlobList::try_from(vec!["a/[".to_string()]).err().unwrap();
        assert!(e.starts_with("invalid glob `a/[`"), "{e}");

        let job = Matcher::try_from(Patterns::Many(vec!["*.tsx".into(), "/src/*.ts".into()])).unwrap();
        assert!(job.is_match(Path::new("deep/a.tsx")) && job.is_match(Path::new("src/b.ts")));
        assert!(!job.is_match(Path::new("lib/src/b.ts")) && job.patterns().list().len() == 2);

        let refs = RefGlobs::try_from(vec!["refs/heads/release/*".to_string()]).unwrap();
        assert!(refs.is_match("release/1.2") && !refs.is_match("release/1/2"));
        assert!(
            RefGlobs::try_from(vec!["[".to_string()])
                .err()
                .unwrap()
                .starts_with("invalid branch glob")
        );
    }

    #[test]
    fn the_default_globs_compile() {
        let c = crate::config::Config::default();
        assert!(c.secrets.skip().is_match("src/__tests__/a.ts"));
        assert!(c.deps.dev_globs().is_match("src/a.test.ts"));
    }
}
