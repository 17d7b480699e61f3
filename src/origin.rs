//! Where this hookctl binary came from (an npm platform package, `cargo install`, a source
//! build, a folder on PATH) and what it takes to update it: shown by `hookctl --version`, and
//! in the error of a repository whose `min_version` this binary does not meet.

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::OnceLock;

/// This binary's version (Cargo.toml's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How the running binary was installed, judged from its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Inside `node_modules/@hookctl/cli-*`: installed with the `hookctl` npm package.
    Npm { package: String, path: PathBuf },
    /// In a `bin` folder beside cargo's install record (`.crates.toml`): `cargo install`.
    Cargo { path: PathBuf },
    /// In a cargo `target/<profile>` folder: built from a checkout.
    Source { path: PathBuf },
    /// Anywhere else, on PATH or not.
    Other { path: PathBuf, on_path: bool },
    /// The running binary's path is unknown.
    Unknown,
}

impl Origin {
    /// The running binary's origin.
    pub fn current() -> Origin {
        match std::env::current_exe() {
            Ok(exe) => {
                let exe = std::fs::canonicalize(&exe).unwrap_or(exe);
                classify(&exe, crate::env_vars::get_os(crate::env_vars::PATH).as_deref())
            }
            Err(_) => Origin::Unknown,
        }
    }

    /// How to get a newer hookctl the same way this one was installed.
    pub fn update_hint(&self, needed: &str) -> String {
        match self {
            Origin::Npm { .. } => format!(
                "update the dev dependency: `npm i -D hookctl@^{needed}` (pnpm: `pnpm add -D hookctl@^{needed}`, \
                 yarn: `yarn add -D hookctl@^{needed}`), then commit package.json and the lockfile"
            ),
            Origin::Cargo { .. } => "update it: `cargo install --locked hookctl`".into(),
            Origin::Source { .. } => {
                "update the checkout it was built from, then build it again (`./install.sh`)".into()
            }
            Origin::Other { .. } | Origin::Unknown => {
                "install a newer one: `npm i -D hookctl` in the repository (then `npm install`), \
                 or `cargo install --locked hookctl`"
                    .into()
            }
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Npm { package, path } => {
                write!(f, "npm package {package}, {}", path.display())
            }
            Origin::Cargo { path } => write!(f, "cargo install, {}", path.display()),
            Origin::Source { path } => write!(f, "built from source, {}", path.display()),
            Origin::Other { path, on_path: true } => write!(f, "on PATH, {}", path.display()),
            Origin::Other { path, on_path: false } => write!(f, "{}", path.display()),
            Origin::Unknown => write!(f, "location unknown"),
        }
    }
}

/// The origin of the binary at `exe` (canonical), given the `PATH` it runs with.
pub fn classify(exe: &Path, path_var: Option<&OsStr>) -> Origin {
    let path = exe.to_path_buf();
    let parts: Vec<&OsStr> = exe
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s),
            _ => None,
        })
        .collect();
    // npm, pnpm (.pnpm/<id>/node_modules/@hookctl/...) and yarn (unplugged/.../node_modules/...)
    // all end in node_modules/@hookctl/cli-<platform>/<binary>.
    if let Some(w) = parts.windows(3).rev().find(|w| {
        w[0] == "node_modules" && w[1] == "@hookctl" && w[2].to_str().is_some_and(|s| s.starts_with("cli-"))
    }) {
        return Origin::Npm {
            package: format!("@hookctl/{}", w[2].to_string_lossy()),
            path,
        };
    }
    let dir = exe.parent();
    if let Some(bin_dir) = dir.filter(|d| d.file_name() == Some(OsStr::new("bin")))
        && let Some(install_root) = bin_dir.parent()
        && (install_root.join(".crates.toml").is_file() || install_root.join(".crates2.json").is_file())
    {
        return Origin::Cargo { path };
    }
    if let Some(profile_dir) = dir
        && profile_dir.parent().is_some_and(|t| {
            t.file_name() == Some(OsStr::new("target"))
                || t.parent().and_then(Path::file_name) == Some(OsStr::new("target"))
        })
        && profile_dir.join(".fingerprint").is_dir()
    {
        return Origin::Source { path };
    }
    let on_path = dir.is_some_and(|d| {
        path_var.is_some_and(|p| {
            std::env::split_paths(p).any(|entry| std::fs::canonicalize(&entry).unwrap_or(entry) == d)
        })
    });
    Origin::Other { path, on_path }
}

/// `--version`'s text after "hookctl ": the version, then where this binary came from.
pub fn version_line() -> &'static str {
    static LINE: OnceLock<String> = OnceLock::new();
    LINE.get_or_init(|| format!("{VERSION} ({})", Origin::current()))
}

/// A `MAJOR.MINOR.PATCH` version (a missing minor or patch is 0; a pre-release or build
/// suffix is ignored, so `0.2.0-beta.1` meets `min_version = "0.2.0"`).
pub fn parse_version(text: &str) -> Option<[u64; 3]> {
    let core = text.trim().trim_start_matches('v');
    let core = core.split(['-', '+']).next()?;
    let mut out = [0u64; 3];
    for (n, part) in core.split('.').enumerate() {
        if n == 3 || part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        out[n] = part.parse().ok()?;
    }
    Some(out)
}

/// Why a configuration's `min_version` refuses this binary: a sentence with the version needed
/// and how to update.
#[derive(Debug, thiserror::Error)]
pub enum MinVersionError {
    #[error("`min_version = \"{0}\"` is not a version such as \"0.2.0\"")]
    NotAVersion(String),
    #[error(
        "this repository needs hookctl {required} or newer (`min_version`), but this is hookctl {VERSION} ({origin})\n\
         hint: {hint}"
    )]
    TooOld {
        required: String,
        origin: Origin,
        hint: String,
    },
}

/// Check `min_version` from a configuration file against this binary.
pub fn check_min_version(required: &str) -> Result<(), MinVersionError> {
    let Some(need) = parse_version(required) else {
        return Err(MinVersionError::NotAVersion(required.to_string()));
    };
    let have = parse_version(VERSION).unwrap_or([0; 3]);
    if have >= need {
        return Ok(());
    }
    let origin = Origin::current();
    Err(MinVersionError::TooOld {
        required: required.to_string(),
        hint: origin.update_hint(required),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(parse_version("0.2.0"), Some([0, 2, 0]));
        assert_eq!(parse_version("1.10"), Some([1, 10, 0]));
        assert_eq!(parse_version("0.2.0-beta.1"), Some([0, 2, 0]));
        assert!(parse_version("0.10.0") > parse_version("0.9.9"));
        for bad in ["", "x", "1..2", "1.2.3.4", "^1.2", ">=0.2"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
        assert!(check_min_version(VERSION).is_ok());
        assert!(check_min_version("0.0.1").is_ok());
        let e = check_min_version("999.0.0").unwrap_err().to_string();
        assert!(e.contains("needs hookctl 999.0.0 or newer"), "{e}");
        assert!(e.contains(&format!("this is hookctl {VERSION}")), "{e}");
        assert!(e.contains("hint: "), "{e}");
        assert!(
            check_min_version("^0.2")
                .unwrap_err()
                .to_string()
                .contains("is not a version")
        );
    }

    #[test]
    fn npm_packages_are_recognised_for_every_package_manager() {
        for p in [
            "/app/node_modules/@hookctl/cli-linux-x64-gnu/hookctl",
            "/app/node_modules/.pnpm/@hookctl+cli-linux-x64-gnu@0.2.0/node_modules/@hookctl/cli-linux-x64-gnu/hookctl",
            "/app/.yarn/unplugged/@hookctl-cli-linux-x64-gnu-npm-0.2.0-abc/node_modules/@hookctl/cli-linux-x64-gnu/hookctl",
        ] {
            assert_eq!(
                classify(Path::new(p), None),
                Origin::Npm {
                    package: "@hookctl/cli-linux-x64-gnu".into(),
                    path: p.into()
                }
            );
        }
        let other = classify(Path::new("/nowhere/at/all/hookctl"), Some(OsStr::new("/usr/bin")));
        assert!(matches!(other, Origin::Other { on_path: false, .. }), "{other:?}");
        assert_eq!(other.to_string(), "/nowhere/at/all/hookctl");
    }
}
