//! `hookctl resolve` (hidden): how every import of the snapshot resolves, one JSON object per
//! line. Used by the TypeScript-agreement test script and for debugging resolution.

use std::sync::Arc;

use serde_json::json;

use crate::checks::{FileScope, scan_snapshot};
use crate::cli::ResolveArgs;
use crate::config::Config;
use crate::git;
use crate::resolve::Verdict;
use crate::resolve::nearest::Nearest;
use crate::scan::ScanOptions;
use crate::{Ctx, Exit};

pub fn run(ctx: &Ctx, args: &ResolveArgs) -> anyhow::Result<Exit> {
    let (repo, paths) = git::discover()?;
    let config = Config::load(&paths.root, ctx.config.as_deref())?;
    let snap = super::check::target(&repo, &args.snapshot)?.open(repo, &paths)?;
    let snap = Arc::new(snap);
    let files = scan_snapshot(
        &snap,
        &ScanOptions {
            env_accessors: config.env.accessors.clone(),
        },
        &FileScope::All,
        &crate::cache::FactsCache::disabled(),
    );
    let (mut unreadable, mut notes) = (Vec::new(), Vec::new());
    // Each file with its nearest package's `[imports]`, as the checks resolve it.
    let nearest = Nearest::new(&snap, &config, &mut unreadable, &mut notes);
    crate::output::with_stdout(|out| {
        for (path, facts) in &files {
            for imp in &facts.imports {
                let (verdict, target) = match nearest.at(path).resolve_import(path, imp) {
                    Verdict::File(p) => ("file", Some(p)),
                    Verdict::External => ("external", None),
                    Verdict::Untracked(p) => ("untracked", Some(p)),
                    Verdict::Generated(p) => ("generated", Some(p)),
                    Verdict::Ignored(p) => ("ignored", Some(p)),
                    Verdict::CaseMismatch { real, .. } => ("case-mismatch", Some(real)),
                    Verdict::Unresolved => ("unresolved", None),
                    Verdict::NeedsExtension(p) => ("needs-extension", Some(p)),
                    Verdict::Undeclared(p) => ("undeclared", Some(p)),
                    Verdict::Unknown { why } => ("unknown", why),
                };
                let line = json!({
                    "importer": path,
                    "specifier": imp.specifier,
                    "line": imp.span.line,
                    "kind": format!("{:?}", imp.kind),
                    "type_only": imp.type_only,
                    "verdict": verdict,
                    "target": target,
                });
                writeln!(out, "{line}")?;
            }
        }
        Ok(())
    });
    Ok(Exit::Success)
}
