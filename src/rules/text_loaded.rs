//! Certainty of the imports rules in a file the bundler loads as data: when every import of a
//! file in the snapshot loads its bytes (`require('!raw-loader!./sandbox/client.js')`,
//! `import src from './snippet.ts?raw'`, see `data/text-loaders.txt`), the bundler never
//! parses it as code, so what it imports cannot break this repository's build (react.dev's
//! Sandpack sandbox files, loaded as strings into an in-browser bundler). Its
//! `imports/unresolved`, `imports/undeclared-dependency` and `imports/case-mismatch` findings
//! are warnings then, saying why.
//!
//! A file also imported as code, or imported by nothing (an entry point, a script), keeps its
//! errors; so does `imports/untracked` (a file on disk that is not committed is the
//! postmortem's case, whatever else is uncertain). Who imports a file, and how, comes from the
//! import graph (`crate::graph::loaded_as_text`), so a pre-commit check of a few staged files
//! answers as a full check does.

use std::collections::HashMap;

use crate::diagnostic::Finding;

/// Is this finding one that a text-loaded file's imports cannot make certain?
pub fn softened(f: &Finding) -> bool {
    !f.uncertain
        && [
            &super::IMPORTS_UNRESOLVED,
            &super::IMPORTS_UNDECLARED_DEPENDENCY,
            &super::IMPORTS_CASE_MISMATCH,
        ]
        .contains(&f.rule)
}

/// Mark the [`softened`] findings of the files in `loaded` (a file -> the files that import it,
/// every one as text) as uncertain, saying why and what to do.
pub fn mark<S: std::hash::BuildHasher>(findings: &mut [Finding], loaded: &HashMap<String, Vec<String>, S>) {
    for f in findings.iter_mut().filter(|f| softened(f)) {
        let Some(importers) = loaded.get(&f.path) else {
            continue;
        };
        let by = match importers.as_slice() {
            [one] => format!("`{one}`"),
            [first, rest @ ..] => format!("`{first}` and {} more", rest.len()),
            [] => continue,
        };
        f.uncertain = true;
        f.message = format!(
            "{}; but `{}` is loaded only as text (by {by}, through a text loader): the bundler never builds its imports",
            f.message, f.path
        );
        f.label = Some("in a file the bundler loads as text, not as code".to_string());
        f.help = Some(format!(
            "nothing breaks this repository's build; if whatever runs `{}` (a sandbox, a worker bundled elsewhere) needs the import, fix it there; to silence it, add `// hookctl-ignore {}` on the line above",
            f.path, f.rule.id
        ));
    }
}
