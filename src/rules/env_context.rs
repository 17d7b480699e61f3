//! What the env rules read from one snapshot: the declaration files, the env files committed
//! in it, the untracked local env files on disk, and the code's env reads.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::env::{self, Declarations, EnvFileKind};
use crate::scan::Facts;
use crate::snapshot::Snapshot;

pub struct EnvContext<'a> {
    pub config: &'a Config,
    pub declarations: Declarations,
    /// Env files in the snapshot that are not declaration files: (path, kind, parsed entries).
    pub env_files: Vec<(String, EnvFileKind, Vec<env::Entry>)>,
    /// Declaration files' entries, for values that look secret: (path, entries).
    pub declaration_entries: Vec<(String, Vec<env::Entry>)>,
    /// Names set in untracked local env files on disk -> the file (read on first use).
    local_names: std::sync::OnceLock<BTreeMap<String, String>>,
    snap: &'a Snapshot,
    /// The analysed source files and their facts.
    pub files: &'a [(String, Facts)],
}

impl<'a> EnvContext<'a> {
    pub fn new(config: &'a Config, snap: &'a Snapshot, files: &'a [(String, Facts)]) -> EnvContext<'a> {
        let env_paths: Vec<&str> = snap
            .entries()
            .keys()
            .map(String::as_str)
            .filter(|p| env::env_file_kind(p).is_some() && !p.split('/').any(|c| c == "node_modules"))
            .collect();
        let contents = snap.read_many(&env_paths);
        let mut decl_inputs = Vec::new();
        let mut env_files = Vec::new();
        let mut declaration_entries = Vec::new();
        for (path, bytes) in env_paths.iter().zip(contents) {
            let Ok(bytes) = bytes else { continue };
            let kind = env::env_file_kind(path).expect("filtered above");
            let entries = env::dotenv::parse(&bytes).map(|p| p.entries).unwrap_or_default();
            if kind == EnvFileKind::Declaration {
                declaration_entries.push((path.to_string(), entries));
                decl_inputs.push((path.to_string(), bytes));
            } else {
                env_files.push((path.to_string(), kind, entries));
            }
        }
        let declarations = Declarations::new(
            decl_inputs.iter().map(|(p, b)| (p.as_str(), b.as_slice())),
            &config.env,
        );
        EnvContext {
            config,
            declarations,
            env_files,
            declaration_entries,
            local_names: std::sync::OnceLock::new(),
            snap,
            files,
        }
    }

    /// The snapshot, for rules that read env files themselves (`secrets/env-file` reads their
    /// raw bytes and follows symlinks).
    pub fn snapshot(&self) -> &'a Snapshot {
        self.snap
    }

    /// Names set in untracked local env files on disk -> the file (repo-relative).
    pub fn local_names(&self) -> &BTreeMap<String, String> {
        self.local_names.get_or_init(|| local_env_names(self.snap))
    }
}

/// Names set in `.env*.local` (and `.env`) files on disk that the snapshot does not contain, in
/// the root and in every package folder: the values that exist on this machine only.
fn local_env_names(snap: &Snapshot) -> BTreeMap<String, String> {
    let mut dirs: Vec<String> = vec![String::new()];
    dirs.extend(
        snap.entries()
            .keys()
            .filter_map(|p| p.strip_suffix("/package.json"))
            .filter(|d| !d.split('/').any(|c| c == "node_modules"))
            .map(str::to_string),
    );
    let mut out = BTreeMap::new();
    for dir in dirs {
        let Ok(read) = std::fs::read_dir(snap.abs(&dir)) else {
            continue;
        };
        let mut names: Vec<String> = read
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| {
                matches!(
                    env::env_file_kind(n),
                    Some(EnvFileKind::Local | EnvFileKind::Other)
                )
            })
            .collect();
        names.sort();
        for name in names {
            let rel = if dir.is_empty() {
                name.clone()
            } else {
                format!("{dir}/{name}")
            };
            if snap.get(&rel).is_some() {
                continue;
            }
            let Ok(bytes) = std::fs::read(snap.abs(&rel)) else {
                continue;
            };
            if bytes.len() > 1 << 20 {
                continue;
            }
            for e in env::dotenv::parse(&bytes).map(|p| p.entries).unwrap_or_default() {
                out.entry(e.name).or_insert_with(|| rel.clone());
            }
        }
    }
    out
}
