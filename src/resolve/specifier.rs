//! Specifier strings: what kind of import a specifier is, its package name, and the
//! lexical path helpers resolution needs.

use std::path::{Path, PathBuf};

/// `a/b/../c` -> `a/c` (lexically).
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// A path written relative to the repo-relative folder `dir` (an `extends`, a `references` entry,
/// an `importMap`), as a normalized repo-relative path.
pub fn join_rel(dir: &str, rel: &str) -> String {
    normalize(Path::new(&format!("{dir}/{rel}")))
        .to_string_lossy()
        .trim_start_matches('/')
        .to_string()
}

/// Does a tsconfig `paths` key (`@/*`, `~lib/*`, `exact`) match the specifier?
pub fn alias_matches(key: &str, spec: &str) -> bool {
    match key.split_once('*') {
        Some((pre, post)) => {
            spec.len() >= pre.len() + post.len() && spec.starts_with(pre) && spec.ends_with(post)
        }
        None => key == spec,
    }
}

/// Drop `?query` and `#hash` suffixes (but not a leading `#` of package imports).
pub fn clean_specifier(spec: &str) -> String {
    let mut s = spec.trim();
    if let Some(i) = s.find('?') {
        s = &s[..i];
    }
    if let Some(i) = s.get(1..).and_then(|r| r.find('#')) {
        s = &s[..=i];
    }
    s.to_string()
}

/// URLs, `data:`, `virtual:`, other `scheme:` specifiers (except `node:`), and webpack loader
/// chains are not files.
pub fn is_not_a_file(spec: &str) -> bool {
    if spec.contains('!') {
        return true;
    }
    if let Some((scheme, _)) = spec.split_once(':') {
        return scheme != "node"
            && !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.' || c == '~');
    }
    spec.starts_with('\0')
}

/// A module a framework or bundler provides at build time (`data/virtual-modules.txt`).
pub fn is_virtual_module(spec: &str) -> bool {
    crate::data::lines(include_str!("../../data/virtual-modules.txt")).any(|pattern| {
        match pattern.strip_suffix('*') {
            Some(prefix) => spec.starts_with(prefix),
            None => spec == pattern || spec.starts_with(&format!("{pattern}/")),
        }
    })
}

/// A build-time placeholder that a bundler or template step replaces (`SERVER`, `MANIFEST`,
/// `__SERVER__/internal.js`): an all-capitals first segment, which no npm package can have.
pub fn is_placeholder(spec: &str) -> bool {
    let first = spec.split('/').next().unwrap_or(spec);
    first.chars().any(|c| c.is_ascii_uppercase())
        && first
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// The file a framework's route typegen writes for a relative import of `./$types` (`SvelteKit`)
/// or `./+types/<route>` (React Router), as the importer's folder sees it.
pub fn typegen_target(importer: &str, spec: &str) -> Option<String> {
    let rest = spec.strip_prefix("./")?;
    let typegen = rest == "$types"
        || rest.starts_with("$types.")
        || rest
            .strip_prefix("+types/")
            .is_some_and(|r| !r.is_empty() && !r.contains('/'));
    if !typegen {
        return None;
    }
    let dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
    Some(if dir.is_empty() {
        rest.to_string()
    } else {
        format!("{dir}/{rest}")
    })
}

/// Not relative, absolute, or a package.json `imports` key.
pub fn is_bare(spec: &str) -> bool {
    !(spec.starts_with('.') || spec.starts_with('/') || spec.starts_with('#'))
}

/// The npm package name of a bare specifier (`@scope/pkg/sub` -> `@scope/pkg`), or `None` when
/// the specifier cannot be a package name (`~icons/x`, `@/lib`, `@suite-fns`, `#build/x`).
pub fn package_name(spec: &str) -> Option<&str> {
    let end = if spec.starts_with('@') {
        let first = spec.find('/')?;
        spec[first + 1..].find('/').map_or(spec.len(), |i| first + 1 + i)
    } else {
        spec.find('/').unwrap_or(spec.len())
    };
    let name = &spec[..end];
    valid_package_name(name).then_some(name)
}

/// Could `name` be published to, or installed from, the npm registry? The rules of npm's
/// `validate-npm-package-name` for new packages (no crate implementing them is maintained; these
/// few lines follow its source): not empty, at most 214 characters, no leading `.` or `_`, no
/// surrounding spaces, not `node_modules`/`favicon.ico`, URL-safe characters only (each part of a
/// scoped name, `@scope/name`), and none of `~'!()*` in the name part. One deliberate exception:
/// capital letters, which that module allows only for packages published before the rule
/// (`JSONStream`), and which are still installed and imported.
pub fn valid_package_name(name: &str) -> bool {
    if name.is_empty()
        || name.len() > 214
        || name.starts_with('.')
        || name.starts_with('_')
        || name.trim() != name
        || name.eq_ignore_ascii_case("node_modules")
        || name.eq_ignore_ascii_case("favicon.ico")
    {
        return false;
    }
    // `encodeURIComponent` leaves these unescaped; the last five are refused in new names.
    let url_safe = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c))
    };
    let (scope, part) = match name.strip_prefix('@') {
        Some(rest) => match rest.split_once('/') {
            Some((scope, part)) => (Some(scope), part),
            None => return false,
        },
        None => (None, name),
    };
    scope.is_none_or(url_safe) && url_safe(part) && !part.contains(['~', '\'', '!', '(', ')', '*'])
}

/// `@types` package for a package: `@babel/core` -> `@types/babel__core`.
pub fn types_package(pkg: &str) -> String {
    match pkg.strip_prefix('@') {
        Some(rest) => format!("@types/{}", rest.replacen('/', "__", 1)),
        None => format!("@types/{pkg}"),
    }
}

/// A tool config that its tool bundles before running it (esbuild's `bundle-require`, jiti):
/// `vite.config.ts`, `vitest.config.ts`, `tsup.config.ts`, `tsdown.config.ts`,
/// `rsbuild.config.ts`, `nuxt.config.ts`, `astro.config.mjs`. Its imports are resolved by that
/// bundler, which probes extensions, not by Node's ESM loader: an extensionless relative import
/// there is fine in a `"type": "module"` package under `nodenext`.
pub fn loaded_by_a_bundler(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let Some((stem, ext)) = name.rsplit_once('.') else {
        return false;
    };
    matches!(ext, "ts" | "mts" | "cts" | "js" | "mjs" | "cjs")
        && matches!(
            stem,
            "vite.config"
                | "vitest.config"
                | "vitest.workspace"
                | "tsup.config"
                | "tsdown.config"
                | "rsbuild.config"
                | "nuxt.config"
                | "astro.config"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_names() {
        assert_eq!(package_name("zod"), Some("zod"));
        assert_eq!(package_name("@scope/pkg/sub/x"), Some("@scope/pkg"));
        assert_eq!(package_name("lodash/fp"), Some("lodash"));
        assert_eq!(package_name("@/lib/x"), None);
        assert_eq!(package_name("~/lib/x"), None, "a bundler alias, not a package");
        assert_eq!(
            package_name("~icons/lucide/check"),
            None,
            "no new package may have `~`"
        );
        assert_eq!(package_name("@suite-fns"), None, "a scope without a name");
        assert_eq!(package_name("#build/ui"), None);
        assert_eq!(package_name("unfonts.css"), Some("unfonts.css"));
        assert_eq!(package_name("_private/x"), None);
        assert_eq!(
            package_name("@scope/_x"),
            Some("@scope/_x"),
            "only a whole name may not start with `_`"
        );
        assert_eq!(
            package_name("JSONStream"),
            Some("JSONStream"),
            "capitals: published before the rule"
        );
        assert_eq!(package_name("node_modules/x"), None);
        assert_eq!(package_name("a b"), None);
        assert!(!valid_package_name(&"a".repeat(215)));
        assert_eq!(types_package("@babel/core"), "@types/babel__core");
    }

    #[test]
    fn not_files() {
        for s in [
            "https://x.y/a.js",
            "data:text/javascript,1",
            "virtual:pwa",
            "raw-loader!./a.txt",
            "astro:content",
        ] {
            assert!(is_not_a_file(s), "{s}");
        }
        for s in ["node:fs", "./a", "@/a", "zod"] {
            assert!(!is_not_a_file(s), "{s}");
        }
        assert_eq!(clean_specifier("./a.svg?react"), "./a.svg");
        assert_eq!(clean_specifier("#internal/x"), "#internal/x");
        assert_eq!(clean_specifier("./a.css#x"), "./a.css");
    }

    proptest::proptest! {
        /// Specifiers come from arbitrary files: no input may panic, and the results keep
        /// their invariants.
        #[test]
        fn specifier_helpers_never_panic(spec in "\\PC{0,40}") {
            let cleaned = clean_specifier(&spec);
            proptest::prop_assert!(spec.trim().starts_with(cleaned.as_str()));
            let _ = is_not_a_file(&spec);
            if let Some(name) = package_name(&spec) {
                proptest::prop_assert!(spec.starts_with(name));
                proptest::prop_assert!(is_bare(&spec));
            }
            let _ = alias_matches("@/*", &spec);
        }
    }
}
