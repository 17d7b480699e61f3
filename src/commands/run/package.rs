//! `--package P` / `--here`: a run of one workspace package. Its `hookctl.toml` is merged over
//! the root's as if it extended it (`Config::load_for`, the configuration its files also get in a
//! run of the whole repository), so its settings win; every job gets
//! only the package's files, and the built-in checks report only findings under its folder.
//!
//! Which jobs run: the package's own (rooted in its folder), root jobs whose `root` is the
//! package's folder, inside it or a glob matching it, and root jobs rooted above it (the
//! repository root included) that take files (`{files}`, `{affected}`, `glob`), which then get
//! the package's files. A root job that takes no files and is rooted elsewhere is not the
//! package's and does not run (`npm test` at the root stays out of `--package web`).

use std::path::Path;

use crate::Ctx;
use crate::cli::RunArgs;
use crate::config::JobConfig;
use crate::config::nested::{self, Package};
use crate::jobs::plan::{self, Piece};

/// The package `--package`/`--here` names, if either is given.
pub(super) fn selected(ctx: &Ctx, root: &Path, args: &RunArgs) -> anyhow::Result<Option<Package>> {
    if let Some(spec) = &args.package {
        return nested::find(root, spec).map(Some);
    }
    if args.here {
        return nested::containing(root, &ctx.cwd).map(Some);
    }
    Ok(None)
}

/// Whether a job runs in a run of `pkg` (see the module documentation).
pub(super) fn keep_job(job: &JobConfig, pkg: &Package) -> bool {
    let job_root = job.root.as_ref().map_or("", |r| r.trimmed());
    let folder = Path::new(&pkg.folder);
    if let Some(glob) = job.root.as_ref().and_then(|r| r.glob()) {
        return folder.ancestors().any(|a| glob.is_match(a));
    }
    if Path::new(job_root).starts_with(folder) {
        return true;
    }
    let above = folder.starts_with(job_root);
    let takes_files = job.glob.is_some()
        || plan::parse_template(&job.run)
            .iter()
            .any(|p| matches!(p, Piece::Files | Piece::Affected));
    above && takes_files
}
