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
//! Speed: a file is read only when it is in scope (a scoped pre-commit: the changed files), and
//! only the lines holding one of the formats' fixed anchors (`sk_live_`, `AKIA`, `ghp_`, ...,
//! found with one Aho-Corasick pass) are tokenized. Clean (path, blob) pairs are remembered in
//! `<git common dir>/hookctl/secrets-clean.bin`, so an unchanged file is not read again.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Finding;
use crate::env::{self, known_secrets_in_lines};
use crate::resolve::clean::CleanSet;
use crate::snapshot::{EntryKind, Kind, Snapshot};

/// Bytes looked at for a NUL to call a file binary (as git does).
const BINARY_PROBE: usize = 8 * 1024;

/// Tokens shorter than this are never reported as high-entropy strings.
const ENTROPY_MIN_LEN: usize = 20;

/// The clean set's file, and its format (bump when what is found changes).
const CLEAN_FILE: &str = "secrets-clean.bin";
const VERSION: &str = "secrets/in-source 1";

/// Fixed strings every known format contains (`data/secret-formats.toml`): a line without one
/// of them holds no known-format secret, so it is not tokenized. A test checks each format.
const ANCHORS: &[&str] = &[
    "k_live_",
    "k_test_",
    "whsec_",
    "AKIA",
    "ASIA",
    "ABIA",
    "ACCA",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xox",
    "hooks.slack.com",
    "sk-",
    "PRIVATE KEY",
    "eyJ",
    "sb_secret_",
    "SG.",
    "npm_",
    "://",
];

fn anchors() -> &'static AhoCorasick {
    static CELL: OnceLock<AhoCorasick> = OnceLock::new();
    CELL.get_or_init(|| AhoCorasick::new(ANCHORS).expect("fixed anchors build"))
}

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

/// The format matched anywhere in a line (a PEM header), not on one token.
const PRIVATE_KEY: &str = "private key";

/// The kind reported for a high-entropy string (`[secrets] entropy = true`).
pub const HIGH_ENTROPY: &str = "high-entropy string";

/// Which snapshot paths the rule reads.
struct Filter {
    skip: GlobSet,
}

impl Filter {
    fn new(config: &Config) -> Filter {
        let mut b = GlobSetBuilder::new();
        for g in config.secrets.skip() {
            // Validated when the configuration was loaded.
            if let Ok(glob) = GlobBuilder::new(&g).literal_separator(true).build() {
                b.add(glob);
            }
        }
        Filter {
            skip: b.build().unwrap_or_else(|_| GlobSet::empty()),
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

/// The findings of the files of `snap` in `paths` (`None`: every file).
pub fn check(
    config: &Config,
    snap: &Snapshot,
    paths: Option<&[&str]>,
    cache_dir: &std::path::Path,
) -> Vec<Finding> {
    let filter = Filter::new(config);
    let entropy = config.secrets.entropy();
    let max_size = config.scan.max_file_size();
    let is_file = |p: &str| snap.get(p).is_some_and(|e| e.kind == EntryKind::File);
    let mut wanted: Vec<&str> = match paths {
        Some(list) => list
            .iter()
            .copied()
            .filter(|p| is_file(p) && filter.wanted(p))
            .collect(),
        None => snap
            .entries()
            .iter()
            .filter(|(p, e)| e.kind == EntryKind::File && filter.wanted(p))
            .map(|(p, _)| p.as_str())
            .collect(),
    };
    // A file an env-file symlink points to is reported through the link by `secrets/env-file`.
    let linked = env_link_targets(snap);
    wanted.retain(|p| !linked.contains(*p));
    wanted.sort_unstable();
    let clean = if snap.kind == Kind::Worktree {
        CleanSet::disabled()
    } else {
        let ctx = xxhash_rust::xxh3::xxh3_64(
            format!(
                "{} {VERSION} entropy={entropy} max_size={max_size}",
                env!("CARGO_PKG_VERSION")
            )
            .as_bytes(),
        );
        CleanSet::load_as(cache_dir, CLEAN_FILE, ctx)
    };
    let oid = |p: &str| snap.get(p).map(|e| e.oid).unwrap_or(git2::Oid::ZERO_SHA1);
    let per_file: Vec<Vec<Finding>> = wanted
        .par_iter()
        .map(|&path| {
            let id = oid(path);
            if clean.contains(path, &id) {
                return Vec::new();
            }
            let Ok(bytes) = snap.read_pooled(path) else {
                return Vec::new();
            };
            if bytes.len() as u64 > max_size || is_binary(&bytes) {
                // Not scanned, whatever it holds: a verdict of the blob (and of `max_size`, in
                // the set's context), so a warm run never reads it again.
                clean.insert(path, &id);
                return Vec::new();
            }
            let hits = scan(&bytes, entropy);
            if hits.is_empty() {
                clean.insert(path, &id);
            }
            hits.into_iter().map(|h| finding(path, &h)).collect()
        })
        .collect();
    let _ = clean.save();
    per_file.into_iter().flatten().collect()
}

/// The snapshot files that committed env-file symlinks (`.env.production -> config/prod`)
/// point to.
fn env_link_targets(snap: &Snapshot) -> std::collections::HashSet<String> {
    snap.entries()
        .iter()
        .filter(|(p, e)| e.kind == EntryKind::Symlink && env::env_file_kind(p).is_some())
        .filter_map(|(p, _)| {
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
    Finding::new(
        super::SECRETS_IN_SOURCE.id,
        path,
        format!("`{path}` holds {what}"),
    )
    .at(hit.line, hit.column)
    .help(
        "read it from the environment instead, and rotate the secret: it stays in git history; \
             a test fixture belongs under a `[secrets] skip` glob",
    )
    .name(hit.kind)
}

/// Whether the first 8 KiB hold a NUL byte.
pub fn is_binary(bytes: &[u8]) -> bool {
    memchr::memchr(0, &bytes[..bytes.len().min(BINARY_PROBE)]).is_some()
}

/// The secrets of one text file: every line holding an anchor is tokenized (every line, with
/// `entropy`).
pub fn scan(bytes: &[u8], entropy: bool) -> Vec<Hit> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    if entropy {
        let mut start = 0;
        for (i, line) in text.split('\n').enumerate() {
            scan_line(line, i + 1, true, &mut out);
            drop_sample_key(&text[start..], &mut out);
            start += line.len() + 1;
        }
        return out;
    }
    let mut next_line_start = 0;
    let mut line_no = 0usize;
    let mut counted_to = 0usize;
    for m in anchors().find_iter(text.as_bytes()) {
        if m.start() < next_line_start {
            continue;
        }
        let start = text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let end = text[m.start()..].find('\n').map_or(text.len(), |i| m.start() + i);
        line_no += memchr::memchr_iter(b'\n', &text.as_bytes()[counted_to..start]).count();
        counted_to = start;
        scan_line(&text[start..end], line_no + 1, false, &mut out);
        drop_sample_key(&text[start..], &mut out);
        next_line_start = end + 1;
    }
    out
}

/// A private-key hit just pushed for the line at the start of `from` is dropped when no key
/// follows its header: documentation elides the body (`MIIEpAIBAAKCAQEA...`), and code that
/// handles PEM text holds the header alone (`pem.startsWith("-----BEGIN PRIVATE KEY-----")`).
fn drop_sample_key(from: &str, out: &mut Vec<Hit>) {
    if out.last().is_some_and(|h| h.kind == PRIVATE_KEY) && !has_key_body(from) {
        out.pop();
    }
}

/// Fewer base64 characters than this after a PEM header is no key (the smallest real one, an
/// EC P-256 key, has about 160).
const MIN_KEY_BODY: usize = 64;

/// Does a PEM body follow the `-----BEGIN … PRIVATE KEY-----` header in `from` (the header's
/// line and what comes after)? Lines (or `\n`-escaped pieces of one line) of base64 between
/// quotes, `,` `+` `;` of string concatenation or a sentence's `.`, and `Name: value` PEM headers; the body ends at
/// `-----END` or the first other line. An ellipsis in it means an elided sample.
fn has_key_body(from: &str) -> bool {
    let Some(at) = from.find("-----BEGIN") else {
        return true;
    };
    let rest = &from[at + "-----BEGIN".len()..];
    let Some(close) = rest.find("-----") else {
        return true;
    };
    let rest = &rest[close + 5..];
    let mut base64 = 0usize;
    // Enough text for the largest keys (RSA 4096: about 3,300 characters), not the whole file.
    let window = &rest[..rest.char_indices().nth(8192).map_or(rest.len(), |(i, _)| i)];
    for piece in window.split('\n').flat_map(|l| l.split("\\n")) {
        if piece.contains("-----END") {
            break;
        }
        if piece.contains("...") || piece.contains('…') {
            return false;
        }
        let piece = piece.trim_matches(|c: char| c.is_whitespace() || "\"'`,+;().".contains(c));
        if piece.is_empty()
            || piece
                .split_once(": ")
                .is_some_and(|(k, _)| k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            continue;
        }
        if !piece
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+/=".contains(c))
        {
            break;
        }
        base64 += piece.len();
    }
    base64 >= MIN_KEY_BODY
}

fn scan_line(line: &str, line_no: usize, entropy: bool, out: &mut Vec<Hit>) {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let line_no = u32::try_from(line_no).unwrap_or(u32::MAX);
    if let Some(hit) = known_secrets_in_lines(line).into_iter().next() {
        let offset = byte_offset(line, hit.column);
        let column = if hit.format == PRIVATE_KEY {
            // Matched on the whole line: point at the PEM header.
            line.find("-----BEGIN")
                .and_then(|at| u32::try_from(line[..at].chars().count() + 1).ok())
                .unwrap_or(hit.column)
        } else if repeated_placeholder(token_at(line, offset)) {
            return;
        } else {
            hit.column
        };
        out.push(Hit {
            line: line_no,
            column,
            kind: hit.format,
        });
        return;
    }
    if entropy && let Some(column) = high_entropy_token(line) {
        out.push(Hit {
            line: line_no,
            column,
            kind: HIGH_ENTROPY,
        });
    }
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || "\"'`=,;()[]{}<>".contains(c)
}

/// The byte offset of 1-based character column `column`.
fn byte_offset(line: &str, column: u32) -> usize {
    line.char_indices()
        .nth(column.saturating_sub(1) as usize)
        .map_or(line.len(), |(i, _)| i)
}

fn token_at(line: &str, offset: usize) -> &str {
    let rest = &line[offset..];
    &rest[..rest.find(is_separator).unwrap_or(rest.len())]
}

/// `sk_live_0000000000000000`, `AKIAAAAAAAAAAAAAAAAA`: a run of 8 or more of one character is a
/// placeholder, never a generated key.
fn repeated_placeholder(token: &str) -> bool {
    let mut run = 0;
    let mut prev = None;
    for c in token.chars() {
        run = if Some(c) == prev { run + 1 } else { 1 };
        prev = Some(c);
        if run >= 8 {
            return true;
        }
    }
    false
}

/// The column of the first token of the line that looks like a random secret: 20+ characters
/// of the base64/hex alphabet, varied enough, not a placeholder.
fn high_entropy_token(line: &str) -> Option<u32> {
    let mut start = None;
    for (i, c) in line.char_indices().chain(std::iter::once((line.len(), ' '))) {
        let sep = i == line.len() || is_separator(c) || c == ':';
        match (start, sep) {
            (None, false) => start = Some(i),
            (Some(s), true) => {
                start = None;
                let token = &line[s..i];
                if token.len() >= ENTROPY_MIN_LEN
                    && token
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c))
                    && !repeated_placeholder(token)
                    && env::is_high_entropy(token)
                {
                    return u32::try_from(line[..s].chars().count() + 1).ok();
                }
            }
            _ => {}
        }
    }
    None
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
            assert_eq!(hits[0].kind, PRIVATE_KEY);
        }
    }

    /// One value per format of `data/secret-formats.toml`: each holds an anchor, so the
    /// prefilter never hides it.
    #[test]
    fn every_format_has_an_anchor() {
        let values = [
            k(&["sk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
            k(&["rk_", "live_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
            k(&["sk_", "test_", "51H8xKJzq2PdLmN4vRtY6wEa"]),
            k(&["whsec_", "51H8xKJzq2PdLmN4vRtY6wEaQ3EG"]),
            k(&["AKIA", "Q3EGRIVYX2N7TB5K"]),
            k(&["ASIA", "Q3EGRIVYX2N7TB5K"]),
            k(&["ghp_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
            k(&["ghs_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
            k(&[
                "github_pat_",
                "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGH",
            ]),
            k(&["glpat-", "Ab3dEf6hIj9kLm2nOp5q"]),
            k(&["xoxb-", "1234567890-0987654321-AbCdEfGhIjKl"]),
            k(&[
                "https://hooks.slack.com/services/",
                "T01AB2CD3/B04EF5GH6/Ab3dEf6hIj9kLm2nOp5q",
            ]),
            k(&["sk-", "proj-", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
            k(&["sk-", "Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"]),
            k(&["sk-", "ant-api03-", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
            k(&["-----BEGIN ", "RSA PRIVATE KEY-----\\n", BODY]),
            k(&["sb_secret_", "Ab3dEf6hIj9kLm2nOp5qRs8t"]),
            k(&["SG.", "Ab3dEf6hIj9kLm2nOp5q.Rs8tUv1wXy4zAb3dEf6h"]),
            k(&["npm_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"]),
            k(&["postgres://app:", "Zq8rT2vLx9Wk4Ym7", "@db.internal:5432/app"]),
        ];
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
