//! `yarn.lock`: yarn 1's own format and berry's (yarn 2+) YAML.
//!
//! Yarn 1 looks a dependency up by its exact pattern (`name@range` as package.json writes
//! it); a pattern the lockfile lacks makes `yarn install --frozen-lockfile` fail, even when a
//! locked version satisfies it. Workspace packages are not in a v1 lockfile: a dependency on one
//! whose version satisfies the range needs no entry. (Yarn 1 does not fail a frozen install
//! when only a workspace package's manifest drifted, yarn issue 5840; it installs unlocked
//! versions then, which this still reports.)
//!
//! Berry records every workspace as an entry (`a@workspace:packages/a`) listing its
//! dependencies as normalized descriptors (`^1.0.0` becomes `npm:^1.0.0`);
//! `yarn install --immutable` fails when those would change. That list is compared.
//!
//! The v1 reader is a line scanner written here: of yarn-lock-parser (the maintained crate) we
//! would use only keys and versions, and its errors carry no line. Berry is parsed with
//! serde-saphyr.

use std::collections::{BTreeMap, HashMap};

use serde::Deserialize;

use super::{Dep, Drift, ParseError, Spec, classify, satisfies, top_level_blocks, yaml_error, yaml_options};

#[derive(Debug, Default)]
pub struct Lock {
    pub berry: bool,
    /// v1: pattern (`name@range`) -> locked version.
    pub patterns: HashMap<String, String>,
    /// v1: package name -> its patterns (for messages).
    pub by_name: HashMap<String, Vec<String>>,
    /// berry: workspace folder ("" = root) -> dependency name -> recorded descriptor range.
    pub workspaces: HashMap<String, BTreeMap<String, String>>,
    /// berry: workspace folder -> peer dependency name -> recorded range (raw, as written).
    pub peers: HashMap<String, BTreeMap<String, String>>,
    /// berry: descriptor (`tiny@npm:^1.0.0`) -> locked version, where read.
    pub descriptors: HashMap<String, String>,
    /// berry: the first line (1-based) written otherwise than yarn writes its lockfile (a YAML
    /// anchor or alias, a merge key, a flow collection): valid YAML, read here, but
    /// `yarn install --immutable` rewrites such a file and fails (YN0028).
    pub noncanonical: Option<u32>,
    /// berry: descriptor -> byte range of its entry in `text`, whose version is read only
    /// when a message needs it.
    entries: HashMap<String, (usize, usize)>,
    text: String,
}

/// A YAML scalar as yarn may leave it unquoted (`version: 1`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
        }
    }
}

/// What is read of a berry entry.
#[derive(Debug, Deserialize)]
struct BerryEntry {
    version: Option<Scalar>,
    resolution: Option<String>,
    dependencies: Option<BTreeMap<String, Scalar>>,
    #[serde(rename = "peerDependencies")]
    peer_dependencies: Option<BTreeMap<String, Scalar>>,
}

/// Berry entries of a YAML text that starts on line `first_line` of the lockfile.
fn parse_entries(text: &str, first_line: u32) -> Result<BTreeMap<String, BerryEntry>, ParseError> {
    let map: Option<BTreeMap<String, BerryEntry>> =
        serde_saphyr::from_str_with_options(text, yaml_options(text.len()))
            .map_err(|e| yaml_error(&e, first_line))?;
    Ok(map.unwrap_or_default())
}

/// The key of a top-level entry's line when it needs no YAML parser to read: `__metadata:` or
/// a double-quoted key without escapes (`"tiny@npm:^1.0.0, tiny@npm:^1.1.0":`), as yarn writes.
fn plain_key(head: &str) -> Option<&str> {
    let head = head.trim_end().strip_suffix(':')?;
    if let Some(inner) = head.strip_prefix('"').and_then(|h| h.strip_suffix('"')) {
        return (!inner.contains(['"', '\\'])).then_some(inner);
    }
    (!head.contains([':', '"', '\'', ' ', '#', '{', '[', '&', '*', '!', '|', '>'])).then_some(head)
}

/// The first line of a berry lockfile that yarn would not write: a YAML anchor (`&a`), alias
/// (`*a`) or merge key (`<<:`), or a flow collection (`{`, `[`) where yarn writes block style or
/// a quoted string. Yarn quotes every value that could read as one of those.
fn noncanonical_line(text: &str) -> Option<u32> {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let t = t.strip_prefix("- ").unwrap_or(t);
        let value = if let Some(quoted) = t.strip_prefix('"') {
            // A quoted key: the value after its closing quote and colon.
            quoted
                .find('"')
                .map(|e| quoted[e + 1..].trim_start_matches(':').trim_start())
        } else {
            t.split_once(':').map(|(_, v)| v.trim_start())
        };
        let key_is_merge = t.starts_with("<<");
        let node = |v: &str| v.starts_with(['&', '*', '{', '['].as_slice());
        if key_is_merge || node(t) || value.is_some_and(node) {
            return Some(i as u32 + 1);
        }
    }
    None
}

/// The package name of a descriptor or pattern (`@scope/x@^1` -> `@scope/x`).
fn split_descriptor(d: &str) -> Option<(&str, &str)> {
    let at = d.get(1..)?.find('@')? + 1;
    Some((&d[..at], &d[at + 1..]))
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('"').and_then(|x| x.strip_suffix('"')).unwrap_or(s)
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let berry = text
            .lines()
            .any(|l| l.starts_with("__metadata:") || l.starts_with("\"__metadata\":"));
        if berry {
            Self::parse_berry(text)
        } else {
            Self::parse_v1(text)
        }
    }

    fn parse_v1(text: &str) -> Result<Lock, ParseError> {
        let mut lock = Lock::default();
        // The patterns of the entry being read, and the line it started on.
        let mut current: Option<(Vec<String>, u32, Option<String>)> = None;
        let finish = |lock: &mut Lock, entry: Option<(Vec<String>, u32, Option<String>)>| {
            let Some((patterns, line, version)) = entry else {
                return Ok(());
            };
            let Some(version) = version else {
                return Err(ParseError::new(line, "this entry has no `version`"));
            };
            for p in patterns {
                if let Some((name, _)) = split_descriptor(&p) {
                    lock.by_name.entry(name.to_string()).or_default().push(p.clone());
                }
                lock.patterns.insert(p, version.clone());
            }
            Ok(())
        };
        for (i, raw) in text.lines().enumerate() {
            let line_no = i as u32 + 1;
            let l = raw.trim_end_matches('\r');
            let trimmed = l.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = l.len() - trimmed.len();
            if indent == 0 {
                finish(&mut lock, current.take())?;
                let Some(keys) = l.strip_suffix(':') else {
                    return Err(ParseError::new(
                        line_no,
                        "expected an entry (`name@range:`) at the start of the line",
                    ));
                };
                let mut patterns = Vec::new();
                for key in keys.split(", ") {
                    let key = unquote(key);
                    if split_descriptor(key).is_none() {
                        return Err(ParseError::new(
                            line_no,
                            format!("`{key}` is not a `name@range` pattern"),
                        ));
                    }
                    patterns.push(key.to_string());
                }
                current = Some((patterns, line_no, None));
            } else {
                let Some(entry) = current.as_mut() else {
                    return Err(ParseError::new(line_no, "an indented line outside any entry"));
                };
                if indent == 2
                    && let Some(v) = trimmed.strip_prefix("version ")
                {
                    entry.2 = Some(unquote(v).to_string());
                }
            }
        }
        finish(&mut lock, current.take())?;
        Ok(lock)
    }

    /// Berry: only the workspaces' entries are parsed (serde-saphyr, one entry at a time); of
    /// the others, the bulk of a large lockfile, only the descriptor keys are read, by
    /// [`top_level_blocks`] (`benches/lockfile.rs`: 5 MB in milliseconds, not the ~300 ms of a
    /// whole parse). A file not laid out as yarn writes it is parsed whole.
    fn parse_berry(text: &str) -> Result<Lock, ParseError> {
        // An entry that does not parse alone may still be valid YAML as part of the whole
        // document (an alias of an anchor in another entry, a flow collection spanning lines at
        // column 0): the whole text decides.
        let mut lock = Self::parse_berry_blocks(text).or_else(|_| {
            let mut lock = Lock {
                berry: true,
                ..Lock::default()
            };
            for (key, entry) in parse_entries(text, 1)? {
                lock.add_entry(&key, entry);
            }
            lock.text = text.to_string();
            Ok::<Lock, ParseError>(lock)
        })?;
        lock.noncanonical = noncanonical_line(text);
        Ok(lock)
    }

    fn parse_berry_blocks(text: &str) -> Result<Lock, ParseError> {
        let mut lock = Lock {
            berry: true,
            ..Lock::default()
        };
        let Some(blocks) = top_level_blocks(text) else {
            let map = parse_entries(text, 1)?;
            for (key, entry) in map {
                lock.add_entry(&key, entry);
            }
            return Ok(lock);
        };
        for b in blocks {
            let Some(key) = plain_key(b.head) else {
                for (key, entry) in parse_entries(&text[b.start..b.end], b.line)? {
                    lock.add_entry(&key, entry);
                }
                continue;
            };
            if key == "__metadata" {
                continue;
            }
            if key.contains("@workspace:") {
                for (key, entry) in parse_entries(&text[b.start..b.end], b.line)? {
                    lock.add_entry(&key, entry);
                }
                continue;
            }
            for d in key.split(',').map(str::trim) {
                lock.entries.insert(d.to_string(), (b.start, b.end));
            }
        }
        lock.text = text.to_string();
        Ok(lock)
    }

    fn add_entry(&mut self, key: &str, entry: BerryEntry) {
        if key == "__metadata" {
            return;
        }
        let version = entry.version.as_ref().map(Scalar::text).unwrap_or_default();
        for d in key.split(',').map(str::trim) {
            self.descriptors.insert(d.to_string(), version.clone());
        }
        let Some(dir) = entry
            .resolution
            .as_deref()
            .and_then(split_descriptor)
            .and_then(|(_, r)| r.strip_prefix("workspace:"))
        else {
            return;
        };
        let dir = if dir == "." {
            ""
        } else {
            dir.trim_start_matches("./")
        };
        let text = |m: Option<BTreeMap<String, Scalar>>| {
            m.unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.text()))
                .collect::<BTreeMap<_, _>>()
        };
        self.workspaces.insert(dir.to_string(), text(entry.dependencies));
        self.peers.insert(dir.to_string(), text(entry.peer_dependencies));
    }

    /// The version locked for a berry descriptor.
    fn locked_version(&self, descriptor: &str) -> Option<String> {
        if let Some(v) = self.descriptors.get(descriptor) {
            return Some(v.clone());
        }
        let &(start, end) = self.entries.get(descriptor)?;
        let map = parse_entries(self.text.get(start..end)?, 1).ok()?;
        map.into_values().next()?.version.map(|v| v.text())
    }

    /// How many descriptors the lockfile has (berry).
    pub fn descriptor_count(&self) -> usize {
        self.descriptors.len() + self.entries.len()
    }

    /// What a frozen/immutable yarn install says about one declared dependency (`None`: in
    /// sync). `workspace_version` gives a workspace package's version by name.
    pub fn check(&self, dep: &Dep, workspace_version: &dyn Fn(&str) -> Option<String>) -> Option<Drift> {
        if self.berry {
            self.check_berry(dep)
        } else {
            self.check_v1(dep, workspace_version)
        }
    }

    fn check_v1(&self, dep: &Dep, workspace_version: &dyn Fn(&str) -> Option<String>) -> Option<Drift> {
        let spec = classify(dep.spec);
        if matches!(spec, Spec::Workspace | Spec::Catalog(_)) {
            return None;
        }
        if self.patterns.contains_key(&format!("{}@{}", dep.name, dep.spec)) {
            return None;
        }
        if let Some(v) = workspace_version(dep.name) {
            // Yarn links a workspace package whose version the range allows.
            let linked = match &spec {
                Spec::Range(r) => satisfies(r, &v) != Some(false),
                _ => true,
            };
            if linked {
                return None;
            }
        }
        match self.by_name.get(dep.name).and_then(|p| p.first()) {
            Some(p) => Some(Drift::SpecChanged {
                recorded: split_descriptor(p).map_or("", |(_, r)| r).to_string(),
                locked: self.patterns.get(p).cloned(),
            }),
            None => Some(Drift::Missing),
        }
    }

    fn check_berry(&self, dep: &Dep) -> Option<Drift> {
        if dep.field == "peerDependencies" {
            // Recorded as written, apart from the dependencies.
            let recorded = self.peers.get(dep.dir).and_then(|p| p.get(dep.name));
            return match recorded {
                None => Some(Drift::Missing),
                Some(r) if r.trim() == dep.spec.trim() => None,
                Some(r) => Some(Drift::SpecChanged {
                    recorded: r.clone(),
                    locked: None,
                }),
            };
        }
        let Some(recorded_deps) = self.workspaces.get(dep.dir) else {
            return Some(Drift::Missing);
        };
        let Some(recorded) = recorded_deps.get(dep.name) else {
            return Some(Drift::Missing);
        };
        let spec = classify(dep.spec);
        let npm_range = matches!(spec, Spec::Range(_) | Spec::Tag);
        let expected = match spec {
            Spec::Range(_) | Spec::Tag => format!("npm:{}", dep.spec.trim()),
            // Berry binds source descriptors to their workspace (`file:../x::locator=…`).
            Spec::Source => {
                return (!recorded.starts_with(dep.spec.trim())).then(|| Drift::SpecChanged {
                    recorded: recorded.clone(),
                    locked: None,
                });
            }
            _ => dep.spec.trim().to_string(),
        };
        // Lockfiles before v8 (yarn 2 and 3) record a range of the default `npm:` protocol
        // without it (`tiny: ^1.0.0`); yarn 4 writes `npm:^1.0.0`.
        if *recorded == expected || npm_range && recorded.trim() == dep.spec.trim() {
            return None;
        }
        let locked = self.locked_version(&format!("{}@{recorded}", dep.name));
        Some(Drift::SpecChanged {
            recorded: recorded.strip_prefix("npm:").unwrap_or(recorded).to_string(),
            locked,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fmt::Write as _;

    fn no_ws(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn real_v1_fixtures() {
        let lock = Lock::parse(include_str!("../../fixtures/lockfiles/yarn1/single/yarn.lock")).unwrap();
        assert!(!lock.berry);
        assert_eq!(lock.check(&Dep::dependency("", "tiny", "^1.0.0"), &no_ws), None);
        assert_eq!(
            lock.check(&Dep::dependency("", "@fx/util", "~1.3.0"), &no_ws),
            None
        );
        assert_eq!(
            lock.check(&Dep::dependency("", "old-tiny", "npm:tiny@1.0.0"), &no_ws),
            None
        );
        assert_eq!(
            lock.check(&Dep::dependency("", "tiny", "^1.1.0"), &no_ws),
            Some(Drift::SpecChanged {
                recorded: "^1.0.0".into(),
                locked: Some("1.2.0".into())
            }),
            "yarn 1 looks patterns up exactly"
        );
        assert_eq!(
            lock.check(&Dep::dependency("", "extra", "^1.0.0"), &no_ws),
            Some(Drift::Missing)
        );

        let lock = Lock::parse(include_str!("../../fixtures/lockfiles/yarn1/workspace/yarn.lock")).unwrap();
        let ws = |n: &str| (n == "b").then(|| "1.0.0".to_string());
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "b", "^1.0.0"), &ws),
            None
        );
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "b", "^2.0.0"), &ws),
            Some(Drift::Missing)
        );
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "tiny", "^1.0.0"), &ws),
            None
        );
        assert!(
            lock.check(&Dep::dependency("packages/a", "tiny", "^2.0.0"), &ws)
                .is_some()
        );
    }

    #[test]
    fn real_berry_fixtures() {
        let lock = Lock::parse(include_str!("../../fixtures/lockfiles/berry/workspace/yarn.lock")).unwrap();
        assert!(lock.berry);
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "tiny", "^1.0.0"), &no_ws),
            None
        );
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "b", "workspace:*"), &no_ws),
            None
        );
        assert_eq!(
            lock.check(&Dep::dependency("packages/b", "@fx/util", "^1.0.0"), &no_ws),
            None
        );
        assert_eq!(lock.check(&Dep::dependency("", "other", "^1.1.0"), &no_ws), None);
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "tiny", "^2.0.0"), &no_ws),
            Some(Drift::SpecChanged {
                recorded: "^1.0.0".into(),
                locked: Some("1.2.0".into())
            })
        );
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "extra", "^1.0.0"), &no_ws),
            Some(Drift::Missing)
        );
        assert_eq!(
            lock.check(&Dep::dependency("packages/c", "tiny", "^1.0.0"), &no_ws),
            Some(Drift::Missing)
        );

        let lock = Lock::parse(include_str!("../../fixtures/lockfiles/berry/single/yarn.lock")).unwrap();
        assert_eq!(lock.check(&Dep::dependency("", "tiny", "^1.0.0"), &no_ws), None);
        assert_eq!(
            lock.check(&Dep::dependency("", "old-tiny", "npm:tiny@1.0.0"), &no_ws),
            None
        );
        assert!(
            lock.check(&Dep::dependency("", "old-tiny", "npm:tiny@2.0.0"), &no_ws)
                .is_some()
        );
    }

    /// A large monorepo's valid lockfile passes serde-saphyr's default budget (250,000 nodes):
    /// it must still be read, not reported unreadable.
    #[test]
    fn lockfiles_beyond_the_default_yaml_budget() {
        let mut text = String::from("__metadata:\n  version: 8\n  cacheKey: 10c0\n");
        for i in 0..30_000 {
            let _ = writeln!(
                text,
                "\n\"p{i}@npm:^1.0.0\":\n  version: 1.0.{i}\n  resolution: \"p{i}@npm:1.0.{i}\"\n  languageName: node\n  linkType: hard"
            );
        }
        let lock = Lock::parse(&text).unwrap();
        assert_eq!(lock.descriptor_count(), 30_000);
    }

    #[test]
    fn malformed_lockfiles_name_their_line() {
        let e =
            Lock::parse("# yarn lockfile v1\n\ntiny@^1:\n  version \"1.0.0\"\nnot an entry\n").unwrap_err();
        assert_eq!(e.line, 5, "{e:?}");
        let e =
            Lock::parse("# yarn lockfile v1\n\ntiny@^1:\n  resolved \"x\"\n\nother@^1:\n  version \"1\"\n")
                .unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        let e = Lock::parse("  version \"1\"\n").unwrap_err();
        assert_eq!(e.line, 1);
        // Berry: a broken workspace entry, a key line that is not one.
        let e = Lock::parse("__metadata:\n  version: 8\n\n\"a@workspace:.\":\n  version: [\n").unwrap_err();
        assert!(e.line >= 4, "{e:?}");
        let e = Lock::parse("__metadata:\n  version: 8\n\n\"a@npm:1\": [\n").unwrap_err();
        assert_eq!(e.line, 4, "{e:?}");
    }
}
