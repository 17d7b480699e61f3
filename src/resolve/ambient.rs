//! Ambient module declarations (`declare module "x" { ... }`) in the snapshot's `.d.ts` files:
//! the bundler or runtime provides `x`, so a bare import of it is not unresolved or undeclared.
//! A wildcard declaration (`declare module "*.svg"`, `"virtual:*"`) covers bare specifiers it
//! matches, never a relative path: a missing relative file is missing whatever the types say.
//!
//! Only script-like declaration files count: in a `.d.ts` with a top-level `import`/`export`,
//! `declare module "x"` augments an existing module instead of declaring one.

use std::collections::BTreeSet;

use xxhash_rust::xxh3::Xxh3;

use crate::snapshot::{EntryKind, Snapshot};

#[derive(Default)]
pub struct Ambient {
    exact: BTreeSet<String>,
    /// `(prefix, suffix)` of `prefix*suffix` patterns.
    patterns: BTreeSet<(String, String)>,
}

impl Ambient {
    pub fn load(snap: &Snapshot) -> Ambient {
        let paths: Vec<&str> = snap
            .entries()
            .iter()
            .filter(|(p, e)| {
                e.kind == EntryKind::File
                    && (p.ends_with(".d.ts") || p.ends_with(".d.mts") || p.ends_with(".d.cts"))
                    && !p.split('/').any(|c| c == "node_modules")
            })
            .map(|(p, _)| p.as_str())
            .collect();
        let mut out = Ambient::default();
        for bytes in snap.read_many(&paths).into_iter().flatten() {
            if memchr::memmem::find(&bytes, b"declare module").is_none() {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes);
            for name in declared_modules(&text) {
                match name.split_once('*') {
                    Some((pre, post)) => {
                        out.patterns.insert((pre.to_string(), post.to_string()));
                    }
                    None => {
                        out.exact.insert(name);
                    }
                }
            }
        }
        out
    }

    /// Does an ambient declaration provide this bare specifier?
    pub fn provides(&self, spec: &str) -> bool {
        self.exact.contains(spec)
            || self.patterns.iter().any(|(pre, post)| {
                spec.len() >= pre.len() + post.len()
                    && spec.starts_with(pre.as_str())
                    && spec.ends_with(post.as_str())
            })
    }

    /// A digest of the declared names (part of the clean verdicts' cache key).
    pub fn digest(&self) -> u64 {
        let mut h = Xxh3::new();
        for n in &self.exact {
            h.update(n.as_bytes());
            h.update(&[0]);
        }
        for (a, b) in &self.patterns {
            h.update(a.as_bytes());
            h.update(&[1]);
            h.update(b.as_bytes());
            h.update(&[0]);
        }
        h.digest()
    }
}

/// The module names a declaration file declares ambiently (none if it is a module itself).
pub fn declared_modules(text: &str) -> Vec<String> {
    let is_module = text.lines().any(|l| {
        (l.starts_with("import ") || l.starts_with("export ")) && !l.starts_with("export as namespace")
    });
    if is_module {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("declare module") {
        let after = rest[i + "declare module".len()..].trim_start();
        rest = &rest[i + "declare module".len()..];
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = after[1..].find(quote) {
            let name = &after[1..1 + end];
            if !name.is_empty() && !name.contains('\n') {
                out.push(name.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_declarations_count_and_augmentations_do_not() {
        assert_eq!(
            declared_modules(
                "declare module \"virtual:pwa\" {\n  export const x: number;\n}\ndeclare module '*.svg';\n"
            ),
            vec!["virtual:pwa", "*.svg"]
        );
        assert!(declared_modules("import 'express';\ndeclare module 'express' {}\n").is_empty());
        assert!(
            declared_modules("declare module Foo {}\n").is_empty(),
            "a namespace, not a module name"
        );
    }

    #[test]
    fn wildcards_match_bare_specifiers() {
        let mut a = Ambient::default();
        a.patterns.insert(("".into(), ".svg".into()));
        a.exact.insert("@theme/Layout".into());
        assert!(a.provides("logo.svg"));
        assert!(a.provides("@theme/Layout"));
        assert!(!a.provides("@theme/Other"));
    }
}
