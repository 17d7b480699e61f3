//! SARIF 2.1.0, as GitHub code scanning accepts it.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::json;

use crate::codes;
use crate::diagnostic::{Finding, Severity};

pub fn print(out: &mut dyn Write, findings: &[Finding]) -> io::Result<()> {
    let rules: Vec<_> = codes::ALL
        .iter()
        .map(|r| {
            json!({
                "id": r.id,
                "shortDescription": { "text": r.summary },
                "help": { "text": format!("{}. See docs/rules.md, section `{}`, in hookctl's repository.", r.summary, r.id) },
                "defaultConfiguration": { "level": match r.default {
                    crate::config::Level::Error => "error",
                    crate::config::Level::Warning => "warning",
                    crate::config::Level::Off => "none",
                }},
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let mut region = serde_json::Map::new();
            if f.line > 0 {
                region.insert("startLine".into(), f.line.into());
            }
            if f.column > 0 {
                region.insert("startColumn".into(), f.column.into());
            }
            let mut text = f.message.clone();
            if let Some(h) = &f.help {
                let _ = write!(text, "\nhelp: {h}");
            }
            let mut loc = json!({ "artifactLocation": { "uri": f.path, "uriBaseId": "%SRCROOT%" } });
            if !region.is_empty() {
                loc["region"] = serde_json::Value::Object(region);
            }
            json!({
                "ruleId": f.rule.id,
                "ruleIndex": codes::ALL.iter().position(|r| r == f.rule).unwrap_or(0),
                "level": match f.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "message": { "text": text },
                "locations": [{ "physicalLocation": loc }],
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "hookctl",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
