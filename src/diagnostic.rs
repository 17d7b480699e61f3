//! A finding is data, not an error: every check produces `Finding`s, every output format
//! renders the same struct.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The rule (serialized as its id, e.g. `imports/untracked`).
    pub rule: &'static crate::codes::Rule,
    pub severity: Severity,
    /// Repo-relative path with `/` separators (or the env file's path as given, for `env` commands).
    pub path: String,
    /// 1-based; 0 when the finding is about a whole file.
    pub line: u32,
    /// 1-based; 0 when the finding is about a whole file.
    pub column: u32,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub specifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Whether the baseline lacks this finding (`hookctl check` by hand marks every finding;
    /// None when nothing was compared).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<bool>,
    /// Byte range in the file, for the caret line. Not part of the JSON contract.
    #[serde(skip)]
    pub span: Option<(u32, u32)>,
    /// Short label under the caret (human output only).
    #[serde(skip)]
    pub label: Option<String>,
    /// Nothing shows the deploy breaks (only a bundler, the runtime or a test run could): the
    /// configured level applies, but an error is reported as a warning (issue 19: levels
    /// follow certainty).
    #[serde(skip)]
    pub uncertain: bool,
    /// The finding's source line must not be shown (an env file's value, a secret's own line):
    /// the rule that makes the finding knows, so the renderer needs to know no rule. Every
    /// other line shown is still masked (`crate::secret::redact`).
    #[serde(skip)]
    pub hide_source: bool,
}

impl Finding {
    pub fn new(
        rule: &'static crate::codes::Rule,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Finding {
            rule,
            severity: Severity::Error,
            path: path.into(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            specifier: None,
            resolved: None,
            name: None,
            new: None,
            span: None,
            label: None,
            uncertain: false,
            hide_source: false,
        }
    }

    /// Mark this finding as one that cannot be shown to break the deploy: at most a warning.
    pub fn uncertain(mut self, uncertain: bool) -> Self {
        self.uncertain = uncertain;
        self
    }

    /// Show no source line under this finding.
    pub fn hide_source(mut self) -> Self {
        self.hide_source = true;
        self
    }

    /// The finding with every secret in its texts (message, help, specifier, resolved path,
    /// name, label, path) masked: what any output may show of it.
    pub fn redacted(mut self) -> Self {
        fn mask(s: &mut String) {
            if let std::borrow::Cow::Owned(m) = crate::secret::redact(s) {
                *s = m;
            }
        }
        mask(&mut self.message);
        mask(&mut self.path);
        for s in [
            &mut self.help,
            &mut self.specifier,
            &mut self.resolved,
            &mut self.name,
            &mut self.label,
        ]
        .into_iter()
        .flatten()
        {
            mask(s);
        }
        self
    }

    pub fn at(mut self, line: u32, column: u32) -> Self {
        self.line = line;
        self.column = column;
        self
    }

    pub fn span(mut self, span: crate::scan::Span) -> Self {
        self.line = span.line;
        self.column = span.column;
        self.span = Some((span.start, span.end));
        self
    }

    /// The byte range the caret underlines (when no scanner span is at hand).
    pub fn with_span(mut self, start: u32, end: u32) -> Self {
        self.span = Some((start, end));
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn specifier(mut self, s: impl Into<String>) -> Self {
        self.specifier = Some(s.into());
        self
    }

    pub fn resolved(mut self, s: impl Into<String>) -> Self {
        self.resolved = Some(s.into());
        self
    }

    pub fn name(mut self, s: impl Into<String>) -> Self {
        self.name = Some(s.into());
        self
    }

    /// The identity used to decide whether a finding is new relative to a baseline:
    /// rule + path + specifier/name, never line numbers.
    pub fn key(&self) -> (&'static str, &str, &str) {
        let what = self
            .specifier
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or(self.message.as_str());
        (self.rule.id, self.path.as_str(), what)
    }
}

/// Sort as the JSON contract says: by path, line, column (then rule for stability).
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.path.as_str(), a.line, a.column, a.rule).cmp(&(b.path.as_str(), b.line, b.column, b.rule))
    });
}
