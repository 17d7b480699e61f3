//! `imports/unknown-specifier` (warning): a specifier that no mapping matched (relative or
//! root-absolute path, tsconfig `paths`/`baseUrl`, package.json `imports`/`exports`, workspace
//! package, bundler alias) and that cannot be an npm package name (`~icons/x`, `#build/x`
//! without an `imports` field, `@suite-fns`), or that a bundler config hookctl could not
//! evaluate may provide. Only the bundler (a plugin's virtual module, an alias) can say whether
//! it resolves, so it is not an error: the deploy breaks only if the bundler does not know it
//! either, which hookctl cannot see.
//!
//! One warning per specifier prefix (`~icons/*`) and package, counting the imports, at the
//! first of them: a plugin that provides a prefix provides it to every file of the package.

use std::collections::BTreeMap;

use crate::diagnostic::Finding;
use crate::resolve::packages::Packages;
use crate::scan::Import;

/// The prefix a bundler would key the specifier by: its first segment, with `/*` when more
/// follows (`~icons/lucide/check` -> `~icons/*`, `#build/ui/x` -> `#build/*`, `@suite-fns`).
pub fn prefix(spec: &str) -> String {
    match spec.split_once('/') {
        Some((first, _)) => format!("{first}/*"),
        None => spec.to_string(),
    }
}

/// The finding for one import. `why`: which bundler config may provide it and what hookctl
/// could not evaluate there (`` `vite.config.ts` may define it as an alias (...) ``).
pub fn finding(path: &str, import: &Import, why: Option<&str>) -> Finding {
    let spec = &import.specifier;
    let prefix = prefix(spec);
    Finding::new(
        &super::IMPORTS_UNKNOWN_SPECIFIER,
        path,
        message(&format!("`{spec}`"), 1, why),
    )
    .span(import.span)
    .label(why.unwrap_or(NO_PACKAGE))
    .help(help(&prefix))
    .specifier(spec)
    .name(prefix)
}

/// The finding for an extensionless import that only a file with an extension TypeScript does
/// not probe matches (`./App` -> `App.vue`): it resolves if the bundler's `resolve.extensions`
/// include `ext`, which no config hookctl reads says. Grouped per package by the extension.
pub fn other_extension(path: &str, import: &Import, found: &str, ext: &str) -> Finding {
    let spec = &import.specifier;
    let why = format!(
        "only `{found}` matches it, and whether the bundler probes `{ext}` (its `resolve.extensions`) no config hookctl reads says"
    );
    Finding::new(
        &super::IMPORTS_UNKNOWN_SPECIFIER,
        path,
        message(&format!("`{spec}`"), 1, Some(&why)),
    )
    .span(import.span)
    .label(why)
    .help(format!(
        "write the extension (`{spec}{ext}`, or `/index{ext}` for a folder), or, if the bundler probes `{ext}`, set it in its config's `resolve.extensions` where hookctl reads it (vite.config, webpack.config, vue.config `configureWebpack`)"
    ))
    .specifier(spec)
    .name(format!("*{ext}"))
}

/// The label of a specifier that cannot be a package name (else the label is the `why`).
const NO_PACKAGE: &str = "not a path, an alias hookctl knows, nor an npm package name";

/// `subject` is what the import(s) are (`` `~icons/x` ``, or a count of a prefix's imports).
fn message(subject: &str, count: usize, why: Option<&str>) -> String {
    let verb = if count == 1 { "matches" } else { "match" };
    match why {
        Some(why) => format!(
            "{subject} {verb} no file, package or alias hookctl knows; {why}: only the bundler can tell"
        ),
        None => format!(
            "{subject} {verb} no file, package or alias hookctl knows: only a bundler plugin or alias can resolve it"
        ),
    }
}

/// The `why` of a finding made by [`finding`] (its label, unless that is [`NO_PACKAGE`]).
fn why_of(f: &Finding) -> Option<&str> {
    f.label.as_deref().filter(|l| *l != NO_PACKAGE)
}

fn help(prefix: &str) -> String {
    // Only the characters a regular expression treats specially (`regex::escape` also escapes
    // `~`, `#` and `-`, which would make the advice harder to read).
    let escape = |s: &str| {
        s.chars().fold(String::new(), |mut out, c| {
            if "\\.+*?()|[]{}^$".contains(c) {
                out.push('\\');
            }
            out.push(c);
            out
        })
    };
    let pattern = match prefix.strip_suffix('*') {
        Some(stem) => format!("^{}", escape(stem)),
        None => format!("^{}$", escape(prefix)),
    };
    // TOML basic string: a backslash of the regex is written twice.
    let pattern = pattern.replace('\\', "\\\\");
    format!(
        "if a bundler plugin provides `{prefix}`, say so in hookctl.toml: `[imports] not_files = [\"{pattern}\"]`; if it is an alias, add `\"{prefix}\"` to tsconfig `compilerOptions.paths`"
    )
}

/// Keep one finding per package (folder of the nearest package.json) and prefix: the first by
/// path and line, its message counting them all. Other findings pass through.
pub fn once_per_prefix(findings: Vec<Finding>, packages: &Packages) -> Vec<Finding> {
    let mut groups: BTreeMap<(String, String), Vec<Finding>> = BTreeMap::new();
    let mut out = Vec::with_capacity(findings.len());
    for f in findings {
        if f.rule != &super::IMPORTS_UNKNOWN_SPECIFIER {
            out.push(f);
            continue;
        }
        let package = packages.nearest_manifest(&f.path).unwrap_or("").to_string();
        let prefix = f.name.clone().unwrap_or_default();
        groups.entry((package, prefix)).or_default().push(f);
    }
    for ((package, prefix), mut group) in groups {
        crate::diagnostic::sort(&mut group);
        let count = group.len();
        let mut files: Vec<&str> = group.iter().map(|f| f.path.as_str()).collect();
        files.dedup();
        let files = files.len();
        let mut first = group.swap_remove(0);
        if count > 1 {
            let place = if package.is_empty() {
                "the root package".to_string()
            } else {
                format!("`{package}`")
            };
            let in_files = if files == 1 {
                "one file".to_string()
            } else {
                format!("{files} files")
            };
            let subject = format!("{count} imports of `{prefix}` in {place} ({in_files})");
            first.message = message(&subject, count, why_of(&first));
            first.label = Some(format!(
                "the first of them: {}",
                first.label.as_deref().unwrap_or_default()
            ));
        }
        out.push(first);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_and_fixes() {
        assert_eq!(prefix("~icons/lucide/check"), "~icons/*");
        assert_eq!(prefix("#build/ui/accordion"), "#build/*");
        assert_eq!(prefix("@suite-fns"), "@suite-fns");
        assert!(help("~icons/*").contains(r#"not_files = ["^~icons/"]"#));
        assert!(help("unfonts.css").contains(r#"not_files = ["^unfonts\\.css$"]"#));
        assert!(help("#build/*").contains(r#"not_files = ["^#build/"]"#));
        // The patterns given are ones the config accepts and that match the imports.
        for (prefix, spec) in [
            ("~icons/*", "~icons/x/y"),
            ("#build/*", "#build/ui"),
            ("@suite-fns", "@suite-fns"),
        ] {
            let h = help(prefix);
            let at = h.find("= [").unwrap() + 2;
            let toml = &h[at..=(at + h[at..].find(']').unwrap())];
            let list: toml::Value = toml::from_str(&format!("x = {toml}")).unwrap();
            let re = regex::Regex::new(list["x"][0].as_str().unwrap()).unwrap();
            assert!(re.is_match(spec), "{prefix}: {h}");
        }
    }
}
