//! package.json manifests and workspaces of a snapshot: which packages a file may import.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::codes;
use crate::diagnostic::Finding;
use crate::manifest::{parse_jsonc, parse_pnpm_workspace};
use crate::snapshot::Snapshot;

#[derive(Debug, Default)]
pub struct Manifest {
    pub name: Option<String>,
    /// Names in dependencies, devDependencies, peerDependencies, optionalDependencies.
    pub deps: HashSet<String>,
    pub json: Value,
    /// The package.json's blob id and bytes, for readers of the same snapshot that would read
    /// it again (the env declarations: its `scripts`); `None` without a blob id (a work tree).
    pub blob: Option<(git2::Oid, Vec<u8>)>,
}

#[derive(Debug, Default)]
pub struct Packages {
    /// Folder ("" = root) -> manifest.
    pub manifests: BTreeMap<String, Manifest>,
    /// Workspace package name -> its folder.
    pub workspaces: HashMap<String, String>,
    manager: Manager,
    /// Packages declared by the root or any workspace package, when the package manager hoists
    /// them into the root `node_modules` (npm, yarn classic or `nodeLinker: node-modules`, pnpm
    /// with `node-linker=hoisted`/`shamefully-hoist`), where every workspace file resolves them.
    hoisted: Option<HashSet<String>>,
}

/// The repository's package manager.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum Manager {
    #[default]
    Npm,
    Pnpm,
    Yarn,
    Bun,
}

/// Which package manager installs the folder `dir` (`""`: the repository root) from its
/// `packageManager` field or its lockfile, and does it hoist dependencies into `dir`'s
/// `node_modules`?
fn detect_manager(snap: &Snapshot, dir: &str, root: Option<&Manifest>) -> (Manager, bool) {
    let declared = root
        .and_then(|m| m.json.get("packageManager"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let at = |name: &str| super::specifier::join_rel(dir, name);
    let text = |p: &str| {
        let p = &at(p);
        snap.is_file(p)
            .then(|| snap.read(p).ok())
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    let setting = |text: &str, keys: &[&str]| {
        text.lines().any(|l| {
            let l: String = l
                .split('#')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            keys.iter().any(|k| l.eq_ignore_ascii_case(k))
        })
    };
    let is_file = |name: &str| snap.is_file(&at(name));
    let manager = if declared.starts_with("pnpm@")
        || (declared.is_empty() && (is_file("pnpm-lock.yaml") || is_file("pnpm-workspace.yaml")))
    {
        Manager::Pnpm
    } else if declared.starts_with("yarn@") || (declared.is_empty() && is_file("yarn.lock")) {
        Manager::Yarn
    } else if declared.starts_with("bun@")
        || (declared.is_empty() && (is_file("bun.lockb") || is_file("bun.lock")))
    {
        Manager::Bun
    } else {
        Manager::Npm
    };
    let hoisted = match manager {
        Manager::Npm | Manager::Bun => true,
        Manager::Pnpm => {
            setting(&text(".npmrc"), &["node-linker=hoisted", "shamefully-hoist=true"])
                || setting(
                    &text("pnpm-workspace.yaml"),
                    &["nodeLinker:hoisted", "shamefullyHoist:true"],
                )
        }
        Manager::Yarn => {
            let berry =
                is_file(".yarnrc.yml") || declared.split('@').nth(1).is_some_and(|v| !v.starts_with('1'));
            // Berry defaults to Plug'n'Play, which is strict.
            !berry
                || setting(
                    &text(".yarnrc.yml"),
                    &[
                        "nodeLinker:node-modules",
                        "nodeLinker:\"node-modules\"",
                        "nodeLinker:'node-modules'",
                    ],
                )
        }
    };
    (manager, hoisted)
}

const DEP_FIELDS: &[&str] = &[
    "dependencies",
    "devDependencies",
    "peerDependencies",
    "optionalDependencies",
];

impl Packages {
    pub fn load(snap: &Snapshot, unreadable: &mut Vec<Finding>) -> Packages {
        let mut pk = Packages::default();
        let paths: Vec<&str> = snap
            .special_paths()
            .iter()
            .map(String::as_str)
            .filter(|p| {
                (*p == "package.json" || p.ends_with("/package.json")) && !p.contains("node_modules/")
            })
            .collect();
        for (path, bytes) in paths.iter().zip(snap.read_many(&paths)) {
            let Ok(bytes) = bytes else { continue };
            let json = match parse_jsonc(path, &bytes) {
                Ok(v) if v.is_object() => v,
                Ok(_) => {
                    unreadable.push(
                        Finding::new(
                            &codes::FILES_UNREADABLE,
                            *path,
                            format!("`{path}` is not a JSON object"),
                        )
                        .at(1, 1),
                    );
                    continue;
                }
                Err(f) => {
                    unreadable.push(f);
                    continue;
                }
            };
            let mut deps = HashSet::new();
            for field in DEP_FIELDS {
                if let Some(obj) = json.get(field).and_then(Value::as_object) {
                    deps.extend(obj.keys().cloned());
                }
            }
            let name = json.get("name").and_then(Value::as_str).map(str::to_string);
            let dir = path
                .strip_suffix("package.json")
                .unwrap_or("")
                .trim_end_matches('/')
                .to_string();
            let blob = snap
                .get(path)
                .map(|e| e.oid)
                .filter(|oid| !oid.is_zero())
                .map(|oid| (oid, bytes));
            pk.manifests.insert(
                dir,
                Manifest {
                    name,
                    deps,
                    json,
                    blob,
                },
            );
        }
        pk.workspaces = pk.find_workspaces(snap, "", unreadable);
        let (manager, hoisted) = detect_manager(snap, "", pk.manifests.get(""));
        pk.manager = manager;
        if hoisted {
            let members = std::iter::once("").chain(pk.workspaces.values().map(String::as_str));
            pk.hoisted = Some(
                members
                    .filter_map(|d| pk.manifests.get(d))
                    .flat_map(|m| m.deps.iter().cloned())
                    .collect(),
            );
        }
        pk
    }

    /// The bytes of the package.json at `path` when they were read from blob `oid`.
    pub fn manifest_bytes(&self, path: &str, oid: &git2::Oid) -> Option<&[u8]> {
        let dir = match path.strip_suffix("package.json")? {
            "" => "",
            d => d.strip_suffix('/')?,
        };
        match &self.manifests.get(dir)?.blob {
            Some((id, bytes)) if id == oid => Some(bytes),
            _ => None,
        }
    }

    pub fn manager(&self) -> Manager {
        self.manager
    }

    /// An install root below the repository root: the folder `dir` with a package.json of its
    /// own, installed by its own package manager (from its lockfile or `packageManager`), with
    /// its workspace packages (name -> repo-relative folder).
    pub fn install_root(&self, snap: &Snapshot, dir: &str) -> (Manager, HashMap<String, String>) {
        let (manager, _) = detect_manager(snap, dir, self.manifests.get(dir));
        (manager, self.find_workspaces(snap, dir, &mut Vec::new()))
    }

    /// Workspace globs from the package.json of `dir` (`workspaces`: array or `{ packages }`)
    /// and its `pnpm-workspace.yaml`, matched against the snapshot's package.json folders below
    /// it (`""`: the repository root).
    fn find_workspaces(
        &self,
        snap: &Snapshot,
        dir: &str,
        unreadable: &mut Vec<Finding>,
    ) -> HashMap<String, String> {
        let mut globs: Vec<String> = Vec::new();
        let pnpm_workspace = super::specifier::join_rel(dir, "pnpm-workspace.yaml");
        if let Some(root) = self.manifests.get(dir) {
            let ws = root.json.get("workspaces");
            let list = ws
                .and_then(Value::as_array)
                .or_else(|| ws?.get("packages")?.as_array());
            globs.extend(
                list.into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string),
            );
        }
        if snap.is_file(&pnpm_workspace) {
            match snap.read(&pnpm_workspace).map(|b| parse_pnpm_workspace(&b)) {
                Ok(Ok(list)) => globs.extend(list),
                Ok(Err((line, msg))) => unreadable.push(
                    Finding::new(&codes::FILES_UNREADABLE, pnpm_workspace.as_str(), msg)
                        .at(line, 1)
                        .help("fix the syntax of `pnpm-workspace.yaml`; hookctl goes on without it"),
                ),
                Err(_) => {}
            }
        }
        let mut include = globset::GlobSetBuilder::new();
        let mut exclude = globset::GlobSetBuilder::new();
        for g in &globs {
            let (neg, pat) = match g.strip_prefix('!') {
                Some(p) => (true, p),
                None => (false, g.as_str()),
            };
            let pat = pat.trim_start_matches("./").trim_end_matches('/');
            if let Ok(glob) = globset::GlobBuilder::new(pat).literal_separator(true).build() {
                if neg {
                    exclude.add(glob)
                } else {
                    include.add(glob)
                };
            }
        }
        let (Ok(include), Ok(exclude)) = (include.build(), exclude.build()) else {
            return HashMap::new();
        };
        let mut out = HashMap::new();
        for (member, m) in &self.manifests {
            let rel = if dir.is_empty() {
                member.as_str()
            } else {
                match member.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) {
                    Some(rel) => rel,
                    None => continue,
                }
            };
            if rel.is_empty() || !include.is_match(rel) || exclude.is_match(rel) {
                continue;
            }
            if let Some(name) = &m.name {
                out.insert(name.clone(), member.clone());
            }
        }
        out
    }

    /// Is `pkg` declared for a file at `importer`: in the package.json of any folder from the
    /// importer's up to the root, a workspace package, the name of an enclosing package itself,
    /// or provided by a declared framework (`data/provided-packages.txt`).
    pub fn declared(&self, importer: &str, pkg: &str) -> bool {
        if self.workspaces.contains_key(pkg) {
            return true;
        }
        if self.declared_here(importer, pkg) {
            return true;
        }
        if self.hoisted.as_ref().is_some_and(|h| h.contains(pkg)) && self.in_workspace(importer) {
            return true;
        }
        provided_by(pkg).any(|framework| self.declared_here(importer, framework))
    }

    /// Is the file inside the root package or a workspace package (where hoisted packages are
    /// resolvable)?
    fn in_workspace(&self, importer: &str) -> bool {
        match self.nearest_manifest(importer) {
            Some("") => true,
            Some(dir) => self.workspaces.values().any(|w| w == dir),
            None => false,
        }
    }

    fn declared_here(&self, importer: &str, pkg: &str) -> bool {
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some(m) = self.manifests.get(dir)
                && (m.deps.contains(pkg) || m.name.as_deref() == Some(pkg))
            {
                return true;
            }
            if dir.is_empty() {
                return false;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }

    /// The install command of the repository's package manager (from its lockfile or
    /// `packageManager` field), for help texts.
    pub fn install_command(&self) -> &'static str {
        match self.manager() {
            Manager::Pnpm => "pnpm install",
            Manager::Yarn => "yarn install",
            Manager::Bun => "bun install",
            Manager::Npm => "npm install",
        }
    }

    /// Is the workspace package `pkg` what `importer` gets for a bare import of `pkg`? Package
    /// managers link a workspace package only where the declaring package.json (the nearest one
    /// on the importer's walk that names it) accepts it: a `workspace:` (or `link:`/`file:`)
    /// spec, or a range its version satisfies (`packages/dayjs`, a stub named `dayjs` at
    /// `0.0.0`, does not satisfy `"dayjs": "^1.11.0"`: that file gets the registry's `dayjs`).
    /// An npm alias (`npm:x@1`) or a URL names another package. Undeclared, or a spec that is
    /// no range (a dist-tag, a catalog): linked, as hoisting makes it.
    pub fn linked(&self, importer: &str, pkg: &str) -> bool {
        let Some(dir) = self.workspaces.get(pkg) else {
            return false;
        };
        let mut at = importer.rsplit_once('/').map_or("", |(d, _)| d);
        let spec = loop {
            if let Some(m) = self.manifests.get(at) {
                if m.name.as_deref() == Some(pkg) {
                    return true; // a package importing itself
                }
                if let Some(spec) = DEP_FIELDS.iter().find_map(|f| m.json.get(*f)?.get(pkg)?.as_str()) {
                    break spec.trim();
                }
            }
            if at.is_empty() {
                return true;
            }
            at = at.rsplit_once('/').map_or("", |(d, _)| d);
        };
        if ["workspace:", "link:", "file:", "portal:", "catalog:"]
            .iter()
            .any(|p| spec.starts_with(p))
        {
            return true;
        }
        if spec.starts_with("npm:") || spec.contains(':') || spec.contains('/') {
            return false;
        }
        let version = self
            .manifests
            .get(dir.as_str())
            .and_then(|m| m.json.get("version")?.as_str());
        let (Some(version), Ok(range)) = (version, node_semver::Range::parse(spec)) else {
            return true;
        };
        node_semver::Version::parse(version.trim()).map_or(true, |v| range.satisfies(&v))
    }

    /// The repo-relative paths a `#name` specifier names through the `imports` field of the
    /// nearest package.json (every string of the matching key's conditions, `*` substituted).
    pub fn imports_targets(&self, importer: &str, spec: &str) -> Vec<String> {
        let Some((dir, imports)) = self.nearest_manifest(importer).and_then(|d| {
            let imports = self.manifests.get(d)?.json.get("imports")?.as_object()?;
            Some((d, imports))
        }) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in imports {
            let star = match key.split_once('*') {
                Some((pre, post))
                    if spec.len() >= pre.len() + post.len()
                        && spec.starts_with(pre)
                        && spec.ends_with(post) =>
                {
                    Some(&spec[pre.len()..spec.len() - post.len()])
                }
                Some(_) => continue,
                None if key == spec => None,
                None => continue,
            };
            let mut strings = Vec::new();
            super::collect_strings(value, &mut strings);
            for t in strings.iter().filter(|t| t.starts_with("./")) {
                let t = match star {
                    Some(s) => t.replace('*', s),
                    None => t.clone(),
                };
                out.push(super::specifier::join_rel(dir, &t));
            }
        }
        out
    }

    /// Does the `imports` field of the package.json whose scope holds `importer` (the nearest
    /// one, as Node looks) have a key matching the `#name` specifier: exact, a `*` pattern, or
    /// a folder key ending in `/`?
    pub fn imports_key_matches(&self, importer: &str, spec: &str) -> bool {
        let Some(imports) = self
            .nearest_manifest(importer)
            .and_then(|d| self.manifests.get(d))
            .and_then(|m| m.json.get("imports"))
            .and_then(Value::as_object)
        else {
            return false;
        };
        imports.keys().any(|k| match k.split_once('*') {
            Some((pre, post)) => {
                spec.len() >= pre.len() + post.len() && spec.starts_with(pre) && spec.ends_with(post)
            }
            None => k == spec || k.ends_with('/') && spec.starts_with(k.as_str()),
        })
    }

    /// The folder of the nearest package.json for a file (for the help text).
    pub fn nearest_manifest(&self, importer: &str) -> Option<&str> {
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some((d, _)) = self.manifests.get_key_value(dir) {
                return Some(d.as_str());
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }
}

/// The frameworks that provide `pkg` to their dependents (`data/provided-packages.txt`).
fn provided_by(pkg: &str) -> impl Iterator<Item = &'static str> + '_ {
    include_str!("../../data/provided-packages.txt")
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(move |l| {
            let mut words = l.split_whitespace();
            let framework = words.next()?;
            words.any(|w| w == pkg).then_some(framework)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::parse_pnpm_workspace;

    /// A package.json's bytes are handed on only for the blob they were read from, and only
    /// for a package.json path.
    #[test]
    fn manifest_bytes_only_for_the_same_blob() {
        let blob = |s: &str| git2::Oid::hash_object(git2::ObjectType::Blob, s.as_bytes()).unwrap();
        let (a, b) = (blob("{}"), blob("{ }"));
        let mut pk = Packages::default();
        for dir in ["", "apps/web"] {
            let manifest = Manifest {
                blob: Some((a, b"{}".to_vec())),
                ..Manifest::default()
            };
            pk.manifests.insert(dir.to_string(), manifest);
        }
        assert_eq!(pk.manifest_bytes("package.json", &a), Some(&b"{}"[..]));
        assert_eq!(pk.manifest_bytes("apps/web/package.json", &a), Some(&b"{}"[..]));
        assert_eq!(pk.manifest_bytes("apps/web/package.json", &b), None);
        assert_eq!(pk.manifest_bytes("apps/webpackage.json", &a), None);
        assert_eq!(pk.manifest_bytes("apps/api/package.json", &a), None);
        assert_eq!(pk.manifest_bytes("apps/web/tsconfig.json", &a), None);
    }

    #[test]
    fn pnpm_workspace_forms() {
        assert_eq!(
            parse_pnpm_workspace(b"packages:\n  - 'apps/*'\n  - \"packages/*\" # libs\n  - '!**/test/**'\ncatalog:\n  react: ^18\n")
                .unwrap(),
            ["apps/*", "packages/*", "!**/test/**"]
        );
        assert_eq!(
            parse_pnpm_workspace(b"packages: [apps/*, 'libs/*']\n").unwrap(),
            ["apps/*", "libs/*"]
        );
        assert!(parse_pnpm_workspace(b"packages:\n  apps\n").is_err());
    }

    /// Valid YAML the hand-written reader refused (issue 10), each a `files/unreadable` that
    /// blocked the commit.
    #[test]
    fn pnpm_workspace_yaml_forms_pnpm_accepts() {
        // Unindented block list.
        assert_eq!(
            parse_pnpm_workspace(b"packages:\n- \"packages/*\"\n- apps/*\n").unwrap(),
            ["packages/*", "apps/*"]
        );
        // Flow list over several lines, with a trailing comma.
        assert_eq!(
            parse_pnpm_workspace(b"packages: [\n  'apps/*',\n  \"libs/*\",\n]\n").unwrap(),
            ["apps/*", "libs/*"]
        );
        // A quoted value containing ` #` is not a comment.
        assert_eq!(
            parse_pnpm_workspace(b"packages:\n  - \"odd #dir/*\" # a comment\n  - 'b #c'\n").unwrap(),
            ["odd #dir/*", "b #c"]
        );
        // catalog: and catalogs:, with numbers and ranges, and other settings.
        let text = b"packages:\n  - packages/*\ncatalog:\n  react: ^18.2.0\n  lodash: 4\ncatalogs:\n  react17:\n    react: ^17.0.2\n    react-dom: 17.0.2\nonlyBuiltDependencies:\n  - esbuild\n";
        assert_eq!(parse_pnpm_workspace(text).unwrap(), ["packages/*"]);
        // No packages key, or an empty file: no workspace globs.
        assert!(
            parse_pnpm_workspace(b"catalog:\n  react: ^18\n")
                .unwrap()
                .is_empty()
        );
        assert!(parse_pnpm_workspace(b"# nothing\n").unwrap().is_empty());
        // Broken YAML names its line.
        let (line, msg) = parse_pnpm_workspace(b"packages:\n  - a\n  b: [\n").unwrap_err();
        assert!(line >= 2, "{line}: {msg}");
        assert!(msg.starts_with(&format!("line {line}")), "{msg}");
    }

    #[test]
    fn jsonc_errors_have_positions() {
        let v = parse_jsonc("tsconfig.json", b"{\n // c\n \"a\": 1, /* x */\n}\n").unwrap();
        assert_eq!(v["a"], 1);
        let f = parse_jsonc("tsconfig.json", b"{\n  \"a\": 1\n  \"b\": 2\n}").unwrap_err();
        assert_eq!((f.line, f.rule.id), (3, "files/unreadable"));
    }
}
