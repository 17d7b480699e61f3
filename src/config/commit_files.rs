//! The files a configuration is read from, taken out of a commit ([`super::Config::from_commit`]):
//! a server has no work tree, so the pushed commit's `hookctl.toml`, the `.toml` files its
//! `extends` may name, and the manifests that say which folders are workspace packages
//! (`package.json`, `pnpm-workspace.yaml`) are written into a private folder, where the loader
//! reads them as it reads a work tree.
//!
//! Never trusted: only regular files (a symbolic link could point anywhere on the server), no
//! name that could leave the folder (`..`, `.`, `.git`, a separator or NUL: git refuses them,
//! but a pushed tree is not checked unless the server sets `receive.fsckObjects`), nothing under
//! `node_modules` (installed packages are not read on a server), nothing over [`MAX_FILE`].

use std::path::Path;

use git2::{ObjectType, Repository, Tree, TreeWalkMode, TreeWalkResult};

/// Larger files are not configuration.
const MAX_FILE: usize = 1 << 20;

/// Whether a file of this name may hold configuration the loader reads.
fn wanted(name: &str) -> bool {
    name.ends_with(".toml") || name == "package.json" || name == "pnpm-workspace.yaml"
}

/// A tree entry name that stays inside its folder.
fn safe_component(name: &str) -> bool {
    !(name.is_empty()
        || name == "."
        || name == ".."
        || name.eq_ignore_ascii_case(".git")
        || name.contains(['/', '\\', '\0']))
}

/// Write the configuration files of `tree` under `dir`.
pub fn write_config_files(repo: &Repository, tree: &Tree<'_>, dir: &Path) -> std::io::Result<()> {
    let mut wanted_files: Vec<(String, git2::Oid)> = Vec::new();
    tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        let Ok(name) = std::str::from_utf8(entry.name_bytes()) else {
            return TreeWalkResult::Skip;
        };
        if !safe_component(name) {
            return TreeWalkResult::Skip;
        }
        match entry.kind() {
            Some(ObjectType::Tree) if name == "node_modules" => TreeWalkResult::Skip,
            Some(ObjectType::Blob) if entry.filemode() & 0o170_000 == 0o100_000 && wanted(name) => {
                wanted_files.push((format!("{parent}{name}"), entry.id()));
                TreeWalkResult::Ok
            }
            _ => TreeWalkResult::Ok,
        }
    })
    .map_err(|e| std::io::Error::other(e.message().to_string()))?;
    for (path, oid) in wanted_files {
        let Ok(blob) = repo.find_blob(oid) else {
            continue;
        };
        if blob.size() > MAX_FILE || !path.split('/').all(safe_component) {
            continue;
        }
        let target = dir.join(&path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&target, blob.content())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_leave_the_folder_are_refused() {
        for bad in ["", ".", "..", ".git", ".GIT", "a/b", "a\\b", "a\0b"] {
            assert!(!safe_component(bad), "{bad:?}");
        }
        for good in ["hookctl.toml", ".hookctl", "..toml", "packages"] {
            assert!(safe_component(good), "{good:?}");
        }
        assert!(wanted("hookctl.toml") && wanted("base.toml") && wanted("package.json"));
        assert!(!wanted("index.ts") && !wanted("package.json5"));
    }
}
