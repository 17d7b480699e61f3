//! `package-lock.json` (and `npm-shrinkwrap.json`) v2/v3: the `packages` map of install
//! locations (`node_modules/x`, `packages/a/node_modules/x`, workspace folders, `link` entries).
//!
//! `npm ci` builds the ideal tree from the lockfile and package.json and fails when a node
//! differs from the locked one: a dependency with no node where Node would find it, or a node
//! outside the declared range. A changed spec that the locked version still satisfies passes
//! (`fixtures/lockfiles/VERIFIED.txt`, "respelled"), so the spec text npm records in
//! `packages[""]` is not compared. Lockfile v1 (npm 6, no `packages` map) is not read: nothing
//! is reported against it.

use std::collections::HashMap;

use serde::Deserialize;

use super::{Dep, Drift, ParseError, Spec, classify, satisfies};

#[derive(Debug, Default, Deserialize)]
struct Raw {
    #[serde(rename = "lockfileVersion")]
    version: Option<serde_json::Value>,
    packages: Option<HashMap<String, Entry>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Entry {
    pub version: Option<String>,
    /// The real name of an aliased package (`"x": "npm:y@^1"` installs `node_modules/x` named `y`).
    pub name: Option<String>,
    #[serde(default)]
    pub link: bool,
    /// For a `link` entry, the folder it points to.
    pub resolved: Option<String>,
}

#[derive(Debug, Default)]
pub struct Lock {
    /// Install location -> entry.
    pub packages: HashMap<String, Entry>,
    /// A v2/v3 lockfile (v1 is not read: nothing is reported against it).
    pub supported: bool,
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, ParseError> {
        // npm reads a lockfile that starts with a UTF-8 BOM (`npm ci` accepts it).
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: Raw = serde_json::from_str(text).map_err(|e| {
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            ParseError::new(e.line() as u32, msg)
        })?;
        let version = raw
            .version
            .as_ref()
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(1);
        Ok(Lock {
            // v1 (npm 6) keeps no `packages` map, and `npm ci` still installs from it: not read.
            supported: version >= 2 || raw.packages.is_some(),
            packages: raw.packages.unwrap_or_default(),
        })
    }

    /// The entry Node would load for `name` required from the package in `dir`: its own
    /// `node_modules`, then each parent folder's, up to the root's.
    fn find(&self, dir: &str, name: &str) -> Option<&Entry> {
        let mut d = dir;
        loop {
            let key = if d.is_empty() {
                format!("node_modules/{name}")
            } else {
                format!("{d}/node_modules/{name}")
            };
            if let Some(e) = self.packages.get(&key) {
                return Some(e);
            }
            if d.is_empty() {
                return None;
            }
            d = d.rsplit_once('/').map_or("", |(p, _)| p);
        }
    }

    /// What `npm ci` says about one declared dependency; `None` when it is satisfied.
    pub fn check(&self, dep: &Dep) -> Option<Drift> {
        if !self.supported {
            return None;
        }
        let spec = classify(dep.spec);
        if matches!(spec, Spec::Workspace | Spec::Catalog(_)) {
            // npm rejects these protocols at install; that is not lockfile drift.
            return None;
        }
        let Some(entry) = self.find(dep.dir, dep.name) else {
            return Some(Drift::Missing);
        };
        // A workspace link: the version is the linked folder's.
        let entry = if entry.link {
            entry.resolved.as_deref().and_then(|r| self.packages.get(r))?
        } else {
            entry
        };
        let version = entry.version.as_deref()?;
        match spec {
            Spec::Range(range) => match satisfies(&range, version) {
                Some(false) => Some(Drift::OutOfRange {
                    locked: version.to_string(),
                }),
                _ => None,
            },
            Spec::Alias { target, range } => {
                if entry.name.as_deref().is_some_and(|n| n != target) {
                    return Some(Drift::SpecChanged {
                        recorded: format!("npm:{}@{version}", entry.name.as_deref().unwrap_or("")),
                        locked: Some(version.to_string()),
                    });
                }
                let range = node_semver::Range::parse(if range.is_empty() { "*" } else { range }).ok()?;
                match satisfies(&range, version) {
                    Some(false) => Some(Drift::OutOfRange {
                        locked: version.to_string(),
                    }),
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_single_fixture() {
        let lock = Lock::parse(include_str!(
            "../../fixtures/lockfiles/npm/single/package-lock.json"
        ))
        .unwrap();
        assert_eq!(lock.check(&Dep::dependency("", "tiny", "^1.0.0")), None);
        assert_eq!(
            lock.check(&Dep::dependency("", "tiny", "^1.1.0")),
            None,
            "npm ci passes a respelled range"
        );
        assert_eq!(
            lock.check(&Dep::dependency("", "tiny", "^2.0.0")),
            Some(Drift::OutOfRange {
                locked: "1.2.0".into()
            })
        );
        assert_eq!(
            lock.check(&Dep::dependency("", "extra", "^1.0.0")),
            Some(Drift::Missing)
        );
        assert_eq!(lock.check(&Dep::dependency("", "@fx/util", "~1.3.0")), None);
        assert_eq!(
            lock.check(&Dep::dependency("", "old-tiny", "npm:tiny@1.0.0")),
            None
        );
        assert!(matches!(
            lock.check(&Dep::dependency("", "old-tiny", "npm:tiny@^2")),
            Some(Drift::OutOfRange { .. })
        ));
        assert!(matches!(
            lock.check(&Dep::dependency("", "old-tiny", "npm:other@1.0.0")),
            Some(Drift::SpecChanged { .. })
        ));
        // Tags and sources only need the package to be locked.
        assert_eq!(lock.check(&Dep::dependency("", "tiny", "latest")), None);
        assert_eq!(lock.check(&Dep::dependency("", "tiny", "file:../tiny")), None);
    }

    #[test]
    fn real_workspace_fixture() {
        let lock = Lock::parse(include_str!(
            "../../fixtures/lockfiles/npm/workspace/package-lock.json"
        ))
        .unwrap();
        assert_eq!(lock.check(&Dep::dependency("packages/a", "tiny", "^1.0.0")), None);
        assert_eq!(
            lock.check(&Dep::dependency("packages/a", "b", "^1.0.0")),
            None,
            "a workspace link"
        );
        assert!(matches!(
            lock.check(&Dep::dependency("packages/a", "b", "^2.0.0")),
            Some(Drift::OutOfRange { .. })
        ));
        assert_eq!(
            lock.check(&Dep::dependency("packages/b", "@fx/util", "^1.0.0")),
            None
        );
        assert_eq!(
            lock.check(&Dep::dependency("packages/b", "extra", "^1.0.0")),
            Some(Drift::Missing)
        );
        assert_eq!(lock.check(&Dep::dependency("", "other", "^1.1.0")), None);
    }

    #[test]
    fn malformed_lockfiles_name_their_line() {
        let e = Lock::parse("{\n  \"packages\": {\n    \"\": 3,\n").unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        // npm 6's v1 lockfile is not read (`npm ci` accepts it): nothing to report.
        let v1 = Lock::parse("{\"lockfileVersion\": 1, \"dependencies\": {}}").unwrap();
        assert_eq!(v1.check(&Dep::dependency("", "tiny", "^1.0.0")), None);
        // A v3 lockfile without a `packages` map locks nothing.
        let empty = Lock::parse("{\"lockfileVersion\": 3}").unwrap();
        assert_eq!(
            empty.check(&Dep::dependency("", "tiny", "^1.0.0")),
            Some(Drift::Missing)
        );
        assert!(Lock::parse("").is_err());
        // A BOM is not an error (`npm ci` accepts it).
        let bom = Lock::parse("\u{feff}{\"lockfileVersion\": 3, \"packages\": {}}").unwrap();
        assert!(bom.supported);
    }
}
