//! The summary of a hook run: one row per built-in group and job (`pre-deploy`'s table, and
//! the table of a hook that orders its jobs), and the verdict line naming what failed.

use std::fmt::Write as _;
use std::time::Duration;

use crate::report::escape::escape;

use super::ui::{Ui, seconds};

/// One line of `pre-deploy`'s summary table.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub(super) item: String,
    pub(super) kind: RowKind,
    pub(super) status: RowStatus,
    /// None when it did not run.
    pub(super) time: Option<Duration>,
    /// Why it failed or was skipped, in a few words.
    pub(super) detail: String,
    /// The job's group (`priority 1` for priorities), when the hook orders its jobs.
    pub(super) group: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowKind {
    Check,
    Job,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum RowStatus {
    Ok,
    Failed,
    Skipped,
}

impl Row {
    pub(super) fn skipped(item: String, kind: RowKind, why: &str) -> Row {
        Row {
            item,
            kind,
            status: RowStatus::Skipped,
            time: None,
            detail: why.to_string(),
            group: None,
        }
    }
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Ui {
    /// The summary table (item, status, time; the group when the hook orders its jobs), in
    /// the configured order; with `verdict` (`pre-deploy`), the line naming each failed item.
    pub(super) fn table(&self, hook: &str, rows: &[Row], verdict: bool) {
        if rows.is_empty() {
            return;
        }
        let rows: Vec<Row> = rows
            .iter()
            .map(|r| Row {
                item: escape(&r.item).into_owned(),
                detail: escape(&r.detail).into_owned(),
                ..r.clone()
            })
            .collect();
        let rows = &rows[..];
        let width = rows.iter().map(|r| r.item.len()).max().unwrap_or(4).max(4);
        let group_width = rows.iter().any(|r| r.group.is_some()).then(|| group_width(rows));
        let mut text = String::new();
        text.push_str(&self.bold(&format!("hookctl: {hook} summary")));
        text.push('\n');
        let header_group = group_width.map_or_else(String::new, |w| format!("{:<w$}  ", "group"));
        let _ = writeln!(
            text,
            "  {header_group}{:<width$}  {:<8}  {:<7}  {:>8}  detail",
            "item", "kind", "status", "time"
        );
        for r in rows {
            text.push_str(self.table_line(r, width, group_width).trim_end());
            text.push('\n');
        }
        if verdict {
            text.push_str(&self.verdict(hook, rows));
            text.push('\n');
        }
        crate::output::write_err(format_args!("{text}"));
    }

    /// One row of the table, `width` wide in its item column, with a group column when the
    /// hook orders its jobs.
    fn table_line(&self, r: &Row, width: usize, group_width: Option<usize>) -> String {
        let group = match group_width {
            Some(gwidth) => {
                let g = match (&r.group, r.kind) {
                    (Some(g), _) => escape(g).into_owned(),
                    (None, RowKind::Check) => "-".to_string(),
                    (None, RowKind::Job) => "(none)".to_string(),
                };
                format!("{g:<gwidth$}  ")
            }
            None => String::new(),
        };
        let kind = match r.kind {
            RowKind::Check => "built-in",
            RowKind::Job => "job",
        };
        let status = match r.status {
            RowStatus::Ok => self.paint("32", &format!("{:<7}", "ok")),
            RowStatus::Failed => self.red(&format!("{:<7}", "failed")),
            RowStatus::Skipped => self.paint("2", &format!("{:<7}", "skipped")),
        };
        let time = r.time.map_or_else(|| "-".to_string(), seconds);
        format!(
            "  {group}{:<width$}  {kind:<8}  {status}  {time:>8}  {}",
            r.item, r.detail
        )
    }

    /// `pre-deploy`'s last line: ready (with the skipped count), or not ready naming each
    /// failed item.
    fn verdict(&self, hook: &str, rows: &[Row]) -> String {
        let failed: Vec<&str> = rows
            .iter()
            .filter(|r| r.status == RowStatus::Failed)
            .map(|r| r.item.as_str())
            .collect();
        let skipped = rows.iter().filter(|r| r.status == RowStatus::Skipped).count();
        if failed.is_empty() {
            let ok = rows.len() - skipped;
            self.bold(&format!(
                "hookctl: {hook}: ready ({} ok{})",
                ok,
                if skipped > 0 {
                    format!(", {skipped} skipped")
                } else {
                    String::new()
                }
            ))
        } else {
            self.red(&format!(
                "hookctl: {hook}: not ready: {} failed: {}",
                failed.len(),
                failed.join(", ")
            ))
        }
    }
}

/// The width of the group column: its longest entry.
fn group_width(rows: &[Row]) -> usize {
    rows.iter()
        .map(|r| r.group.as_deref().map_or(6, |g| escape(g).chars().count()))
        .max()
        .unwrap_or(5)
        .max(5)
}
