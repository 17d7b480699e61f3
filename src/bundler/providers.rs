//! Providers as data (`data/providers.txt`): a dependency's bundler plugin or framework provides
//! modules (`~icons/*`, `#imports`, `uno.css`) and env names to the package that declares it.

use crate::resolve::packages::Packages;

const DATA: &str = include_str!("../../data/providers.txt");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum What {
    Module,
    Env,
    /// A file extension the bundler probes for an extensionless import (`./App` -> `App.vue`).
    Extension,
}

/// One line of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// The declaring dependency: a name, `@scope/*`, `prefix-*`, or `-` (no package.json).
    pub key: &'static str,
    pub what: What,
    /// `kind@<file name pattern>`: the line applies only to files so named (`next.config.*`).
    pub file: Option<&'static str>,
    pub patterns: Vec<&'static str>,
}

impl Provider {
    /// Does a manifest's dependency (or own name) `dep` match this line's key?
    pub fn keyed_by(&self, dep: &str) -> bool {
        match self.key.strip_suffix('*') {
            Some(prefix) => dep.starts_with(prefix) && dep.len() > prefix.len(),
            None => dep == self.key,
        }
    }

    pub fn matches(&self, s: &str) -> bool {
        self.patterns.iter().any(|p| pattern_matches(p, s))
    }
}

/// `p` exactly, or with a trailing `*`, the prefix and a non-empty rest.
pub fn pattern_matches(p: &str, s: &str) -> bool {
    match p.strip_suffix('*') {
        Some(prefix) => s.len() > prefix.len() && s.starts_with(prefix),
        None => p == s,
    }
}

/// The table. Malformed lines are left out (a unit test keeps the file well formed).
pub fn table() -> &'static [Provider] {
    static TABLE: std::sync::OnceLock<Vec<Provider>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| crate::data::lines(DATA).filter_map(parse_line).collect())
}

/// One entry of [`crate::data::lines`].
fn parse_line(line: &'static str) -> Option<Provider> {
    let mut words = line.split_whitespace();
    let key = words.next()?;
    let (kind, file) = match words.next()?.split_once('@') {
        Some((_, "")) => return None,
        Some((kind, file)) => (kind, Some(file)),
        None => (line.split_whitespace().nth(1)?, None),
    };
    let what = match kind {
        "module" => What::Module,
        "env" => What::Env,
        "extension" => What::Extension,
        _ => return None,
    };
    let patterns: Vec<&str> = words.collect();
    (!patterns.is_empty()).then_some(Provider {
        key,
        what,
        file,
        patterns,
    })
}

/// Whether a line for env names is limited to some file names (`env@next.config.*`): then
/// which names a provider defines for a file depends on its name, not only on its folder.
pub fn env_lines_name_files() -> bool {
    static CELL: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *CELL.get_or_init(|| table().iter().any(|p| p.what == What::Env && p.file.is_some()))
}

/// Which lines apply to the files of each package folder: those whose key the folder's
/// package.json declares (or names), computed once per snapshot.
#[derive(Debug, Default)]
pub struct Applicable {
    /// Manifest folder -> indexes into [`table`].
    by_dir: rustc_hash::FxHashMap<String, Vec<usize>>,
    /// Lines keyed `-`.
    no_manifest: Vec<usize>,
    /// Every folder holding a package.json.
    /// (Hashed: every provider question walks the importer's folders through it.)
    manifests: rustc_hash::FxHashSet<String>,
}

impl Applicable {
    pub fn new(packages: &Packages) -> Applicable {
        let table = table();
        let mut by_dir = rustc_hash::FxHashMap::default();
        for (dir, m) in &packages.manifests {
            let lines: Vec<usize> = table
                .iter()
                .enumerate()
                .filter(|(_, p)| {
                    p.key != "-"
                        && (m.deps.iter().any(|d| p.keyed_by(d))
                            || m.name.as_deref().is_some_and(|n| p.keyed_by(n)))
                })
                .map(|(i, _)| i)
                .collect();
            if !lines.is_empty() {
                by_dir.insert(dir.clone(), lines);
            }
        }
        let no_manifest = table
            .iter()
            .enumerate()
            .filter(|(_, p)| p.key == "-")
            .map(|(i, _)| i)
            .collect();
        Applicable {
            by_dir,
            no_manifest,
            manifests: packages.manifests.keys().cloned().collect(),
        }
    }

    /// The provider of `s` (a module specifier or an env name) for a file at `importer`: a line
    /// that the nearest package.json on its walk or the root's declares, or a `-` line when
    /// there is no package.json on the walk.
    pub fn provider(&self, importer: &str, what: What, s: &str) -> Option<&'static Provider> {
        let table = table();
        let nearest = self.nearest_manifest(importer);
        let dirs: &[&str] = match nearest {
            Some("") => &[""],
            Some(d) => &[d, ""],
            None => &[],
        };
        let lines = dirs
            .iter()
            .filter_map(|d| self.by_dir.get(*d))
            .flatten()
            .chain(if nearest.is_none() {
                &self.no_manifest[..]
            } else {
                &[]
            });
        let name = importer.rsplit('/').next().unwrap_or(importer);
        lines
            .map(|&i| &table[i])
            .find(|p| p.what == what && p.file.is_none_or(|f| pattern_matches(f, name)) && p.matches(s))
    }
}

impl Applicable {
    fn nearest_manifest<'s>(&'s self, importer: &str) -> Option<&'s str> {
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some(d) = self.manifests.get(dir) {
                return Some(d.as_str());
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of `data/providers.txt` is well formed.
    #[test]
    fn every_line_parses() {
        for line in crate::data::lines(DATA) {
            assert!(
                parse_line(line).is_some(),
                "malformed line in data/providers.txt: {line}"
            );
        }
        assert!(table().len() > 10);
    }

    #[test]
    fn patterns() {
        assert!(pattern_matches("~icons/*", "~icons/lucide/check"));
        assert!(!pattern_matches("~icons/*", "~icons/"));
        assert!(!pattern_matches("~icons/*", "~iconsx/a"));
        assert!(pattern_matches("uno.css", "uno.css"));
        assert!(!pattern_matches("uno.css", "uno.css/x"));
        let p = parse_line("@unocss/* module uno.css").unwrap();
        assert!(p.keyed_by("@unocss/vite"));
        assert!(!p.keyed_by("@unocss"));
        assert!(!p.keyed_by("unocss"));
    }
}
