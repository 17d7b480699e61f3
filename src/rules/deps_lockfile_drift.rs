//! `deps/lockfile-drift`: a dependency of the root or a workspace package's `package.json` that
//! the snapshot's lockfile does not satisfy the way the package manager's frozen install decides
//! it (see `src/deps/`): the deploy host's `npm ci`, `pnpm install --frozen-lockfile` or
//! `yarn install --frozen-lockfile`/`--immutable` fails. The lockfile is the detected package
//! manager's (`packageManager`, else which lockfile exists); no lockfile, no finding.
//!
//! Fields: `dependencies`, `devDependencies`, `optionalDependencies`; `peerDependencies` (not
//! also in another field) where the manager installs a package's own peers: npm 7+ (unless
//! `.npmrc` sets `legacy-peer-deps`) and pnpm with `autoInstallPeers` (its default), which records
//! them as `dependencies`; yarn 2+ records a workspace's peer ranges in its lockfile entry. Yarn 1
//! neither installs nor records them.

use crate::deps::{self, Dep, Drift, Format};
use crate::diagnostic::Finding;
use crate::resolve::packages::{Manager, Packages};
use crate::rules;
use crate::snapshot::Snapshot;

/// The lockfiles this rule reads, at the repository root.
pub const LOCKFILES: &[&str] = &[
    "package-lock.json",
    "npm-shrinkwrap.json",
    "pnpm-lock.yaml",
    "yarn.lock",
];

const FIELDS: [&str; 4] = [
    "dependencies",
    "devDependencies",
    "optionalDependencies",
    "peerDependencies",
];

/// Did anything this rule reads change between two snapshots? (package.json files and
/// pnpm-workspace.yaml already make hooks check everything; this covers the lockfiles, at the
/// root and in the folders below it that install on their own.)
pub fn lockfiles_changed(snap: &Snapshot, base: &Snapshot) -> bool {
    let is_lockfile = |p: &str| {
        LOCKFILES.contains(&p.rsplit('/').next().unwrap_or(p)) && !p.split('/').any(|c| c == "node_modules")
    };
    if let Some(changed) = &base.derived_changes {
        changed.iter().any(|p| is_lockfile(p))
    } else {
        // Lockfiles are special paths (`snapshot::is_special`).
        let differs = |a: &Snapshot, b: &Snapshot| {
            a.special_paths()
                .iter()
                .any(|p| is_lockfile(p) && b.get(p) != a.get(p))
        };
        differs(snap, base) || differs(base, snap)
    }
}

/// Folders below the repository root that install on their own: a package.json with a lockfile
/// beside it, in no workspace of the root (`web/` with its own `pnpm-lock.yaml` beside a Go
/// server). The deploy runs the frozen install there.
pub fn nested_roots(snap: &Snapshot, packages: &Packages) -> Vec<String> {
    packages
        .manifests
        .keys()
        .filter(|dir| {
            !dir.is_empty()
                && !packages.workspaces.values().any(|w| w == *dir)
                && LOCKFILES.iter().any(|l| snap.is_file(&format!("{dir}/{l}")))
        })
        .cloned()
        .collect()
}

/// A parsed lockfile of one of the formats.
enum Lock {
    Npm(deps::npm::Lock),
    Pnpm(deps::pnpm::Lock, deps::pnpm::Catalogs),
    Yarn(Box<deps::yarn::Lock>),
}

/// The lockfile of the install root `root` (repo-relative); `None` when the manager's lockfile
/// is not in the snapshot.
fn lockfile(snap: &Snapshot, root: &str, manager: Manager) -> Option<String> {
    let at = |name: &str| crate::resolve::specifier::join_rel(root, name);
    let path = match manager {
        Manager::Npm if snap.is_file(&at("npm-shrinkwrap.json")) => at("npm-shrinkwrap.json"),
        Manager::Npm => at("package-lock.json"),
        Manager::Pnpm => at("pnpm-lock.yaml"),
        Manager::Yarn => at("yarn.lock"),
        Manager::Bun => return None,
    };
    snap.is_file(&path).then_some(path)
}

/// `"key"` followed by `:` at or after `from`: its byte offset.
fn json_key(text: &str, key: &str, from: usize) -> Option<usize> {
    let needle = serde_json::to_string(key).ok()?;
    let mut at = from;
    while let Some(i) = text.get(at..)?.find(&needle) {
        let start = at + i;
        let after = text[start + needle.len()..].trim_start();
        if after.starts_with(':') {
            return Some(start);
        }
        at = start + needle.len();
    }
    None
}

/// Does the install root's `.npmrc` turn off npm's installing of peer dependencies?
fn legacy_peer_deps(snap: &Snapshot, root: &str) -> bool {
    let Ok(bytes) = snap.read(&crate::resolve::specifier::join_rel(root, ".npmrc")) else {
        return false;
    };
    String::from_utf8_lossy(&bytes).lines().any(|l| {
        let l: String = l
            .split(['#', ';'])
            .next()
            .unwrap_or("")
            .split_whitespace()
            .collect();
        l.eq_ignore_ascii_case("legacy-peer-deps=true")
    })
}

pub fn check(snap: &Snapshot, packages: &Packages) -> Vec<Finding> {
    let mut out = Vec::new();
    // Without a root package.json nothing installs from a root lockfile.
    if packages.manifests.contains_key("") {
        out.extend(check_root(
            snap,
            packages,
            "",
            packages.manager(),
            &packages.workspaces,
        ));
    }
    for dir in nested_roots(snap, packages) {
        let (manager, workspaces) = packages.install_root(snap, &dir);
        out.extend(check_root(snap, packages, &dir, manager, &workspaces));
    }
    out
}

/// `cd <root> && ` before a command run in the install root `root`.
fn cd(root: &str) -> String {
    if root.is_empty() {
        String::new()
    } else {
        format!("cd {} && ", rules::imports_untracked::quote(root))
    }
}

/// The findings of one install root (`""`: the repository root) with its manager and its
/// workspace packages (name -> repo-relative folder).
fn check_root(
    snap: &Snapshot,
    packages: &Packages,
    root: &str,
    manager: Manager,
    workspaces: &std::collections::HashMap<String, String>,
) -> Vec<Finding> {
    let Some(path) = lockfile(snap, root, manager) else {
        return Vec::new();
    };
    let lock = match Lock::read(snap, root, manager, &path) {
        Ok(Some(lock)) => lock,
        Ok(None) => return Vec::new(),
        Err(unreadable) => return vec![*unreadable],
    };
    // Yarn 2+ refuses a lockfile it would write otherwise, whatever it locks.
    if let Some(finding) = lock.not_as_written(&path) {
        return vec![finding];
    }
    let Some(root_manifest) = packages.manifests.get(root) else {
        return Vec::new();
    };
    let install = Install {
        snap,
        packages,
        root,
        workspaces,
        lockfile: Lockfile {
            path: &path,
            format: lock.format(),
            root,
        },
        peers: lock.installs_peers(snap, root),
        npm_overridden: npm_overrides(&root_manifest.json),
        lock,
    };
    let mut members: Vec<&str> = std::iter::once(root)
        .chain(workspaces.values().map(String::as_str))
        .collect();
    members.sort_unstable();
    members.dedup();
    members
        .into_iter()
        .flat_map(|member| install.check_member(member))
        .collect()
}

impl Lock {
    /// The install root's lockfile at `path`, parsed; `Ok(None)` when it cannot be read, the
    /// `files/unreadable` finding when it is not UTF-8 or does not parse.
    fn read(snap: &Snapshot, root: &str, manager: Manager, path: &str) -> Result<Option<Lock>, Box<Finding>> {
        let unreadable = |line: u32, msg: String| {
            let finding = Finding::new(&rules::FILES_UNREADABLE, path, msg)
                .at(line, 1)
                .help(format!(
                    "fix or regenerate `{path}` (`{}{}`); hookctl cannot check it against package.json",
                    cd(root),
                    match manager {
                        Manager::Pnpm => "pnpm install",
                        Manager::Yarn => "yarn",
                        _ => "npm install",
                    }
                ))
                .name(path);
            Box::new(finding)
        };
        let Ok(bytes) = snap.read(path) else {
            return Ok(None);
        };
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Err(unreadable(1, format!("`{path}` is not valid UTF-8")));
        };
        let parsed = match manager {
            Manager::Pnpm => deps::pnpm::Lock::parse(text).map(|l| {
                let cats = snap
                    .read(&crate::resolve::specifier::join_rel(root, "pnpm-workspace.yaml"))
                    .map(|b| deps::pnpm::workspace_catalogs(&String::from_utf8_lossy(&b)))
                    .unwrap_or_default();
                Lock::Pnpm(l, cats)
            }),
            Manager::Yarn => deps::yarn::Lock::parse(text).map(|l| Lock::Yarn(Box::new(l))),
            _ => deps::npm::Lock::parse(text).map(Lock::Npm),
        };
        parsed.map(Some).map_err(|e| {
            unreadable(
                e.line,
                format!("`{path}` cannot be parsed: line {}: {}", e.line, e.message),
            )
        })
    }

    fn format(&self) -> Format {
        match self {
            Lock::Npm(_) => Format::Npm,
            Lock::Pnpm(..) => Format::Pnpm,
            Lock::Yarn(l) if l.berry => Format::Berry,
            Lock::Yarn(_) => Format::Yarn1,
        }
    }

    fn berry(&self) -> bool {
        matches!(self, Lock::Yarn(l) if l.berry)
    }

    /// Whether the manager installs (and records) a package's own `peerDependencies`.
    fn installs_peers(&self, snap: &Snapshot, root: &str) -> bool {
        match self {
            Lock::Npm(_) => !legacy_peer_deps(snap, root),
            Lock::Pnpm(l, _) => l.auto_install_peers,
            // Berry records a workspace's peer ranges (a new one fails `--immutable`); yarn 1
            // does not.
            Lock::Yarn(l) => l.berry,
        }
    }

    /// A yarn 2+ lockfile not written as yarn writes it: `--immutable` fails whatever it locks.
    fn not_as_written(&self, path: &str) -> Option<Finding> {
        let Lock::Yarn(l) = self else { return None };
        let line = l.noncanonical.filter(|_| l.berry)?;
        Some(
            Finding::new(
                &rules::DEPS_LOCKFILE_DRIFT,
                path,
                format!(
                    "`{path}` is not written as yarn writes it (a YAML anchor, alias, merge key or flow collection): `yarn install --immutable` rewrites it and fails on the deploy host"
                ),
            )
            .at(line, 1)
            .help(format!("run `yarn` and commit `{path}` as it writes it"))
            .name(path),
        )
    }

    fn check(&self, dep: &Dep, workspace_version: &dyn Fn(&str) -> Option<String>) -> Option<Drift> {
        match self {
            Lock::Npm(l) => l.check(dep),
            Lock::Pnpm(l, cats) => l.check(dep, cats),
            Lock::Yarn(l) => l.check(dep, workspace_version),
        }
    }
}

/// One install root with its parsed lockfile: what its frozen install decides for each
/// dependency of its packages.
struct Install<'a> {
    snap: &'a Snapshot,
    packages: &'a Packages,
    root: &'a str,
    workspaces: &'a std::collections::HashMap<String, String>,
    lockfile: Lockfile<'a>,
    lock: Lock,
    /// The manager installs a package's own `peerDependencies`.
    peers: bool,
    /// The root's npm `overrides`, name -> spec.
    npm_overridden: std::collections::HashMap<String, String>,
}

impl Install<'_> {
    /// The findings of one package (`member`: its repo-relative folder) of the install root.
    fn check_member(&self, member: &str) -> Vec<Finding> {
        let Some(manifest) = self.packages.manifests.get(member) else {
            return Vec::new();
        };
        let json = &manifest.json;
        let pkg_path = crate::resolve::specifier::join_rel(member, "package.json");
        // The lockfile names folders relative to its own.
        let dir = if self.root.is_empty() {
            member
        } else {
            member
                .strip_prefix(self.root)
                .map_or(member, |r| r.trim_start_matches('/'))
        };
        let pkg_text = self
            .snap
            .read(&pkg_path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let workspace_version = |name: &str| self.workspace_version(name);
        let mut out = Vec::new();
        for field in FIELDS {
            let Some(deps) = json.get(field).and_then(|v| v.as_object()) else {
                continue;
            };
            if field == "peerDependencies" && !self.peers {
                continue;
            }
            let field_at = json_key(&pkg_text, field, 0).unwrap_or(0);
            for (name, spec) in deps {
                let Some(spec) = spec.as_str() else { continue };
                if self.installed_from_another_field(json, field, name) {
                    continue;
                }
                let dep = Dep {
                    dir,
                    field,
                    name,
                    spec,
                };
                let Some(drift) = self.lock.check(&dep, &workspace_version) else {
                    continue;
                };
                if self.npm_accepts(json, &dep, &drift) {
                    continue;
                }
                out.push(finding(
                    &pkg_path,
                    &pkg_text,
                    field_at,
                    &dep,
                    &drift,
                    &self.lockfile,
                ));
            }
        }
        out
    }

    /// The version of the workspace package `name`, from its package.json.
    fn workspace_version(&self, name: &str) -> Option<String> {
        let dir = self.workspaces.get(name)?;
        let v = self.packages.manifests.get(dir)?.json.get("version")?.as_str()?;
        Some(v.to_string())
    }

    /// A name in several fields is installed once, from the strongest one
    /// (optionalDependencies, then dependencies, then devDependencies), which is the field
    /// pnpm records it under (a real-repo finding, typescript-sdk); npm and pnpm install a peer
    /// that is also a dependency once, as the dependency.
    fn installed_from_another_field(&self, json: &serde_json::Value, field: &str, name: &str) -> bool {
        let in_field = |f: &&str| json.get(*f).and_then(|d| d.get(name)).is_some();
        let stronger: &[&str] = match field {
            "devDependencies" => &["dependencies", "optionalDependencies"],
            "dependencies" => &["optionalDependencies"],
            _ => &[],
        };
        stronger.iter().any(in_field)
            || (field == "peerDependencies" && !self.lock.berry() && FIELDS[..3].iter().any(in_field))
    }

    /// Drift that `npm ci` accepts all the same: an optional peer nothing else needs, or a
    /// range an `overrides` entry replaces.
    fn npm_accepts(&self, json: &serde_json::Value, dep: &Dep, drift: &Drift) -> bool {
        if !matches!(self.lock, Lock::Npm(_)) {
            return false;
        }
        let name = dep.name;
        // npm does not install an optional peer (`peerDependenciesMeta.<name>.optional`)
        // that nothing else needs: `npm ci` passes without it in the lockfile.
        if dep.field == "peerDependencies"
            && *drift == Drift::Missing
            && json
                .pointer(&format!(
                    "/peerDependenciesMeta/{}/optional",
                    name.replace('~', "~0").replace('/', "~1")
                ))
                .and_then(serde_json::Value::as_bool)
                == Some(true)
        {
            return true;
        }
        // An npm `overrides` entry replaces the declared range everywhere: `npm ci`
        // installs the overriding version, in range or not (documenso/documenso: root
        // `"overrides": {"typescript": "5.6.2"}` under a workspace's `^5.9.3`, accepted
        // by `npm ci`; real-repo corpus).
        if let Drift::OutOfRange { locked } = drift
            && let Some(over) = self.npm_overridden.get(name)
            && node_semver::Range::parse(over)
                .ok()
                .is_none_or(|r| deps::satisfies(&r, locked) != Some(false))
        {
            return true;
        }
        false
    }
}

/// What a root package.json's npm `overrides` sets at the top level, name -> spec: `"x":
/// "1.0.0"`, `"x@^2": "2.1.0"`, `"x": {".": "1.0.0", ...}`, and `"x": "$x"` (the root's own
/// dependency spec). Nested entries override only beneath their parent, not a direct dependency.
fn npm_overrides(root: &serde_json::Value) -> std::collections::HashMap<String, String> {
    let Some(map) = root.get("overrides").and_then(|o| o.as_object()) else {
        return Default::default();
    };
    let root_spec = |name: &str| {
        FIELDS
            .iter()
            .find_map(|f| root.get(*f)?.get(name)?.as_str())
            .map(str::to_string)
    };
    map.iter()
        .filter_map(|(key, v)| {
            let spec = v.as_str().or_else(|| v.get(".")?.as_str())?;
            // `@scope/name@range` or `name@range`: the name ends at the `@` after its first char.
            let name = match key.get(1..).and_then(|k| k.find('@')) {
                Some(at) => &key[..=at],
                None => key.as_str(),
            };
            let spec = match spec.strip_prefix('$') {
                Some(reference) => root_spec(reference)?,
                None => spec.to_string(),
            };
            Some((name.to_string(), spec))
        })
        .collect()
}

/// The lockfile a finding is about: its path, format and install root.
#[derive(Clone, Copy)]
struct Lockfile<'a> {
    path: &'a str,
    format: Format,
    root: &'a str,
}

fn finding(
    pkg_path: &str,
    pkg_text: &str,
    field_at: usize,
    dep: &Dep,
    drift: &Drift,
    lock: &Lockfile,
) -> Finding {
    let Lockfile {
        path: lockfile,
        format,
        root,
    } = *lock;
    let Dep {
        name, spec, field, ..
    } = *dep;
    let frozen = format.frozen();
    let (message, label) = match drift {
        Drift::Missing => (
            format!("`{name}` ({field}) is not in `{lockfile}`: `{frozen}` fails on the deploy host"),
            format!("not in `{lockfile}`"),
        ),
        Drift::OutOfRange { locked } => (
            format!(
                "`{name}@{spec}` ({field}) is locked at `{locked}` in `{lockfile}`, outside the range: `{frozen}` fails on the deploy host"
            ),
            format!("locked at `{locked}`"),
        ),
        Drift::SpecChanged { recorded, locked } => {
            let version = locked
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!(" (`{v}`)"))
                .unwrap_or_default();
            (
                format!(
                    "`{name}@{spec}` ({field}) is locked in `{lockfile}` for `{recorded}`{version}: `{frozen}` fails on the deploy host"
                ),
                format!("`{lockfile}` has `{recorded}`"),
            )
        }
        Drift::OtherField { recorded } => (
            format!(
                "`{name}` is in `{field}` but `{lockfile}` records it in `{recorded}`: `{frozen}` fails on the deploy host"
            ),
            format!("`{lockfile}` has it in `{recorded}`"),
        ),
        Drift::CatalogChanged {
            catalog,
            declared,
            recorded,
        } => (
            format!(
                "`{name}` uses catalog `{catalog}`, which `pnpm-workspace.yaml` sets to `{declared}` but `{lockfile}` recorded as `{recorded}`: `{frozen}` fails on the deploy host"
            ),
            format!("`{lockfile}` has `{recorded}`"),
        ),
    };
    let mut f = Finding::new(&rules::DEPS_LOCKFILE_DRIFT, pkg_path, message)
        .help(format!(
            "run `{}{}` and commit `{lockfile}` together with `{pkg_path}`",
            cd(root),
            format.install()
        ))
        .label(label)
        .name(name);
    match json_key(pkg_text, name, field_at) {
        Some(at) => {
            let line = deps::line_of(pkg_text, at);
            let line_start = pkg_text[..at].rfind('\n').map_or(0, |i| i + 1);
            let key_len = serde_json::to_string(name).map_or(name.len() + 2, |s| s.len());
            f = f
                .at(line, (at - line_start) as u32 + 1)
                .with_span(at as u32, (at + key_len) as u32);
        }
        None => f = f.at(1, 1),
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_after_their_field() {
        let text = "{\n  \"name\": \"tiny\",\n  \"dependencies\": {\n    \"tiny\" : \"^1\"\n  }\n}\n";
        let field = json_key(text, "dependencies", 0).unwrap();
        let at = json_key(text, "tiny", field).unwrap();
        assert_eq!(deps::line_of(text, at), 4);
        assert_eq!(json_key(text, "absent", 0), None);
    }
}
