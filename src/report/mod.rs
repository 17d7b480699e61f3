//! Rendering findings: human (rustc/biome style), JSON, SARIF 2.1.0, GitHub annotations.
//! Findings go to stdout (data that could be piped); progress and logs go to stderr. Every
//! text shown is masked first (`Finding::redacted`, and source lines in `human`): no format
//! prints a value the secret detectors match.

pub mod escape;
pub mod human;
mod sarif;

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use crate::cli::Format;
use crate::diagnostic::{Finding, Severity};

/// What the run covered, for the summary line and the JSON `summary`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub elapsed_ms: u64,
    /// Findings the baseline does not have (`hookctl check` by hand; absent when not compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<usize>,
    /// Files skipped for being larger than `[scan] max_file_size`.
    pub skipped_too_large: usize,
    /// `--verbose` lines of the human summary (what was scanned, skipped, cached).
    #[serde(skip)]
    pub details: Vec<String>,
}

impl Summary {
    pub fn new(files: usize, findings: &[Finding], elapsed: std::time::Duration) -> Summary {
        Summary {
            files,
            errors: findings.iter().filter(|f| f.severity == Severity::Error).count(),
            warnings: findings
                .iter()
                .filter(|f| f.severity == Severity::Warning)
                .count(),
            elapsed_ms: elapsed.as_millis() as u64,
            ..Summary::default()
        }
    }
}

/// Where to find a finding's source line for the caret display (human output only).
pub trait Sources {
    fn source(&self, path: &str) -> Option<std::borrow::Cow<'_, [u8]>>;
}

/// The first snapshot that holds the path (a push checks several).
impl Sources for Vec<std::sync::Arc<crate::snapshot::Snapshot>> {
    fn source(&self, path: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        let snap = self.iter().find(|s| s.is_file(path))?;
        snap.read(path).ok().map(std::borrow::Cow::Owned)
    }
}

/// No source lines available (e.g. env files, whose values must never be shown).
pub struct NoSources;

impl Sources for NoSources {
    fn source(&self, _path: &str) -> Option<std::borrow::Cow<'_, [u8]>> {
        None
    }
}

#[derive(Debug, Clone, Default)]
pub struct Options {
    pub format: Format,
    pub color: bool,
    pub quiet: bool,
    /// Noun for the summary line, singular: "file" for checks, "variable" for env commands.
    pub unit: &'static str,
    /// `--verbose`: the human summary lists what was scanned and skipped.
    pub verbose: bool,
    /// The human format prints the findings without the summary line (which comes later,
    /// with another part's).
    pub findings_only: bool,
}

/// Print findings and the summary in the chosen format to `out`.
pub fn print(
    out: &mut dyn Write,
    opts: &Options,
    findings: &[Finding],
    summary: &Summary,
    sources: &dyn Sources,
) -> io::Result<()> {
    // Every text of a finding may quote the user's files (a specifier, a name): no format
    // shows a secret in it.
    let findings: Vec<Finding> = findings.iter().cloned().map(Finding::redacted).collect();
    let findings = findings.as_slice();
    match opts.format {
        Format::Human => human::print(out, opts, findings, summary, sources),
        Format::Json => {
            #[derive(Serialize)]
            struct Doc<'a> {
                findings: &'a [Finding],
                summary: &'a Summary,
            }
            serde_json::to_writer_pretty(&mut *out, &Doc { findings, summary })?;
            writeln!(out)
        }
        Format::Sarif => sarif::print(out, findings),
        Format::Github => {
            for f in findings {
                let level = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                // Escaped for the terminal first (a log is read in one), then for the
                // workflow-command syntax.
                let mut props = format!("file={}", gh_escape_prop(&escape::escape(&f.path)));
                if f.line > 0 {
                    let _ = write!(props, ",line={}", f.line);
                }
                if f.column > 0 {
                    let _ = write!(props, ",col={}", f.column);
                }
                let _ = write!(props, ",title={}", gh_escape_prop(f.rule.id));
                let mut msg = escape::escape(&f.message).into_owned();
                if let Some(h) = &f.help {
                    let _ = write!(msg, "\nhelp: {}", escape::escape(h));
                }
                writeln!(out, "::{level} {props}::{}", gh_escape_data(&msg))?;
            }
            Ok(())
        }
    }
}

fn gh_escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn gh_escape_prop(s: &str) -> String {
    gh_escape_data(s).replace(':', "%3A").replace(',', "%2C")
}
