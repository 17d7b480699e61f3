//! The repository's own package manager, so that what hookctl tells people to type is what
//! their repository uses (`pnpm install`, not `npm install`, in a pnpm repository). Read from
//! the root `package.json`'s `packageManager` first (corepack's field), else the lockfile, else
//! the workspace file; npm when nothing says otherwise. A leaf: it reads files, nothing else.

use std::path::Path;

/// A package manager and the commands people type with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pm {
    pub name: Name,
    /// Yarn 2+ (berry): runs `postinstall`, not `prepare`, on the project's own install.
    pub berry: bool,
    /// Yarn Plug'n'Play: no `node_modules` at all (`nodeLinker` not `node-modules`/`pnpm`).
    pub pnp: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Name {
    Npm,
    Pnpm,
    Yarn,
    Bun,
}

impl Name {
    pub fn as_str(self) -> &'static str {
        match self {
            Name::Npm => "npm",
            Name::Pnpm => "pnpm",
            Name::Yarn => "yarn",
            Name::Bun => "bun",
        }
    }
}

impl Default for Pm {
    fn default() -> Pm {
        Pm {
            name: Name::Npm,
            berry: false,
            pnp: false,
        }
    }
}

/// The lockfiles, and whose each is.
const LOCKFILES: &[(&str, Name)] = &[
    ("pnpm-lock.yaml", Name::Pnpm),
    ("yarn.lock", Name::Yarn),
    ("bun.lock", Name::Bun),
    ("bun.lockb", Name::Bun),
    ("package-lock.json", Name::Npm),
    ("npm-shrinkwrap.json", Name::Npm),
];

impl Pm {
    /// The package manager of the repository whose root is `root`.
    pub fn detect(root: &Path) -> Pm {
        let manifest = std::fs::read(root.join("package.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
        let declared = manifest
            .as_ref()
            .and_then(|m| m.get("packageManager")?.as_str().map(str::to_string));
        let from_field = declared.as_deref().and_then(|d| {
            let (name, version) = d.split_once('@').unwrap_or((d, ""));
            let name = match name {
                "npm" => Name::Npm,
                "pnpm" => Name::Pnpm,
                "yarn" => Name::Yarn,
                "bun" => Name::Bun,
                _ => return None,
            };
            let major = version.split('.').next().and_then(|m| m.parse::<u32>().ok());
            Some((name, major))
        });
        let yarnrc = std::fs::read_to_string(root.join(".yarnrc.yml")).ok();
        let (name, berry) = match from_field {
            Some((Name::Yarn, Some(major))) => (Name::Yarn, major >= 2),
            Some((name, _)) if name != Name::Yarn => (name, false),
            _ => {
                let name = LOCKFILES
                    .iter()
                    .find(|(f, _)| root.join(f).is_file())
                    .map(|(_, n)| *n)
                    .or_else(|| from_field.map(|(n, _)| n))
                    .or_else(|| root.join("pnpm-workspace.yaml").is_file().then_some(Name::Pnpm))
                    .or_else(|| yarnrc.is_some().then_some(Name::Yarn))
                    .unwrap_or(Name::Npm);
                let berry = name == Name::Yarn
                    && (yarnrc.is_some()
                        || std::fs::read(root.join("yarn.lock"))
                            .is_ok_and(|b| memchr::memmem::find(&b, b"\n__metadata:").is_some()));
                (name, berry)
            }
        };
        let pnp = berry
            && !yarnrc.as_deref().is_some_and(|t| {
                t.lines().any(|l| {
                    let l = l.trim();
                    l.starts_with("nodeLinker:") && !l.contains("pnp")
                })
            });
        Pm { name, berry, pnp }
    }

    pub fn name(&self) -> &'static str {
        self.name.as_str()
    }

    /// The install that runs the project's lifecycle scripts: `pnpm install`.
    pub fn install(&self) -> &'static str {
        match self.name {
            Name::Npm => "npm install",
            Name::Pnpm => "pnpm install",
            Name::Yarn => "yarn install",
            Name::Bun => "bun install",
        }
    }

    /// How to add a dev dependency: `pnpm add -D eslint`.
    pub fn add_dev(&self, package: &str) -> String {
        match self.name {
            Name::Npm => format!("npm install -D {package}"),
            Name::Pnpm => format!("pnpm add -D {package}"),
            Name::Yarn => format!("yarn add -D {package}"),
            Name::Bun => format!("bun add -d {package}"),
        }
    }

    /// How to remove a dependency: `pnpm remove lefthook`.
    pub fn remove(&self, package: &str) -> String {
        match self.name {
            Name::Npm => format!("npm uninstall {package}"),
            Name::Pnpm => format!("pnpm remove {package}"),
            Name::Yarn => format!("yarn remove {package}"),
            Name::Bun => format!("bun remove {package}"),
        }
    }

    /// How people run a binary a dependency installed, from a terminal: `npx hookctl`,
    /// `pnpm exec hookctl`, `yarn hookctl`, `bunx hookctl`.
    pub fn exec(&self, bin: &str) -> String {
        match self.name {
            Name::Npm => format!("npx {bin}"),
            Name::Pnpm => format!("pnpm exec {bin}"),
            Name::Yarn => format!("yarn {bin}"),
            Name::Bun => format!("bunx {bin}"),
        }
    }

    /// How to run a package.json script: `pnpm run build`.
    pub fn run(&self, script: &str) -> String {
        format!("{} run {script}", self.name())
    }

    /// The lifecycle script that runs on the project's own install: `postinstall` for yarn
    /// 2+, `prepare` for npm, pnpm, yarn 1 and bun.
    pub fn lifecycle(&self) -> &'static str {
        if self.berry { "postinstall" } else { "prepare" }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_then_lockfile_then_workspace() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |name: &str, text: &str| std::fs::write(root.join(name), text).unwrap();
        assert_eq!(Pm::detect(root), Pm::default());
        write("package.json", "{}");
        write("pnpm-workspace.yaml", "packages: []\n");
        assert_eq!(Pm::detect(root).name, Name::Pnpm);
        write("yarn.lock", "# yarn lockfile v1\n");
        let yarn1 = Pm::detect(root);
        assert_eq!((yarn1.name, yarn1.berry), (Name::Yarn, false));
        assert_eq!(yarn1.install(), "yarn install");
        write("yarn.lock", "\n__metadata:\n  version: 8\n");
        let berry = Pm::detect(root);
        assert!(berry.berry && berry.pnp, "berry without .yarnrc.yml is PnP");
        assert_eq!(berry.lifecycle(), "postinstall");
        write(".yarnrc.yml", "nodeLinker: node-modules\n");
        assert!(!Pm::detect(root).pnp);
        write("package.json", r#"{"packageManager": "bun@1.2.0"}"#);
        assert_eq!(Pm::detect(root).name, Name::Bun, "packageManager wins");
        write("package.json", r#"{"packageManager": "yarn@1.22.22"}"#);
        assert!(!Pm::detect(root).berry);
        write("package.json", r#"{"packageManager": "yarn@4.5.0+sha512.abc"}"#);
        assert!(Pm::detect(root).berry);
        assert_eq!(Pm::detect(root).exec("hookctl"), "yarn hookctl");
    }
}
