//! `pnpm-lock.yaml` v5.4–v9: the `importers` section (one entry per workspace package, each
//! dependency with the `specifier` package.json had and the `version` locked; v5.4 keeps the
//! specifiers in a separate `specifiers` map), single-project lockfiles' top-level dependency
//! maps, and the `catalogs` section.
//!
//! `pnpm install --frozen-lockfile` compares the text of each specifier with package.json,
//! field by field (`satisfiesPackageManifest`): a respelled range fails even when the locked
//! version satisfies it (`fixtures/lockfiles/VERIFIED.txt`). So this compares text, not ranges.
//!
//! Only the sections read here are parsed, with a real YAML parser (serde-saphyr): a top-level
//! key of a block mapping starts at column 0 and everything inside it is indented, so the
//! sections are found by a line scan. `packages`/`snapshots`, the bulk of a large lockfile, are
//! never parsed (see `benches/lockfile.rs` for the numbers). A lockfile that is not laid out as
//! pnpm writes it (flow style, a `---` marker) is parsed whole.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Block, Dep, Drift, ParseError, Spec, classify, top_level_blocks, yaml_error, yaml_options};

/// A YAML scalar as pnpm may leave it unquoted (`specifier: 1`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

/// A dependency in an importer: v6+ `{specifier, version}`, v5.4 the version alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Locked {
    Full { specifier: Scalar, version: Scalar },
    Version(Scalar),
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawImporter {
    specifiers: Option<BTreeMap<String, Scalar>>,
    dependencies: Option<BTreeMap<String, Locked>>,
    dev_dependencies: Option<BTreeMap<String, Locked>>,
    optional_dependencies: Option<BTreeMap<String, Locked>>,
}

#[derive(Debug, Clone, Deserialize)]
struct CatalogEntry {
    specifier: Scalar,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    importers: Option<BTreeMap<String, RawImporter>>,
    catalogs: Option<BTreeMap<String, BTreeMap<String, CatalogEntry>>>,
    settings: Option<Settings>,
    /// `overrides` (package.json `pnpm.overrides` / pnpm-workspace.yaml): an importer records
    /// the override as the dependency's specifier.
    overrides: Option<BTreeMap<String, Scalar>>,
    // A single-project lockfile keeps its importer at the top level.
    specifiers: Option<BTreeMap<String, Scalar>>,
    dependencies: Option<BTreeMap<String, Locked>>,
    dev_dependencies: Option<BTreeMap<String, Locked>>,
    optional_dependencies: Option<BTreeMap<String, Locked>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    auto_install_peers: Option<bool>,
}

/// One dependency as the lockfile recorded it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub specifier: String,
    pub version: String,
}

/// An importer's dependencies by field (`dependencies`, `devDependencies`, `optionalDependencies`).
pub type Importer = BTreeMap<&'static str, BTreeMap<String, Recorded>>;

#[derive(Debug, Default)]
pub struct Lock {
    /// Folder ("" = root) -> importer.
    pub importers: BTreeMap<String, Importer>,
    /// Catalog name (`default` for `catalog:`) -> package -> specifier.
    pub catalogs: BTreeMap<String, BTreeMap<String, String>>,
    /// `settings.autoInstallPeers` (pnpm's default, true, when not recorded).
    pub auto_install_peers: bool,
    /// `overrides`: selector (`foo`, `foo@<2`, `parent>foo`) -> spec.
    pub overrides: BTreeMap<String, String>,
}

const FIELDS: [&str; 3] = ["dependencies", "devDependencies", "optionalDependencies"];

/// The top-level sections this reads.
const SECTIONS: &[&str] = &[
    "lockfileVersion",
    "settings",
    "overrides",
    "catalogs",
    "importers",
    "specifiers",
    "dependencies",
    "devDependencies",
    "optionalDependencies",
];

/// The byte ranges of the top-level sections named in `SECTIONS`, with their first line;
/// `None` when the text is not laid out as block mappings from column 0.
fn sections(text: &str) -> Option<Vec<(usize, usize, u32)>> {
    let blocks = top_level_blocks(text)?;
    let key = |b: &Block| {
        b.head
            .split(':')
            .next()
            .unwrap_or("")
            .trim_matches(['\'', '"'])
            .to_string()
    };
    if !blocks.iter().any(|b| key(b) == "lockfileVersion") {
        return None;
    }
    Some(
        blocks
            .iter()
            .filter(|b| SECTIONS.contains(&key(b).as_str()))
            .map(|b| (b.start, b.end, b.line))
            .collect(),
    )
}

impl Raw {
    /// The sections read here, each parsed alone (see the module comment); the whole text when
    /// one does not parse alone.
    fn read(text: &str) -> Result<Raw, ParseError> {
        let whole = || -> Result<Raw, ParseError> {
            let raw: Option<Raw> = serde_saphyr::from_str_with_options(text, yaml_options(text.len()))
                .map_err(|e| yaml_error(&e, 1))?;
            raw.ok_or_else(|| ParseError::new(1, "the lockfile is empty"))
        };
        // A section that does not parse alone may still be valid YAML as part of the whole
        // document (an alias of an anchor in another section, a flow collection spanning lines
        // at column 0): the whole text decides.
        match sections(text) {
            Some(parts) => match Raw::by_sections(text, parts) {
                Ok(raw) => Ok(raw),
                Err(_) => whole(),
            },
            None => whole(),
        }
    }

    fn by_sections(text: &str, parts: Vec<(usize, usize, u32)>) -> Result<Raw, ParseError> {
        let mut raw = Raw::default();
        for (start, end, first_line) in parts {
            let part = &text[start..end];
            let part: Option<Raw> = serde_saphyr::from_str_with_options(part, yaml_options(part.len()))
                .map_err(|e| yaml_error(&e, first_line))?;
            let Some(part) = part else { continue };
            raw.importers = raw.importers.or(part.importers);
            raw.catalogs = raw.catalogs.or(part.catalogs);
            raw.settings = raw.settings.or(part.settings);
            raw.overrides = raw.overrides.or(part.overrides);
            raw.specifiers = raw.specifiers.or(part.specifiers);
            raw.dependencies = raw.dependencies.or(part.dependencies);
            raw.dev_dependencies = raw.dev_dependencies.or(part.dev_dependencies);
            raw.optional_dependencies = raw.optional_dependencies.or(part.optional_dependencies);
        }
        Ok(raw)
    }
}

impl RawImporter {
    /// What the importer records per field: each dependency's specifier and version (v5.4
    /// keeps the specifiers in a map of their own).
    fn recorded(self) -> Importer {
        let specifiers = self.specifiers.unwrap_or_default();
        let mut out = Importer::new();
        let fields = [
            self.dependencies,
            self.dev_dependencies,
            self.optional_dependencies,
        ];
        for (field, deps) in FIELDS.into_iter().zip(fields) {
            let map = out.entry(field).or_default();
            for (name, locked) in deps.unwrap_or_default() {
                let recorded = match locked {
                    Locked::Full { specifier, version } => Recorded {
                        specifier: specifier.text(),
                        version: version.text(),
                    },
                    Locked::Version(v) => Recorded {
                        specifier: specifiers.get(&name).map(Scalar::text).unwrap_or_default(),
                        version: v.text(),
                    },
                };
                map.insert(name, recorded);
            }
        }
        out
    }
}

impl Lock {
    pub fn parse(text: &str) -> Result<Lock, ParseError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if text.trim().is_empty() {
            return Err(ParseError::new(1, "the lockfile is empty"));
        }
        let raw = Raw::read(text)?;
        let mut lock = Lock {
            auto_install_peers: raw
                .settings
                .as_ref()
                .and_then(|s| s.auto_install_peers)
                .unwrap_or(true),
            ..Lock::default()
        };
        lock.overrides = raw
            .overrides
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.text()))
            .collect();
        let mut importers = raw.importers.unwrap_or_default();
        // A single-project lockfile: the root's dependency maps at the top level.
        if raw.dependencies.is_some() || raw.dev_dependencies.is_some() || raw.optional_dependencies.is_some()
        {
            importers.entry(".".to_string()).or_insert(RawImporter {
                specifiers: raw.specifiers,
                dependencies: raw.dependencies,
                dev_dependencies: raw.dev_dependencies,
                optional_dependencies: raw.optional_dependencies,
            });
        }
        for (dir, imp) in importers {
            let dir = if dir == "." {
                String::new()
            } else {
                dir.trim_start_matches("./").trim_end_matches('/').to_string()
            };
            lock.importers.insert(dir, imp.recorded());
        }
        for (catalog, deps) in raw.catalogs.unwrap_or_default() {
            lock.catalogs.insert(
                catalog,
                deps.into_iter().map(|(k, v)| (k, v.specifier.text())).collect(),
            );
        }
        Ok(lock)
    }

    /// What `pnpm install --frozen-lockfile` says about one declared dependency (`None`: in
    /// sync). `catalogs` are pnpm-workspace.yaml's (see [`workspace_catalogs`]).
    pub fn check(&self, dep: &Dep, catalogs: &Catalogs) -> Option<Drift> {
        let Some(importer) = self.importers.get(dep.dir) else {
            return Some(Drift::Missing);
        };
        let field = if dep.field == "peerDependencies" {
            "dependencies"
        } else {
            dep.field
        };
        let Some(rec) = importer.get(field).and_then(|m| m.get(dep.name)) else {
            if let Some((other, _)) = importer
                .iter()
                .find(|(f, m)| **f != field && m.contains_key(dep.name))
            {
                return Some(Drift::OtherField { recorded: other });
            }
            return Some(Drift::Missing);
        };
        if rec.specifier != dep.spec && !self.overridden(dep.name, Some(&rec.specifier)) {
            return Some(Drift::SpecChanged {
                recorded: rec.specifier.clone(),
                locked: Some(rec.version.clone()),
            });
        }
        // An overridden dependency does not take its version from the catalog (pnpm records no
        // `catalogs` entry for it: create-t3-turbo's `vite`).
        if let Spec::Catalog(name) = classify(dep.spec)
            && !self.overridden(dep.name, None)
        {
            let name = if name.is_empty() { "default" } else { name };
            let declared = catalogs.get(name).and_then(|c| c.get(dep.name))?;
            let recorded = self.catalogs.get(name).and_then(|c| c.get(dep.name));
            if recorded != Some(declared) {
                return Some(Drift::CatalogChanged {
                    catalog: name.to_string(),
                    declared: declared.clone(),
                    recorded: recorded.cloned().unwrap_or_else(|| "nothing".to_string()),
                });
            }
        }
        None
    }
}

impl Lock {
    /// Does an override apply to the direct dependency `name` (a selector `name` or
    /// `name@range`; `parent>name` ones apply to transitive dependencies only), and is
    /// `recorded` (when given) what it makes pnpm record? A `$ref` value names another
    /// dependency's spec: taken as in sync.
    fn overridden(&self, name: &str, recorded: Option<&str>) -> bool {
        self.overrides.iter().any(|(selector, value)| {
            let target = selector
                .strip_prefix(name)
                .filter(|rest| rest.is_empty() || rest.starts_with('@'));
            target.is_some() && recorded.is_none_or(|r| value == r || value.starts_with('$'))
        })
    }
}

/// pnpm-workspace.yaml's catalogs: name (`default` for `catalog:`) -> package -> range.
pub type Catalogs = BTreeMap<String, BTreeMap<String, String>>;

/// The `catalog:` and `catalogs:` of a pnpm-workspace.yaml (malformed: none; the file's syntax is
/// reported by `files/unreadable` already).
pub fn workspace_catalogs(text: &str) -> Catalogs {
    #[derive(Deserialize)]
    struct Ws {
        catalog: Option<BTreeMap<String, Scalar>>,
        catalogs: Option<BTreeMap<String, BTreeMap<String, Scalar>>>,
    }
    let Ok(Some(ws)) = serde_saphyr::from_str::<Option<Ws>>(text) else {
        return Catalogs::new();
    };
    let text_map = |m: BTreeMap<String, Scalar>| m.into_iter().map(|(k, v)| (k, v.text())).collect();
    let mut out: Catalogs = ws
        .catalogs
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, text_map(v)))
        .collect();
    if let Some(c) = ws.catalog {
        out.insert("default".to_string(), text_map(c));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep<'a>(dir: &'a str, field: &'static str, name: &'a str, spec: &'a str) -> Dep<'a> {
        Dep {
            dir,
            field,
            name,
            spec,
        }
    }

    const WS: &str = include_str!("../../fixtures/lockfiles/pnpm/workspace/pnpm-lock.yaml");

    #[test]
    fn real_workspace_fixture() {
        let lock = Lock::parse(WS).unwrap();
        let cats = workspace_catalogs(include_str!(
            "../../fixtures/lockfiles/pnpm/workspace/pnpm-workspace.yaml"
        ));
        let d = "dependencies";
        assert_eq!(lock.check(&dep("packages/a", d, "tiny", "^1.0.0"), &cats), None);
        assert_eq!(lock.check(&dep("packages/a", d, "b", "workspace:*"), &cats), None);
        assert_eq!(
            lock.check(&dep("packages/b", d, "@fx/util", "catalog:"), &cats),
            None
        );
        assert_eq!(
            lock.check(&dep("", "devDependencies", "other", "^1.1.0"), &cats),
            None
        );
        assert_eq!(
            lock.check(&dep("packages/a", d, "tiny", "^1.1.0"), &cats),
            Some(Drift::SpecChanged {
                recorded: "^1.0.0".into(),
                locked: Some("1.2.0".into())
            }),
            "pnpm compares specifier text"
        );
        assert_eq!(
            lock.check(&dep("packages/a", d, "extra", "^1.0.0"), &cats),
            Some(Drift::Missing)
        );
        assert_eq!(
            lock.check(&dep("packages/a", "devDependencies", "tiny", "^1.0.0"), &cats),
            Some(Drift::OtherField {
                recorded: "dependencies"
            })
        );
        assert_eq!(
            lock.check(&dep("packages/c", d, "tiny", "^1.0.0"), &cats),
            Some(Drift::Missing)
        );
        // The workspace's catalog moved on without the lockfile.
        let moved = workspace_catalogs("catalog:\n  '@fx/util': ^2.0.0\n");
        assert!(matches!(
            lock.check(&dep("packages/b", d, "@fx/util", "catalog:"), &moved),
            Some(Drift::CatalogChanged { .. })
        ));
    }

    #[test]
    fn real_single_fixture() {
        let lock = Lock::parse(include_str!(
            "../../fixtures/lockfiles/pnpm/single/pnpm-lock.yaml"
        ))
        .unwrap();
        let none = Catalogs::new();
        let d = "dependencies";
        assert_eq!(lock.check(&dep("", d, "tiny", "^1.0.0"), &none), None);
        assert_eq!(lock.check(&dep("", d, "old-tiny", "npm:tiny@1.0.0"), &none), None);
        assert_eq!(lock.check(&dep("", d, "@fx/util", "~1.3.0"), &none), None);
        assert!(matches!(
            lock.check(&dep("", d, "tiny", "^2.0.0"), &none),
            Some(Drift::SpecChanged { .. })
        ));
    }

    /// Real-repo findings (elk, create-t3-turbo): an override is what pnpm records.
    #[test]
    fn overrides_are_what_importers_record() {
        let text = "lockfileVersion: '9.0'\n\noverrides:\n  unstorage: ^1.17.5\n  'vite@<8': 7.1.12\n  'a>tiny': 1.0.0\n\nimporters:\n\n  .:\n    dependencies:\n      unstorage:\n        specifier: ^1.17.5\n        version: 1.17.5\n      vite:\n        specifier: 7.1.12\n        version: 7.1.12\n      tiny:\n        specifier: 1.0.0\n        version: 1.0.0\n";
        let lock = Lock::parse(text).unwrap();
        let none = Catalogs::new();
        let d = "dependencies";
        assert_eq!(lock.check(&dep("", d, "unstorage", "^1.17.1"), &none), None);
        assert_eq!(lock.check(&dep("", d, "vite", "catalog:"), &none), None);
        let cats = workspace_catalogs("catalog:\n  vite: 7.1.12\n");
        assert_eq!(lock.check(&dep("", d, "vite", "catalog:"), &cats), None);
        // A parent-scoped override does not apply to a direct dependency.
        assert!(lock.check(&dep("", d, "tiny", "^1.0.0"), &none).is_some());
    }

    #[test]
    fn older_layouts() {
        // v5.4: specifiers apart; v6 single project: importer at the top level; peer suffixes.
        let v5 = "lockfileVersion: 5.4\n\nspecifiers:\n  react: ^18.2.0\n\ndependencies:\n  react: 18.2.0\n\npackages:\n\n  /react/18.2.0:\n    resolution: {integrity: x}\n";
        let lock = Lock::parse(v5).unwrap();
        let none = Catalogs::new();
        assert_eq!(
            lock.check(&dep("", "dependencies", "react", "^18.2.0"), &none),
            None
        );
        let v6 = "lockfileVersion: '6.0'\n\ndependencies:\n  react-dom:\n    specifier: ^18.2.0\n    version: 18.2.0(react@18.2.0)\n";
        let lock = Lock::parse(v6).unwrap();
        assert_eq!(
            lock.check(&dep("", "dependencies", "react-dom", "^18.2.0"), &none),
            None
        );
        // Flow style, parsed whole.
        let flow = "{lockfileVersion: '9.0', importers: {'.': {dependencies: {a: {specifier: '1', version: 1.0.0}}}}}";
        let lock = Lock::parse(flow).unwrap();
        assert_eq!(lock.check(&dep("", "dependencies", "a", "1"), &none), None);
    }

    #[test]
    fn malformed_lockfiles_name_their_line() {
        let bad = "lockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      a: {specifier: [\n\npackages: {}\n";
        let e = Lock::parse(bad).unwrap_err();
        assert!((7..=8).contains(&e.line), "{e:?}");
        assert!(Lock::parse("").is_err());
        assert!(Lock::parse("lockfileVersion: '9.0'\nimporters: 3\n").is_err());
    }
}
