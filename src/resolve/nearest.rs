//! Nearest wins for resolution outside the checks (`{affected}`'s import graph, `hookctl
//! resolve`): one [`Resolver`] per distinct `[imports]` among a configuration and its workspace
//! packages' (`Config::scopes`), each file resolved with its nearest package's.

use std::sync::Arc;

use super::Resolver;
use crate::config::Config;
use crate::diagnostic::Finding;
use crate::snapshot::Snapshot;

pub struct Nearest {
    /// `[imports]` as written (its `Debug` form) and its resolver; the root's first.
    resolvers: Vec<(String, Resolver)>,
    /// Package folders with their resolver, deepest first.
    folders: Vec<(String, usize)>,
}

impl Nearest {
    pub fn new(
        snap: &Arc<Snapshot>,
        config: &Config,
        unreadable: &mut Vec<Finding>,
        notes: &mut Vec<String>,
    ) -> Nearest {
        let mut resolvers: Vec<(String, Resolver)> = Vec::new();
        let mut index = |c: &Config, unreadable: &mut Vec<Finding>, notes: &mut Vec<String>| {
            let key = format!("{:?}", c.imports);
            if let Some(i) = resolvers.iter().position(|(k, _)| *k == key) {
                return i;
            }
            resolvers.push((key, Resolver::new(snap.clone(), &c.imports, unreadable, notes)));
            resolvers.len() - 1
        };
        index(config, unreadable, notes);
        let mut folders: Vec<(String, usize)> = config
            .scopes
            .iter()
            .map(|s| (s.folder.clone(), index(&s.config, unreadable, notes)))
            .collect();
        folders.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
        Nearest { resolvers, folders }
    }

    /// The root's resolver.
    pub fn root(&self) -> &Resolver {
        &self.resolvers[0].1
    }

    /// The resolver of the file at `path`: its nearest package's with `[imports]` of its own.
    pub fn at(&self, path: &str) -> &Resolver {
        let i = self
            .folders
            .iter()
            .find(|(f, _)| {
                path.strip_prefix(f.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
            })
            .map_or(0, |(_, i)| *i);
        &self.resolvers[i].1
    }

    /// Everything the resolvers' verdicts depend on besides the snapshot's paths: each
    /// `[imports]`, the folders they apply to, and the resolution configs' digest.
    pub fn settings(&self) -> String {
        let keys: Vec<&str> = self.resolvers.iter().map(|(k, _)| k.as_str()).collect();
        format!("{keys:?} {:?} {:x}", self.folders, self.root().config_digest())
    }
}
