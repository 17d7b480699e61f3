//! Stylesheet imports (`@import`, `@use`, `@forward`, `url()`) -> a verdict, with the rules of
//! Sass, Less, CSS and the bundlers that load them (Vite, webpack's css/sass/less loaders):
//!
//! - A relative target (`./a`, `../a`, and a bare `a`, which stylesheets read relative to the
//!   file first) is probed by kind: Sass `@use`/`@forward`/`@import` find `a.scss`, `a.sass`,
//!   `a.css`, the partials `_a.scss`/`_a.sass`/`_a.css`, and `a/_index.scss`, `a/index.scss` (and
//!   `.sass`, `.css`); Less adds `.less` to a name without extension; a plain CSS `@import` finds
//!   the file, `a.css` or `a/index.css` (postcss-import); a `url()` is an asset and must exist
//!   exactly.
//! - `~pkg/x` (the sass-loader/less-loader convention) and a bare `pkg/x` that no file matches
//!   are package imports: `imports/undeclared-dependency` when no package.json declares the
//!   package, as for TS imports; not required on disk (a fresh clone has no `node_modules`).
//!   A workspace package's folder is looked into.
//! - A bare target is also looked for in the `[imports] style_load_paths` folders (Sass
//!   `loadPaths`, Angular `includePaths`, Less `paths`: build settings hookctl cannot read).
//! - Aliases are the importer's tsconfig `paths` only (`@/styles/x.css`): Vite's
//!   `resolve.alias` lives in JavaScript that hookctl does not run. An alias-looking target
//!   (`@/x`, `~/x`) that no `paths` entry matches is not checked.
//! - A root-relative `url(/x.png)` is checked where the nearest app (folder of the nearest
//!   package.json) has a `public/` folder, which Vite and Next.js serve at `/`: it must be
//!   `public/x.png` (or, as Vite also serves it, `x.png` in the app's folder). Without a
//!   `public/` folder the server is unknown and the URL is not checked.
//!
//! The verdicts are those of TS imports: in the snapshot (`File`), only when case is ignored
//! (`CaseMismatch`), only on disk (`Untracked`, `Generated`), git-ignored build output not on
//! disk (`Ignored`), nothing (`Unresolved`).

use crate::scan::{Import, ImportKind};

use super::specifier::{alias_matches, clean_specifier, is_not_a_file, package_name};
use super::{Resolver, Verdict};

impl Resolver {
    /// Resolve an import found in a stylesheet (or a `<style>` block) of `importer`.
    pub(super) fn resolve_css(&self, importer: &str, import: &Import) -> Verdict {
        let kind = import.kind;
        let spec = clean_specifier(&import.specifier);
        if spec.is_empty()
            || spec.starts_with("//")
            || is_not_a_file(&spec)
            || self.not_files.iter().any(|r| r.is_match(&import.specifier))
        {
            return Verdict::External;
        }
        let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        if let Some(abs) = spec.strip_prefix('/') {
            return self.css_root_relative(importer, abs, kind);
        }
        if let Some(rest) = spec.strip_prefix('~')
            && !rest.starts_with('/')
        {
            // `~name/x` is the module request `name/x`: a bundler alias first (Nuxt's `assets`),
            // then a package.
            if let Some(targets) = self.bundler_css_alias(importer, rest) {
                let candidates: Vec<String> = targets.iter().flat_map(|t| probe(kind, t)).collect();
                return self.css_verdict(&candidates).unwrap_or(Verdict::Unresolved);
            }
            return self.css_package(importer, rest, kind);
        }
        if spec.starts_with("./") || spec.starts_with("../") {
            return match join(dir, &spec) {
                Some(base) => self
                    .css_verdict(&probe(kind, &base))
                    .unwrap_or(Verdict::Unresolved),
                None => Verdict::External, // outside the repository: not ours to check
            };
        }
        if let Some(targets) = self.css_alias(importer, &spec) {
            let candidates: Vec<String> = targets.iter().flat_map(|t| probe(kind, t)).collect();
            return self.css_verdict(&candidates).unwrap_or(Verdict::Unresolved);
        }
        // A bare name is relative to the stylesheet first, then to each configured load path
        // (`[imports] style_load_paths`).
        let mut candidates: Vec<String> = join(dir, &spec).map(|b| probe(kind, &b)).unwrap_or_default();
        if kind != ImportKind::CssUrl {
            for load in &self.style_load_paths {
                if let Some(base) = join(load, &spec) {
                    candidates.extend(probe(kind, &base));
                }
            }
        }
        if let Some(v) = self.css_verdict(&candidates) {
            return v;
        }
        // A bundler config's alias (Vite `resolve.alias`, Nuxt's `~`, `assets`): the style
        // loaders apply the same aliases as to scripts, after a file beside the stylesheet.
        if let Some(targets) = self.bundler_css_alias(importer, &spec) {
            let candidates: Vec<String> = targets.iter().flat_map(|t| probe(kind, t)).collect();
            return self.css_verdict(&candidates).unwrap_or(Verdict::Unresolved);
        }
        if kind == ImportKind::CssUrl {
            // `url(img.png)` is `url(./img.png)`: assets are not looked up in packages. A
            // bundler alias the framework provides (Docusaurus' `url(@site/static/img/x.svg)`,
            // jestjs/jest's site in the real-repo corpus) is not a missing file.
            return if self.provided_elsewhere(importer, &spec) {
                Verdict::External
            } else {
                Verdict::Unresolved
            };
        }
        if spec.starts_with('@') && package_name(&spec).is_none()
            || spec.starts_with('~')
            || spec.starts_with('#')
        {
            return Verdict::External; // an alias of a bundler config hookctl cannot read
        }
        let Some(pkg) = package_name(&spec) else {
            return Verdict::Unresolved;
        };
        let sub = &spec[pkg.len()..];
        let first_is_local_dir = std::iter::once(dir)
            .chain(self.style_load_paths.iter().map(String::as_str))
            .filter_map(|d| join(d, pkg))
            .any(|d| self.snap.is_dir(&d) || self.snap.abs(&d).is_dir());
        if self.provided_elsewhere(importer, &spec) {
            return Verdict::External; // a virtual module, an ambient module, an uninstalled base's alias
        }
        match self.css_package(importer, &spec, kind) {
            // `@import "mixins"` with no such file and no such package: a missing file, not a
            // package (single names are rarely packages in stylesheets); likewise
            // `components/button` when `components/` is a folder beside the stylesheet.
            Verdict::Undeclared(_) if sub.is_empty() || first_is_local_dir => Verdict::Unresolved,
            v => v,
        }
    }

    /// `pkg/x` (from `~pkg/x` or a bare `pkg/x`): a workspace package's file, or a dependency.
    fn css_package(&self, importer: &str, spec: &str, kind: ImportKind) -> Verdict {
        let Some(pkg) = package_name(spec) else {
            return Verdict::Unresolved;
        };
        if let Some(dir) = self.packages.workspaces.get(pkg) {
            let sub = spec[pkg.len()..].trim_start_matches('/');
            if sub.is_empty() {
                return Verdict::External; // its `style`/`sass` entry: not followed
            }
            let base = if dir.is_empty() {
                sub.to_string()
            } else {
                format!("{dir}/{sub}")
            };
            if let Some(Verdict::File(f)) = self.css_verdict(&probe(kind, &base)) {
                return Verdict::File(f);
            }
            // Through its `exports` (`"./styles.css": "./dist/styles.css"`): build output may
            // be absent, so only a positive answer counts.
            return Verdict::External;
        }
        self.package_verdict(importer, pkg, false)
    }

    /// The targets a tsconfig `paths` alias maps a specifier to (repo-relative), when one
    /// matches.
    fn css_alias(&self, importer: &str, spec: &str) -> Option<Vec<String>> {
        // The tsconfig that governs the stylesheet's folder: asked for as a TS file beside it,
        // since a tsconfig's `include` only ever matches script extensions.
        let ts = self
            .strict
            .find_tsconfig(self.snap.abs(&format!("{importer}.ts")))
            .ok()
            .flatten()
            .filter(|ts| {
                ts.compiler_options
                    .paths
                    .as_ref()
                    .is_some_and(|paths| paths.keys().any(|k| alias_matches(k, spec)))
            });
        let ts = ts?;
        Some(
            ts.resolve_path_alias_or_base_url(spec)
                .iter()
                .filter_map(|p| self.snap.rel(&super::normalize(p)))
                .collect(),
        )
    }

    /// The files a bundler or framework config alias (`resolve.alias`, Nuxt's built-in `~`,
    /// `assets`, ...) rewrites `spec` to: the same aliases as scripts', which the bundler's
    /// style loaders apply too.
    fn bundler_css_alias(&self, importer: &str, spec: &str) -> Option<Vec<String>> {
        match self.bundler.provide(importer, spec) {
            crate::bundler::Provided::Alias { targets, .. } => Some(
                targets
                    .into_iter()
                    .filter_map(|t| match t {
                        crate::bundler::Rewritten::Path(p) => Some(p),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
            )
            .filter(|v: &Vec<String>| !v.is_empty()),
            _ => None,
        }
    }

    /// `url(/x.png)`: in the nearest app's `public/` folder (or its root, as Vite serves it).
    fn css_root_relative(&self, importer: &str, abs: &str, kind: ImportKind) -> Verdict {
        let app = self.packages.nearest_manifest(importer).unwrap_or("");
        let public = if app.is_empty() {
            "public".to_string()
        } else {
            format!("{app}/public")
        };
        if !self.snap.is_dir(&public) || abs.is_empty() {
            return Verdict::External;
        }
        let mut candidates = vec![format!("{public}/{abs}")];
        candidates.push(if app.is_empty() {
            abs.to_string()
        } else {
            format!("{app}/{abs}")
        });
        let candidates: Vec<String> = candidates
            .iter()
            .filter_map(|c| join("", c))
            .flat_map(|c| probe(kind, &c))
            .collect();
        self.css_verdict(&candidates).unwrap_or(Verdict::Unresolved)
    }

    /// The verdict of the first candidate found: in the snapshot, then with case ignored, then
    /// on disk, then git-ignored and absent. `None` when none is anywhere. (Root-absolute TS
    /// imports too.)
    pub(super) fn css_verdict(&self, candidates: &[String]) -> Option<Verdict> {
        if candidates
            .iter()
            .any(|c| c.split('/').any(|p| p == "node_modules"))
        {
            return Some(Verdict::External); // installed packages are not in the snapshot
        }
        if let Some(c) = candidates.iter().find(|c| self.snap.is_file(c)) {
            return Some(Verdict::File(c.clone()));
        }
        for c in candidates {
            if let Some(real) = self
                .snap
                .case_insensitive(c)
                .into_iter()
                .find(|p| p != c && self.snap.is_file(p))
            {
                return Some(Verdict::CaseMismatch {
                    written: c.clone(),
                    real,
                });
            }
        }
        for c in candidates {
            if self.snap.abs(c).is_file() {
                return Some(if self.in_submodule(c) {
                    Verdict::External
                } else if self.in_generated_dir(c) {
                    Verdict::Generated(c.clone())
                } else {
                    Verdict::Untracked(c.clone())
                });
            }
        }
        if let Some(c) = candidates.iter().find(|c| self.in_generated_dir(c)) {
            return Some(Verdict::Generated(c.clone()));
        }
        // Only the first candidate (the name as written, or with the dialect's own extension):
        // a repository that ignores its compiled `*.css` must still hear of a missing partial.
        let first = candidates.first()?;
        let ignored = self
            .ignored
            .get_or_init(|| super::ignored::Ignored::load(&self.snap));
        ignored
            .is_ignored(&self.snap, first)
            .then(|| Verdict::Ignored(first.clone()))
    }
}

/// Does this verdict of a stylesheet import depend on files outside the snapshot? A bare
/// `pkg/x` found to be a package was first looked for beside the stylesheet, on disk too: an
/// untracked file appearing there later turns it into `imports/untracked`, so such a file is
/// never remembered as clean (`clean::CleanSet`).
pub fn depends_on_disk(import: &Import, verdict: &Verdict) -> bool {
    if !import.kind.is_css() || import.kind == ImportKind::CssUrl || *verdict != Verdict::External {
        return false;
    }
    let spec = clean_specifier(&import.specifier);
    !(spec.is_empty()
        || spec.starts_with("./")
        || spec.starts_with("../")
        || spec.starts_with('/')
        || spec.starts_with('~')
        || spec.starts_with("//")
        || is_not_a_file(&spec))
}

/// `dir` + a relative path, normalised; `None` when it climbs out of the repository.
fn join(dir: &str, rel: &str) -> Option<String> {
    crate::snapshot::join_relative(dir, rel)
        .filter(|parts| !parts.is_empty())
        .map(|parts| parts.join("/"))
}

/// The files an import of `base` (repo-relative, as written) may mean, in the order the tools
/// try them.
fn probe(kind: ImportKind, base: &str) -> Vec<String> {
    let (dir, name) = match base.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), base),
    };
    let has_ext = |exts: &[&str]| exts.iter().any(|e| name.ends_with(e));
    match kind {
        ImportKind::SassUse | ImportKind::SassForward | ImportKind::SassImport => {
            let sass_exts = [".scss", ".sass", ".css"];
            if has_ext(&sass_exts) {
                // `@use "a.scss"` also finds the partial `_a.scss`.
                return vec![base.to_string(), format!("{dir}_{name}")];
            }
            let mut v = Vec::new();
            for e in sass_exts {
                v.push(format!("{base}{e}"));
            }
            for e in sass_exts {
                v.push(format!("{dir}_{name}{e}"));
            }
            for e in sass_exts {
                v.push(format!("{base}/_index{e}"));
                v.push(format!("{base}/index{e}"));
            }
            if kind == ImportKind::SassImport {
                // Import-only files (`a.import.scss`; Sass prefers them when both exist, which
                // matters only for which file is named, not whether one is found).
                for e in [".scss", ".sass"] {
                    v.push(format!("{base}.import{e}"));
                    v.push(format!("{dir}_{name}.import{e}"));
                }
            }
            v
        }
        ImportKind::LessImport => {
            if name.contains('.') {
                vec![base.to_string()]
            } else {
                vec![format!("{base}.less"), base.to_string()]
            }
        }
        ImportKind::CssImport => {
            if has_ext(&[".css"]) {
                vec![base.to_string()]
            } else {
                vec![
                    base.to_string(),
                    format!("{base}.css"),
                    format!("{base}/index.css"),
                ]
            }
        }
        _ => vec![base.to_string()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sass_probe_order() {
        assert_eq!(
            probe(ImportKind::SassUse, "s/foo"),
            [
                "s/foo.scss",
                "s/foo.sass",
                "s/foo.css",
                "s/_foo.scss",
                "s/_foo.sass",
                "s/_foo.css",
                "s/foo/_index.scss",
                "s/foo/index.scss",
                "s/foo/_index.sass",
                "s/foo/index.sass",
                "s/foo/_index.css",
                "s/foo/index.css"
            ]
        );
        assert_eq!(probe(ImportKind::SassUse, "a.scss"), ["a.scss", "_a.scss"]);
        assert_eq!(probe(ImportKind::CssUrl, "f/X.woff2"), ["f/X.woff2"]);
        assert_eq!(probe(ImportKind::LessImport, "a/b"), ["a/b.less", "a/b"]);
        assert_eq!(probe(ImportKind::LessImport, "a/b.css"), ["a/b.css"]);
    }

    #[test]
    fn joins_stay_inside() {
        assert_eq!(join("a/b", "../c/./d").as_deref(), Some("a/c/d"));
        assert_eq!(join("", "../x"), None);
        assert_eq!(join("a", "x"), Some("a/x".to_string()));
    }
}
