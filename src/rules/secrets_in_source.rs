//! `secrets/in-source`: a value of a known secret format (the table of
//! `data/secret-formats.toml`: Stripe live keys, AWS access keys, GitHub/GitLab/Slack tokens,
//! private keys, service-role JWTs, ...) in any text file of the snapshot, not only env files
//! (those are `secrets/env-file`'s). With `[secrets] entropy = true`, random-looking tokens too.
//!
//! Skipped: env files and the files env-file symlinks point to, `node_modules`, lockfiles, files under the `[secrets] skip` globs (test
//! fixtures), symlinks, binary files (a NUL in the first 8 KiB), files over `[scan]
//! max_file_size`, and placeholders (`sk_live_xxx`, `<your-key>`, the documented example AWS key,
//! a run of one repeated character). Values are never printed: the finding names the format,
//! the path, the line and the column, and its name (for "new findings only") is the format.
//!
//! What is found is `crate::secret::find`'s: every occurrence of every format, read by the
//! format's own alphabet whatever surrounds it, on lines of any length; UTF-16 files are
//! decoded first (a UTF-16 file is text, not binary).
//!
//! Speed: a file is read only when it is in scope (a scoped pre-commit: the changed files), and
//! only once: a source file the engine reads to parse it is scanned from the same bytes
//! ([`AlreadyRead`]). The scan looks at each byte once (one Aho-Corasick pass for the formats'
//! prefixes). Clean
//! (path, blob) pairs are remembered in `<git common dir>/hookctl/secrets-clean.bin`, so an
//! unchanged file is not read again.

use crate::config::pattern::GlobList;
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Finding;
use crate::env;
use crate::resolve::clean::CleanSet;
use crate::secret;
use crate::snapshot::{EntryKind, Kind, Snapshot};

/// Bytes looked at for a NUL to call a file binary (as git does).
const BINARY_PROBE: usize = 8 * 1024;

/// The clean set's file, and its format (bump when what is found changes).
const CLEAN_FILE: &str = "secrets-clean.bin";
/// The folders known clean ([`Folders`]).
const FOLDERS_FILE: &str = "secrets-folders.bin";
const VERSION: &str = "secrets/in-source 3";

/// Lockfiles: generated, full of hashes and registry URLs, never hand-edited.
const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "yarn.lock",
    "bun.lock",
    "bun.lockb",
    "deno.lock",
];

/// A secret found in one file (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub line: u32,
    pub column: u32,
    pub kind: &'static str,
}

/// The kind reported for a high-entropy string (`[secrets] entropy = true`).
pub const HIGH_ENTROPY: &str = "high-entropy string";

/// Which snapshot paths the rule reads.
struct Filter<'a> {
    skip: &'a GlobList,
}

impl Filter<'_> {
    fn new(config: &Config) -> Filter<'_> {
        Filter {
            skip: config.secrets.skip(),
        }
    }

    fn wanted(&self, path: &str) -> bool {
        let name = path.rsplit('/').next().unwrap_or(path);
        !LOCKFILES.contains(&name)
            && env::env_file_kind(path).is_none()
            && !path.split('/').any(|c| c == "node_modules")
            && !self.skip.is_match(path)
    }
}

/// The secrets of the files the engine read anyway (to parse them), scanned from the same
/// bytes so that no file is read twice.
pub struct AlreadyRead {
    entropy: bool,
    max_size: u64,
    /// The files read: those with hits by path; those without by a 128-bit hash of the path
    /// (a cold check of 100,000 files kept 100,000 path strings here, ~10 MB to its peak).
    read: std::sync::Mutex<Read>,
}

#[derive(Default)]
struct Read {
    hits: std::collections::HashMap<String, Vec<Hit>>,
    clean: std::collections::HashSet<u128>,
}

impl Read {
    /// The hits of `path` when it was read (empty: read, no hit); `None` when it was not.
    fn get(&self, path: &str) -> Option<&[Hit]> {
        match self.hits.get(path) {
            Some(hits) => Some(hits),
            None => self.clean.contains(&path_key(path)).then_some(&[]),
        }
    }
}

fn path_key(path: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(path.as_bytes())
}

impl AlreadyRead {
    pub fn new(config: &Config) -> AlreadyRead {
        AlreadyRead {
            entropy: config.secrets.entropy(),
            max_size: config.scan.max_file_size(),
            read: Default::default(),
        }
    }

    /// Scan the bytes of `path` the engine has just read.
    pub fn record(&self, path: &str, bytes: &[u8]) {
        if bytes.len() as u64 > self.max_size {
            return;
        }
        let hits = scan(bytes, self.entropy);
        let mut read = self
            .read
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if hits.is_empty() {
            read.clean.insert(path_key(path));
        } else {
            read.hits.insert(path.to_string(), hits);
        }
    }

    fn into_read(self) -> Read {
        self.read
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The set of files known to hold no secret ([`CleanSet`]) for this configuration, from
/// `cache_dir`; loaded before the scan so that the remote cache's copy can be fetched while it
/// runs ([`CleanSet::prefetch`]).
pub fn clean_set(config: &Config, snap: &Snapshot, cache_dir: &std::path::Path) -> CleanSet {
    if snap.kind == Kind::Worktree {
        return CleanSet::disabled();
    }
    let ctx = xxhash_rust::xxh3::xxh3_64(
        format!(
            "{} {VERSION} entropy={} max_size={}",
            env!("CARGO_PKG_VERSION"),
            config.secrets.entropy(),
            config.scan.max_file_size()
        )
        .as_bytes(),
    );
    CleanSet::load_as(cache_dir, CLEAN_FILE, ctx)
}

/// The folders of an index known to hold no finding, kept by cache-tree id
/// ([`crate::snapshot::folders`]): `<cache>/secrets-folders.<context>.bin`, entries (folder
/// path, tree id). A folder is kept once every file below it was found clean (the clean set's
/// verdict), binary or too large (verdicts of the blob and `max_size`), or left out by the path
/// filter (a function of the path and `[secrets] skip`). The context holds every other input
/// of those verdicts; a file left to `secrets/env-file` through a committed symlink (a fact
/// outside the folder) keeps its folders out.
pub struct Folders {
    set: CleanSet,
    /// The index's rows no kept folder vouches for; `None`: not an index with a cache tree.
    walk: Option<crate::snapshot::folders::Walk>,
}

impl Folders {
    /// The kept folders of `snap` (an index's full check), and which rows they leave to judge.
    pub fn load(config: &Config, snap: &Snapshot, cache_dir: &std::path::Path) -> Folders {
        /// Bumped when the folder verdict's meaning changes.
        const LOGIC: u32 = 1;
        if snap.kind != Kind::Index {
            return Folders {
                set: CleanSet::disabled(),
                walk: None,
            };
        }
        let ctx = xxhash_rust::xxh3::xxh3_64(
            format!(
                "{} {VERSION} folders {LOGIC} entropy={} max_size={} skip={:?} lockfiles={LOCKFILES:?}",
                env!("CARGO_PKG_VERSION"),
                config.secrets.entropy(),
                config.scan.max_file_size(),
                config.secrets.skip().as_slice(),
            )
            .as_bytes(),
        );
        let set = CleanSet::load_as(cache_dir, FOLDERS_FILE, ctx);
        let walk = snap.folder_walk(&mut |prefix, id| set.contains(prefix, id));
        Folders { set, walk }
    }

    /// Every row is vouched for: no file is to be judged (the per-file set need not be read).
    pub fn all_vouched(&self) -> bool {
        self.walk.as_ref().is_some_and(|w| w.rows.is_empty())
    }
}

/// The findings of the files of `snap` in `paths` (`None`: every file, but those `folders`
/// vouches for); files in `read` are not read again.
pub fn check(
    config: &Config,
    snap: &Snapshot,
    paths: Option<&[&str]>,
    clean: CleanSet,
    folders: Option<Folders>,
    remote: Option<&crate::cache::remote::Remote>,
    read: AlreadyRead,
) -> Vec<Finding> {
    let read = read.into_read();
    let filter = Filter::new(config);
    let entropy = config.secrets.entropy();
    let max_size = config.scan.max_file_size();
    let candidates = paths.map_or_else(|| snap.len(), <[&str]>::len);
    let clean = clean.with_remote(remote, candidates);
    let (folders, walk) = match folders {
        Some(Folders {
            set,
            walk: Some(walk),
        }) if paths.is_none() => (set, Some(walk)),
        _ => (CleanSet::disabled(), None),
    };
    // A (path, blob) in the clean set has no finding whatever the filter says (the filter only
    // removes files), so it is asked first: a warm full check asks the path filters (globs,
    // env file names) only about the files that changed.
    let unknown =
        |p: &str, e: &crate::snapshot::Entry| e.kind == EntryKind::File && !clean.contains(p, &e.oid);
    let mut wanted: Vec<(&str, git2::Oid)> = match (paths, &walk) {
        (Some(list), _) => list
            .iter()
            .filter_map(|&p| snap.get(p).map(|e| (p, e)))
            .filter(|(p, e)| unknown(p, e) && filter.wanted(p))
            .map(|(p, e)| (p, e.oid))
            .collect(),
        (None, Some(walk)) => walk
            .rows
            .iter()
            .flat_map(|rows| snap.rows(rows.clone()))
            .filter(|(p, e)| unknown(p, e) && filter.wanted(p))
            .map(|(p, e)| (p, e.oid))
            .collect(),
        (None, None) => snap
            .iter()
            .filter(|(p, e)| unknown(p, e) && filter.wanted(p))
            .map(|(p, e)| (p, e.oid))
            .collect(),
    };
    // A file an env-file symlink points to is reported through the link by `secrets/env-file`.
    let linked = if wanted.is_empty() {
        std::collections::HashSet::new()
    } else {
        env_link_targets(snap)
    };
    wanted.sort_unstable();
    // Each file's findings, and whether it is known clean now.
    let per_file: Vec<(Vec<Finding>, bool)> = wanted
        .par_iter()
        .map(|&(path, id)| {
            if linked.contains(path) {
                return (Vec::new(), false);
            }
            let hits = if let Some(hits) = read.get(path) {
                hits.to_vec()
            } else {
                let Ok(bytes) = snap.read_pooled(path) else {
                    return (Vec::new(), false);
                };
                // Binary once UTF-16 is decoded (a UTF-16 file is text).
                if bytes.len() as u64 > max_size || is_binary(&crate::text::utf8_view(&bytes)) {
                    // Not scanned, whatever it holds: a verdict of the blob (and of
                    // `max_size`, in the set's context), so a warm run never reads it again.
                    clean.insert(path, &id);
                    return (Vec::new(), true);
                }
                scan(&bytes, entropy)
            };
            if hits.is_empty() {
                clean.insert(path, &id);
            }
            let found: Vec<Finding> = hits.into_iter().map(|h| finding(path, &h)).collect();
            let is_clean = found.is_empty();
            (found, is_clean)
        })
        .collect();
    let _ = clean.save_bounded(snap.len(), crate::resolve::clean::each_file(snap));
    if let Some(walk) = walk
        && keep_clean_folders(snap, &folders, &walk, &wanted, &per_file)
        && let Some(file) = clean.file()
    {
        // The next full check of this index asks the kept root folder and never reads the
        // per-file set: a fresh clone need not download it in the context bundle.
        crate::cache::bundle::unneeded(file);
    }
    per_file.into_iter().flat_map(|(found, _)| found).collect()
}

/// Keep the folders `walk` went through that hold no file of `wanted` (sorted) left unclean by
/// `per_file` (its findings, and whether it is known clean now); `true` when the root folder
/// is one of them (every row is vouched for next time).
fn keep_clean_folders(
    snap: &Snapshot,
    folders: &CleanSet,
    walk: &crate::snapshot::folders::Walk,
    wanted: &[(&str, git2::Oid)],
    per_file: &[(Vec<Finding>, bool)],
) -> bool {
    if walk.folders.is_empty() {
        return false;
    }
    let dirty: Vec<&str> = wanted
        .iter()
        .zip(per_file)
        .filter(|(_, (_, is_clean))| !is_clean)
        .map(|((p, _), _)| *p)
        .collect();
    let mut root = false;
    for f in &walk.folders {
        if crate::snapshot::folders::none_below(&dirty, &f.prefix) {
            folders.insert(&f.prefix, &f.id);
            root |= f.prefix.is_empty();
        }
    }
    let _ = folders.save_bounded(snap.len(), crate::resolve::clean::each_folder(snap, None));
    root
}

/// The snapshot files that committed env-file symlinks (`.env.production -> config/prod`)
/// point to.
fn env_link_targets(snap: &Snapshot) -> std::collections::HashSet<String> {
    if !snap.has_symlinks() {
        return std::collections::HashSet::new();
    }
    // Symlinks are special paths: no walk over every path (the name first: a lookup each for
    // the few env files only).
    snap.special_paths()
        .iter()
        .filter(|p| {
            // The name first: a lookup in the path table for every special path costs more.
            env::env_file_kind(p).is_some() && snap.get(p).is_some_and(|e| e.kind == EntryKind::Symlink)
        })
        .filter_map(|p| {
            let target = snap.read(p).ok()?;
            super::secrets_env_file::symlink_target(snap, p, &target)
        })
        .collect()
}

fn finding(path: &str, hit: &Hit) -> Finding {
    let what = if hit.kind == HIGH_ENTROPY {
        "a high-entropy string (`[secrets] entropy = true`)".to_string()
    } else {
        format!("a value of a known secret format ({})", hit.kind)
    };
    Finding::new(&super::SECRETS_IN_SOURCE, path, format!("`{path}` holds {what}"))
        .at(hit.line, hit.column)
        .help(
            "read it from the environment instead, and rotate the secret: it stays in git history; \
             a test fixture belongs under a `[secrets] skip` glob",
        )
        .name(hit.kind)
        .hide_source()
}

/// Whether the first 8 KiB hold a NUL byte.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some()
}

/// The secrets of one file (none when it is binary: a NUL in its first 8 KiB once UTF-16 is
/// decoded), each with its line and column (in characters); with `entropy`, also the first
/// random-looking token of each line holding no known format.
pub fn scan(bytes: &[u8], entropy: bool) -> Vec<Hit> {
    let text = crate::text::utf8_view(bytes);
    if is_binary(&text) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut pos = Position::default();
    for found in secret::find(&text) {
        let (line, column) = pos.advance(&text, found.start);
        out.push(Hit {
            line,
            column,
            kind: found.format,
        });
    }
    if entropy {
        let text = String::from_utf8_lossy(&text);
        let known: std::collections::HashSet<u32> = out.iter().map(|h| h.line).collect();
        for (i, line) in text.split('\n').enumerate() {
            let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if known.contains(&line_no) {
                continue;
            }
            let line = line.strip_suffix('\r').unwrap_or(line);
            if let Some(column) = high_entropy_token(line) {
                out.push(Hit {
                    line: line_no,
                    column,
                    kind: HIGH_ENTROPY,
                });
            }
        }
        out.sort_by_key(|h| (h.line, h.column));
    }
    out
}

/// Line and character column of increasing byte offsets, counted once over the text.
#[derive(Default)]
struct Position {
    at: usize,
    line: u32,
    line_start: usize,
    column: u32,
}

impl Position {
    fn advance(&mut self, text: &[u8], to: usize) -> (u32, u32) {
        if self.line == 0 {
            self.line = 1;
        }
        for nl in memchr::memchr_iter(b'\n', &text[self.at..to]) {
            self.line = self.line.saturating_add(1);
            self.line_start = self.at + nl + 1;
            self.column = 0;
        }
        let from = self.at.max(self.line_start);
        // Characters, not bytes: count the bytes that start one.
        let chars = text[from..to].iter().filter(|&&b| (b & 0xC0) != 0x80).count();
        self.column = self
            .column
            .saturating_add(u32::try_from(chars).unwrap_or(u32::MAX));
        self.at = to;
        (self.line, self.column.saturating_add(1))
    }
}

/// The column (in characters) of the first token of the line that looks like a random
/// secret (`secret::generic::random_tokens`: the masking of source lines uses the same).
fn high_entropy_token(line: &str) -> Option<u32> {
    let (start, _) = *secret::generic::random_tokens(line.as_bytes()).first()?;
    u32::try_from(line[..start].chars().count() + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    // Built at run time so that the source holds no literal that secret scanners flag.
    fn k(parts: &[&str]) -> String {
        parts.concat()
    }

    /// A key body long enough to be one (72 base64 characters).
    const BODY: &str = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV80WAdl5Zf8RxmZ2kJk3Ab";

    /// From documenso's docs (real-repo corpus): an elided sample key, and code that holds
    /// only the header, are no key; a real body fires, on separate lines, `\n`-escaped, or
    /// split over concatenated strings, and with the PEM headers of an encrypted key.
    #[test]
    fn a_private_key_needs_its_body() {
        let header = k(&["-----BEGIN RSA ", "PRIVATE KEY-----"]);
        let silent = [
            format!("KEY=\"{header}\nMIIEpAIBAAKCAQEA...\n-----END RSA PRIVATE KEY-----\"\n"),
            format!("```\n{header}\nMIIEpAIBAAKCAQEA…\n```\n"),
            format!("if (pem.startsWith(\"{header}\")) {{\n  return parse(pem);\n}}\n"),
            format!("const h = '{header}';\nconst footer = '-----END RSA PRIVATE KEY-----';\n"),
            format!("{header}\nMIIE\n-----END RSA PRIVATE KEY-----\n"),
            format!("{header}\n{BODY}...\n"),
        ];
        for text in &silent {
            assert_eq!(scan(text.as_bytes(), false), vec![], "{text}");
            assert_eq!(scan(text.as_bytes(), true), vec![], "{text}");
        }
        let (a, b) = BODY.split_at(40);
        let fire = [
            format!("{header}\n{a}\n{b}\n-----END RSA PRIVATE KEY-----\n"),
            format!("key: \"{header}\\n{BODY}\\n-----END RSA PRIVATE KEY-----\"\n"),
            format!("const key =\n  \"{header}\\n\" +\n  \"{a}\\n\" +\n  \"{b}\\n\";\n"),
            format!("{header}\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F2A\n\n{BODY}\n"),
        ];
        for text in &fire {
            let hits = scan(text.as_bytes(), false);
            assert_eq!(hits.len(), 1, "{text}");
            assert_eq!(hits[0].kind, "private key");
        }
    }

    /// One value per format of `data/secret-formats.toml`, each found at its column by the
    /// rule's scan.
    #[test]
    fn every_format_is_found() {
        // The same table the tokenizer's own tests use: a format added there is checked here.
        let values = crate::secret::tests::one_per_format();
        for v in &values {
            let text = format!("// a\nconst x = \"{v}\";\n");
            let hits = scan(text.as_bytes(), false);
            assert_eq!(hits.len(), 1, "{v}");
            assert_eq!((hits[0].line, hits[0].column), (2, 12), "{v}");
            assert_eq!(Some(hits[0].kind), env::known_secret_format(v), "{v}");
        }
    }

    #[test]
    fn placeholders_are_silent() {
        for v in [
            k(&["sk_", "live_xxx"]),
            k(&["sk_", "live_", "00000000000000000000"]),
            k(&["AKIA", "AAAAAAAAAAAAAAAA"]),
            k(&["AKIA", "IOSFODNN7EXAMPLE"]),
            "<your-key>".to_string(),
            k(&["ghp_", "your_token_here"]),
        ] {
            let text = format!("key: {v}\n");
            assert_eq!(scan(text.as_bytes(), false), [], "{v}");
            assert_eq!(scan(text.as_bytes(), true), [], "{v}");
        }
    }

    #[test]
    fn lines_and_columns() {
        let aws = k(&["AKIA", "Q3EGRIVYX2N7TB5K"]);
        let text = format!("a\r\nb https://x.dev\r\n\r\n  é = '{aws}' AKIA\n{aws}");
        let got: Vec<_> = scan(text.as_bytes(), false)
            .into_iter()
            .map(|h| (h.line, h.column))
            .collect();
        assert_eq!(got, [(4, 8), (5, 1)]);
    }

    #[test]
    fn entropy_only_when_asked() {
        let text = "const seed = \"q8Vt3kLz0PmX7wRb2NcY5sHd1JfG4aE6\";\nimport x from './a/b/c/d/e/f/g/h';\n";
        assert_eq!(scan(text.as_bytes(), false), []);
        assert_eq!(
            scan(text.as_bytes(), true),
            [Hit {
                line: 1,
                column: 15,
                kind: HIGH_ENTROPY
            }]
        );
    }

    #[test]
    fn binary_probe() {
        assert!(is_binary(b"abc\0def"));
        assert!(!is_binary(b"abc"));
        let mut late = vec![b'a'; BINARY_PROBE];
        late.push(0);
        assert!(!is_binary(&late));
    }
}
