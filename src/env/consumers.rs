//! Which workspace packages use which: a library package (`packages/email`) reads env vars
//! that the apps depending on it (`apps/web`) must provide, so a read in the library is
//! declared by those apps' declaration files. A package uses another when one of its dependency
//! fields names it with the `workspace:` protocol, `*`, or a range the workspace copy's version
//! satisfies (the package managers link the workspace copy then, not a registry one).

use std::collections::{BTreeSet, HashMap};

use super::version_range;

/// One workspace package, as read from its package.json.
#[derive(Debug, Clone, Default)]
pub struct WorkspacePackage {
    /// Its folder, repo-relative, without a trailing `/`.
    pub dir: String,
    pub name: String,
    pub version: Option<String>,
    /// (dependency name, version spec) from `dependencies`, `devDependencies`,
    /// `peerDependencies` and `optionalDependencies`.
    pub deps: Vec<(String, String)>,
}

/// The workspace packages and who depends on whom.
#[derive(Debug, Default)]
pub struct Workspace {
    pkgs: Vec<WorkspacePackage>,
    /// Index -> indexes of the packages that depend on it directly.
    dependents: Vec<Vec<usize>>,
}

/// Whether a dependency spec picks the workspace copy of a package at `version`.
pub fn uses_workspace_copy(spec: &str, version: Option<&str>) -> bool {
    let spec = spec.trim();
    if spec.starts_with("workspace:") || matches!(spec, "" | "*" | "x" | "X") {
        return true;
    }
    version.is_some_and(|v| version_range::satisfies(v, spec))
}

impl Workspace {
    pub fn new(mut pkgs: Vec<WorkspacePackage>) -> Workspace {
        pkgs.sort_by(|a, b| a.dir.cmp(&b.dir));
        // Large monorepos have thousands of packages with dozens of dependencies each.
        let by_name: HashMap<&str, usize> = pkgs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.name.as_str(), i))
            .collect();
        let mut dependents = vec![Vec::new(); pkgs.len()];
        for (user, p) in pkgs.iter().enumerate() {
            for (dep, spec) in &p.deps {
                let used = by_name.get(dep.as_str()).copied();
                if let Some(lib) = used.filter(|&lib| lib != user)
                    && uses_workspace_copy(spec, pkgs[lib].version.as_deref())
                    && !dependents[lib].contains(&user)
                {
                    dependents[lib].push(user);
                }
            }
        }
        Workspace { pkgs, dependents }
    }

    /// Whether the repository has workspace packages besides its root.
    pub fn has_packages(&self) -> bool {
        self.pkgs.iter().any(|p| !p.dir.is_empty())
    }

    /// The workspace package whose folder holds `path` (the deepest, for nested packages).
    pub fn package_of(&self, path: &str) -> Option<usize> {
        self.pkgs
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                !p.dir.is_empty()
                    && path
                        .strip_prefix(p.dir.as_str())
                        .is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|(_, p)| p.dir.len())
            .map(|(i, _)| i)
    }

    pub fn get(&self, i: usize) -> &WorkspacePackage {
        &self.pkgs[i]
    }

    /// Every package that depends on package `i`, directly or through other workspace
    /// packages, sorted by folder (cycles are fine; `i` itself is not included).
    pub fn consumers(&self, i: usize) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![i];
        while let Some(j) = todo.pop() {
            for &k in &self.dependents[j] {
                if k != i && seen.insert(k) {
                    todo.push(k);
                }
            }
        }
        // Folders sort the same way as indexes (packages are sorted by folder).
        seen.into_iter().collect()
    }

    /// The consumers of package `i` that nothing in the workspace depends on: the apps where
    /// its env vars are finally set. All consumers if every one is used by another (a cycle).
    pub fn top_consumers(&self, i: usize) -> Vec<usize> {
        let all = self.consumers(i);
        let top: Vec<usize> = all
            .iter()
            .copied()
            .filter(|&c| self.dependents[c].iter().all(|&d| d == i))
            .collect();
        if top.is_empty() { all } else { top }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pkg(dir: &str, name: &str, version: Option<&str>, deps: &[(&str, &str)]) -> WorkspacePackage {
        WorkspacePackage {
            dir: dir.into(),
            name: name.into(),
            version: version.map(Into::into),
            deps: deps.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        }
    }

    fn dirs(w: &Workspace, list: Vec<usize>) -> Vec<&str> {
        list.into_iter().map(|i| w.get(i).dir.as_str()).collect()
    }

    #[test]
    fn direct_transitive_and_by_range() {
        let w = Workspace::new(vec![
            pkg("apps/web", "web", None, &[("@acme/ui", "workspace:*")]),
            pkg("apps/admin", "admin", None, &[("@acme/email", "^1.0.0")]),
            pkg("apps/old", "old", None, &[("@acme/email", "^2.0.0")]),
            pkg("apps/docs", "docs", None, &[("react", "^18")]),
            pkg("packages/ui", "@acme/ui", Some("0.1.0"), &[("@acme/email", "*")]),
            pkg("packages/email", "@acme/email", Some("1.4.0"), &[]),
        ]);
        let email = w.package_of("packages/email/src/send.ts").unwrap();
        assert_eq!(w.get(email).name, "@acme/email");
        assert_eq!(
            dirs(&w, w.consumers(email)),
            ["apps/admin", "apps/web", "packages/ui"]
        );
        assert_eq!(dirs(&w, w.top_consumers(email)), ["apps/admin", "apps/web"]);
        let ui = w.package_of("packages/ui/index.ts").unwrap();
        assert_eq!(dirs(&w, w.consumers(ui)), ["apps/web"]);
        assert_eq!(w.package_of("packages/emailer/x.ts"), None);
        assert_eq!(w.package_of("src/x.ts"), None);
    }

    #[test]
    fn cycles_and_nesting() {
        let w = Workspace::new(vec![
            pkg("a", "a", None, &[("b", "workspace:^")]),
            pkg("b", "b", None, &[("a", "workspace:~"), ("b", "*")]),
            pkg("a/nested", "n", None, &[]),
        ]);
        let a = w.package_of("a/x.ts").unwrap();
        assert_eq!(dirs(&w, w.consumers(a)), ["b"]);
        assert_eq!(dirs(&w, w.top_consumers(a)), ["b"]);
        assert_eq!(w.get(w.package_of("a/nested/x.ts").unwrap()).name, "n");
    }

    #[test]
    fn specs() {
        assert!(uses_workspace_copy("workspace:*", None));
        assert!(uses_workspace_copy("workspace:^1.0.0", Some("2.0.0")));
        assert!(uses_workspace_copy("*", None));
        assert!(uses_workspace_copy("~1.2.0", Some("1.2.5")));
        assert!(!uses_workspace_copy("~1.2.0", Some("1.3.0")));
        assert!(!uses_workspace_copy("^1.0.0", None));
        assert!(!uses_workspace_copy("npm:other@1", Some("1.0.0")));
    }
}
