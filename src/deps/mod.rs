//! Lockfiles read from a snapshot: what npm (`package-lock.json` v2/v3), pnpm
//! (`pnpm-lock.yaml` v5.4–v9) and yarn (`yarn.lock` v1 and berry) recorded for each workspace
//! package's direct dependencies, and whether that still satisfies its `package.json` the way the
//! manager's frozen install (`npm ci`, `pnpm install --frozen-lockfile`,
//! `yarn install --frozen-lockfile` / `--immutable`) decides it. One file per format; the rule
//! that reports is `rules/deps_lockfile_drift.rs`.

pub mod npm;
pub mod pnpm;
pub mod yarn;

use node_semver::{Range, Version};

/// Which lockfile a repository's package manager reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Npm,
    Pnpm,
    Yarn1,
    Berry,
}

impl Format {
    /// The command that brings the lockfile back in sync.
    pub fn install(self) -> &'static str {
        match self {
            Format::Npm => "npm install",
            Format::Pnpm => "pnpm install",
            Format::Yarn1 | Format::Berry => "yarn",
        }
    }

    /// The deploy host's install that refuses a lockfile out of sync.
    pub fn frozen(self) -> &'static str {
        match self {
            Format::Npm => "npm ci",
            Format::Pnpm => "pnpm install --frozen-lockfile",
            Format::Yarn1 => "yarn install --frozen-lockfile",
            Format::Berry => "yarn install --immutable",
        }
    }
}

/// A lockfile that cannot be read: the 1-based line and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

impl ParseError {
    pub fn new(line: u32, message: impl Into<String>) -> ParseError {
        ParseError {
            line: line.max(1),
            message: message.into(),
        }
    }
}

/// Why a declared dependency is not satisfied by the lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The lockfile has nothing for this dependency of this package.
    Missing,
    /// The locked version is outside the declared range.
    OutOfRange { locked: String },
    /// The lockfile recorded another spec for it (pnpm's `specifier`, yarn's descriptor keys);
    /// `locked` is the version it locked for that spec, where known.
    SpecChanged {
        recorded: String,
        locked: Option<String>,
    },
    /// The lockfile records it under another dependency field (pnpm compares fields too).
    OtherField { recorded: &'static str },
    /// pnpm: `catalog:` names a range in `pnpm-workspace.yaml` other than the lockfile's
    /// `catalogs` entry.
    CatalogChanged {
        catalog: String,
        declared: String,
        recorded: String,
    },
}

/// One dependency as `package.json` declares it.
#[derive(Debug, Clone, Copy)]
pub struct Dep<'a> {
    /// The workspace package's folder ("" = the root).
    pub dir: &'a str,
    pub field: &'static str,
    pub name: &'a str,
    pub spec: &'a str,
}

/// The shapes of a dependency spec that matter for lockfile checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec<'a> {
    /// A semver range or exact version (`^1.2.0`, `1.x`, `*`, `""`).
    Range(Range),
    /// `npm:name@range` (an alias); the range may be empty (any version).
    Alias { target: &'a str, range: &'a str },
    /// `workspace:` in any form.
    Workspace,
    /// `catalog:` / `catalog:name` (pnpm).
    Catalog(&'a str),
    /// A dist-tag (`latest`, `next`).
    Tag,
    /// `file:`, `link:`, `portal:`, `patch:`, git and URL specs: their locks record sources,
    /// not versions to compare.
    Source,
}

/// Classify a spec as npm reads it (npm-package-arg's order: aliases, protocols, URLs and git
/// shorthands, then semver ranges, then tags).
pub fn classify(spec: &str) -> Spec<'_> {
    let s = spec.trim();
    if let Some(rest) = s.strip_prefix("npm:") {
        // `npm:@scope/name@^1`, `npm:name@1`, `npm:name`.
        let at = rest.get(1..).and_then(|r| r.find('@')).map(|i| i + 1);
        return match at {
            Some(i) => Spec::Alias {
                target: &rest[..i],
                range: &rest[i + 1..],
            },
            None => Spec::Alias {
                target: rest,
                range: "",
            },
        };
    }
    if s.starts_with("workspace:") {
        return Spec::Workspace;
    }
    if let Some(name) = s.strip_prefix("catalog:") {
        return Spec::Catalog(name);
    }
    if s.contains(':') || s.contains('/') || s.starts_with('.') {
        return Spec::Source;
    }
    // npm reads an empty spec as `*`.
    match Range::parse(if s.is_empty() { "*" } else { s }) {
        Ok(r) => Spec::Range(r),
        Err(_) => Spec::Tag,
    }
}

/// Does `version` (a lockfile's text; pnpm peer suffixes `1.2.3(react@18.2.0)` and build
#[cfg(test)]
impl<'a> Dep<'a> {
    /// A `dependencies` entry of the package in `dir` (the lockfile readers' tests).
    pub(crate) fn dependency(dir: &'a str, name: &'a str, spec: &'a str) -> Dep<'a> {
        Dep {
            dir,
            field: "dependencies",
            name,
            spec,
        }
    }
}

/// metadata allowed) satisfy `range`? `None` when the text is no version (a link, a URL).
pub fn satisfies(range: &Range, version: &str) -> Option<bool> {
    let v = version.split('(').next().unwrap_or(version).trim();
    let v = Version::parse(v).ok()?;
    Some(range.satisfies(&v))
}

/// serde-saphyr's options for lockfiles: its default budget (250,000 nodes, 1,000,000 events)
/// guards hand-written config against YAML bombs, but a large monorepo's valid lockfile passes it
/// (a 5 MB `yarn.lock` or `pnpm-lock.yaml` has over 250,000 nodes). Lockfiles are generated and
/// the text is already in memory: the node and event caps follow its size, the other limits
/// (depth, aliases) stay.
pub fn yaml_options(len: usize) -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_nodes: 250_000usize.max(len / 2),
            max_events: 1_000_000usize.max(len),
        },
    }
}

/// A top-level entry of a YAML block mapping: its byte range, first line (1-based) and its key
/// line (`head`).
#[derive(Debug, Clone, Copy)]
pub struct Block<'a> {
    pub start: usize,
    pub end: usize,
    pub line: u32,
    pub head: &'a str,
}

/// The top-level entries of a YAML document laid out as a block mapping from column 0, as pnpm
/// and yarn write their lockfiles: every key starts at column 0 and everything inside an entry is
/// indented, so entries are found by a line scan and each can be parsed alone. `None` when a line
/// at column 0 is a document marker or a flow collection: the caller parses the whole text then.
pub fn top_level_blocks(text: &str) -> Option<Vec<Block<'_>>> {
    let bytes = text.as_bytes();
    let mut starts: Vec<(usize, u32, &str)> = Vec::new();
    let (mut at, mut line) = (0, 1u32);
    while at < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |i| at + i);
        let l = text[at..end].trim_end_matches('\r');
        match l.as_bytes().first() {
            None | Some(b' ' | b'\t' | b'#') => {}
            Some(_) => {
                if l.starts_with("---") || l.starts_with("...") || l.starts_with('{') || l.starts_with('[') {
                    return None;
                }
                starts.push((at, line, l));
            }
        }
        at = end + 1;
        line += 1;
    }
    Some(
        starts
            .iter()
            .enumerate()
            .map(|(i, &(start, line, head))| Block {
                start,
                end: starts.get(i + 1).map_or(text.len(), |s| s.0),
                line,
                head,
            })
            .collect(),
    )
}

/// A serde-saphyr error as a [`ParseError`], its line shifted by where the parsed part started.
pub fn yaml_error(e: &serde_saphyr::Error, first_line: u32) -> ParseError {
    let line = e.location().map_or(1, |l| l.line().max(1)) as u32 + first_line - 1;
    let message = e.without_snippet().to_string();
    let message = message
        .lines()
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_string();
    ParseError::new(line, message)
}

/// Line (1-based) of byte offset `at` in `text`.
pub fn line_of(text: &str, at: usize) -> u32 {
    memchr::memchr_iter(b'\n', &text.as_bytes()[..at.min(text.len())]).count() as u32 + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs() {
        assert!(matches!(classify("^1.2.0"), Spec::Range(_)));
        assert!(matches!(classify(""), Spec::Range(_)));
        assert!(matches!(classify("*"), Spec::Range(_)));
        assert!(matches!(classify("1.x || >=2.5.0"), Spec::Range(_)));
        assert_eq!(
            classify("npm:@scope/x@^1"),
            Spec::Alias {
                target: "@scope/x",
                range: "^1"
            }
        );
        assert_eq!(
            classify("npm:x"),
            Spec::Alias {
                target: "x",
                range: ""
            }
        );
        assert_eq!(classify("workspace:^"), Spec::Workspace);
        assert_eq!(classify("catalog:"), Spec::Catalog(""));
        assert_eq!(classify("catalog:react17"), Spec::Catalog("react17"));
        assert_eq!(classify("latest"), Spec::Tag);
        for s in [
            "file:../x",
            "link:../x",
            "portal:../x",
            "patch:x@npm%3A1.0.0#./p.patch",
            "github:user/repo",
            "user/repo#main",
            "git+https://example.com/x.git",
            "https://example.com/x.tgz",
            "../local",
        ] {
            assert_eq!(classify(s), Spec::Source, "{s}");
        }
    }

    #[test]
    fn versions_with_peer_suffixes() {
        let r = Range::parse("^18.0.0").unwrap();
        assert_eq!(satisfies(&r, "18.2.0(react@18.2.0)"), Some(true));
        assert_eq!(satisfies(&r, "17.0.2"), Some(false));
        assert_eq!(satisfies(&r, "link:../b"), None);
    }

    /// Every parser on any text and on real lockfiles with random edits: no panic, and what
    /// parses can be checked without one.
    mod no_panics {
        use super::super::*;
        use proptest::prelude::*;

        const REAL: [&str; 8] = [
            include_str!("../../fixtures/lockfiles/npm/single/package-lock.json"),
            include_str!("../../fixtures/lockfiles/npm/workspace/package-lock.json"),
            include_str!("../../fixtures/lockfiles/pnpm/single/pnpm-lock.yaml"),
            include_str!("../../fixtures/lockfiles/pnpm/workspace/pnpm-lock.yaml"),
            include_str!("../../fixtures/lockfiles/yarn1/single/yarn.lock"),
            include_str!("../../fixtures/lockfiles/yarn1/workspace/yarn.lock"),
            include_str!("../../fixtures/lockfiles/berry/single/yarn.lock"),
            include_str!("../../fixtures/lockfiles/berry/workspace/yarn.lock"),
        ];

        fn exercise(text: &str) {
            let deps = [
                ("", "dependencies", "tiny", "^1.0.0"),
                ("packages/a", "devDependencies", "@fx/util", "catalog:"),
                ("", "peerDependencies", "old-tiny", "npm:tiny@1"),
                ("packages/b", "dependencies", "b", "workspace:*"),
                ("", "dependencies", "x", "file:../x"),
            ];
            let npm = npm::Lock::parse(text);
            let pnpm = pnpm::Lock::parse(text);
            let yarn = yarn::Lock::parse(text);
            let cats = pnpm::workspace_catalogs(text);
            for (dir, field, name, spec) in deps {
                let dep = Dep {
                    dir,
                    field,
                    name,
                    spec,
                };
                if let Ok(l) = &npm {
                    let _ = l.check(&dep);
                }
                if let Ok(l) = &pnpm {
                    let _ = l.check(&dep, &cats);
                }
                if let Ok(l) = &yarn {
                    let _ = l.check(&dep, &|_| Some("1.0.0".to_string()));
                }
            }
            for e in [npm.err(), pnpm.err(), yarn.err()].into_iter().flatten() {
                assert!(e.line >= 1);
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn any_text(text in "(?s).{0,400}") {
                exercise(&text);
            }

            #[test]
            fn lockfile_like_lines(lines in proptest::collection::vec(
                "(  |    )?[\"'@a-z^~*:./ ,{}\\[\\]-]{0,24}:?( [\"a-z0-9^.@:]{0,12})?", 0..30)) {
                exercise(&lines.join("\n"));
            }

            #[test]
            fn edited_real_lockfiles(which in 0..8usize, edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..3u8, any::<char>()), 1..6)) {
                let mut text: Vec<char> = REAL[which].chars().collect();
                for (at, op, c) in edits {
                    if text.is_empty() { break; }
                    let i = at.index(text.len());
                    match op {
                        0 => { text.remove(i); }
                        1 => text.insert(i, c),
                        _ => text[i] = c,
                    }
                }
                exercise(&text.into_iter().collect::<String>());
            }
        }
    }
}
