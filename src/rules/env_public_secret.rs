//! `env/public-secret`: a variable exposed to the browser (`NEXT_PUBLIC_`, `VITE_`, ...) has a
//! secret-like name or holds a value of a known secret format. Bundlers inline these into the
//! JavaScript every visitor downloads. Values are never printed.

use std::collections::{HashMap, HashSet};

use super::env_context::EnvContext;
use crate::diagnostic::Finding;
use crate::env::public_secret_reason;

/// `files_too`: also the env files of the snapshot (skipped when only some sources are checked:
/// env file changes make hookctl check everything).
pub fn check(cx: &EnvContext, files_too: bool) -> Vec<Finding> {
    let extra = &cx.config.env.public_prefixes;
    let mut out = Vec::new();
    let help = |name: &str| {
        format!(
            "keep `{name}` server-side: drop the public prefix and read it in server code only (rotate it if it was ever deployed)"
        )
    };
    // Env files of the snapshot, where values are known.
    let files = cx
        .declaration_entries
        .iter()
        .map(|(p, e)| (p, e))
        .chain(cx.env_files.iter().map(|(p, _, e)| (p, e)));
    for (path, entries) in files.filter(|_| files_too) {
        for e in entries {
            if let Some(reason) = public_secret_reason(&e.name, Some(&e.value), extra) {
                out.push(
                    Finding::new(&super::ENV_PUBLIC_SECRET, path.as_str(), reason)
                        .at(e.line, e.column)
                        .help(help(&e.name))
                        .name(&e.name),
                );
            }
        }
    }
    // Code that reads a public name that looks secret (once per file and name; each name is
    // judged once: the same few names are read across hundreds of files).
    let mut reasons: HashMap<&str, Option<String>> = HashMap::new();
    for (path, facts) in cx.reading_files() {
        let mut seen = HashSet::new();
        for read in &facts.env_reads {
            let Some(name) = &read.name else { continue };
            if !seen.insert(name) {
                continue;
            }
            let reason = reasons
                .entry(name)
                .or_insert_with(|| public_secret_reason(name, None, extra));
            if let Some(reason) = reason.clone() {
                out.push(
                    Finding::new(&super::ENV_PUBLIC_SECRET, path, reason)
                        .span(read.span)
                        .help(help(name))
                        .name(name),
                );
            }
        }
    }
    out
}
