//! Where a scope's jobs run: in place, in a staged view when they are given a partially
//! staged file (see `jobs::staged`), or in a clean checkout; the view and checkouts are made
//! when a job first needs one.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::config::JobConfig;
use crate::jobs::{Git, SnapshotRef, clean, plan, staged};

use super::scope::HookScope;

/// A job's run in one folder, as planned: its display name, commands and files.
pub(super) struct Runnable<'a> {
    pub(super) job: &'a JobConfig,
    pub(super) name: String,
    pub(super) dir: PathBuf,
    pub(super) commands: Vec<OsString>,
    pub(super) files: Vec<PathBuf>,
}

/// The index file jobs see; `None`: the repository's own.
#[derive(Clone, Copy)]
pub(super) struct IndexFile<'s>(pub(super) Option<&'s Path>);

/// The partially staged files of an index snapshot, whose unstaged edits jobs must neither
/// see nor lose: jobs given one run in a staged view (see `jobs::staged`), the others in place.
pub(super) struct Partial<'s> {
    /// The index being committed, when some job that is not `clean` runs against an index in
    /// a work tree.
    pub(super) index: Option<IndexFile<'s>>,
    pub(super) files: BTreeSet<PathBuf>,
    /// Symlinks that lead to a partially staged file: through them a job would read the
    /// unstaged content, so jobs given one run in the view too.
    pub(super) links: BTreeSet<PathBuf>,
    /// How to tell, after the jobs, which files they changed.
    pub(super) probe: staged::Probe,
}

impl<'s> Partial<'s> {
    pub(super) fn probe(
        git: &Git,
        scope: &'s HookScope,
        graph: Option<&crate::graph::Graph>,
        runnable: &[Runnable],
    ) -> anyhow::Result<Self> {
        let index = match &scope.snapshot {
            SnapshotRef::Index(index) if !git.bare && runnable.iter().any(|r| !r.job.clean) => {
                Some(IndexFile(index.as_deref()))
            }
            _ => None,
        };
        let Some(IndexFile(index)) = index else {
            return Ok(Partial {
                index: None,
                files: BTreeSet::new(),
                links: BTreeSet::new(),
                probe: staged::Probe::Git,
            });
        };
        let (mut files, probe) = staged::probe(git, index, &scope.files, &scope.oids)?;
        // `{affected}` files that are not staged but edited on disk: the commit holds their
        // index version, so jobs must see that one too (and never rewrite the edits).
        let staged_set: BTreeSet<&PathBuf> = scope.files.iter().collect();
        let extra: BTreeSet<PathBuf> = runnable
            .iter()
            .filter(|r| !r.job.clean && plan::uses_graph(r.job))
            .flat_map(|r| r.files.iter())
            .filter(|f| !staged_set.contains(f))
            .cloned()
            .collect();
        if !extra.is_empty() {
            let extra: Vec<PathBuf> = extra.into_iter().collect();
            let none = std::collections::HashMap::new();
            let oids = graph.map_or(&none, |g| &g.oids);
            files.extend(staged::probe(git, index, &extra, oids)?.0);
        }
        let links = staged::links_to(git, index, &files);
        Ok(Partial {
            index: Some(IndexFile(index)),
            files,
            links,
            probe,
        })
    }

    /// Whether a job given `f` must run in the staged view.
    pub(super) fn shows(&self, f: &PathBuf) -> bool {
        self.files.contains(f) || self.links.contains(f)
    }
}

/// Where jobs run besides the work tree: clean checkouts and the staged view, made when a
/// job first needs one.
#[derive(Default)]
pub(super) struct Places {
    /// One checkout per distinct `link` setting, shared by the jobs that use it.
    pub(super) checkouts: Vec<(Option<Vec<String>>, clean::CleanDir)>,
    pub(super) view: Option<staged::View>,
}

impl Places {
    /// The root a job runs under: its clean checkout, the staged view, or the work tree.
    pub(super) fn base(
        &mut self,
        git: &Git,
        scope: &HookScope,
        partial: &Partial,
        state: &Path,
        job: &JobConfig,
        in_view: bool,
    ) -> anyhow::Result<PathBuf> {
        if job.clean {
            let pos = if let Some(p) = self.checkouts.iter().position(|(l, _)| *l == job.link) {
                p
            } else {
                let c = clean::materialize(git, &scope.snapshot, job.link.as_deref())
                    .context("cannot make the clean checkout")?;
                self.checkouts.push((job.link.clone(), c));
                self.checkouts.len() - 1
            };
            return Ok(self.checkouts[pos].1.tree.clone());
        }
        if !in_view {
            return Ok(git.root.clone());
        }
        if self.view.is_none() {
            let index = partial.index.and_then(|i| i.0);
            self.view = Some(
                staged::View::create(git, index, &partial.files, &partial.links, Some(state))
                    .context("cannot make the staged view")?,
            );
        }
        Ok(self
            .view
            .as_ref()
            .map_or_else(|| git.root.clone(), |v| v.tree.clone()))
    }
}
