//! The rule registry: every rule id, its default level and its documentation.
//! Each rule's logic lives in the file named after its id (`imports/untracked` ->
//! `imports_untracked.rs`).

pub mod commit_message;
pub mod deps_dev_only_at_runtime;
pub mod deps_lockfile_drift;
pub mod dev_files;
pub mod env_client_read;
pub mod env_context;
pub mod env_dynamic;
pub mod env_local_only;
pub mod env_public_secret;
pub mod env_required_by_package;
pub mod env_turbo_filtered;
pub mod env_undeclared;
pub mod env_unused;
pub mod files_case_collision;
pub mod git_clean;
pub mod imports_case_mismatch;
pub mod imports_uncertain;
pub mod imports_undeclared_dependency;
pub mod imports_unknown_specifier;
pub mod imports_unresolved;
pub mod imports_untracked;
pub mod node_version;
pub mod secrets_env_file;
pub mod secrets_in_source;
pub mod text_loaded;

/// Ids, levels and summaries live in the leaf [`crate::codes`]; re-exported for the rules.
pub use crate::codes::*;

#[cfg(test)]
mod tests {
    /// SARIF's rule help points at `docs/rules.md`: every rule has its section there, with its
    /// default level.
    #[test]
    fn every_rule_is_documented_with_its_default() {
        let docs = include_str!("../../docs/rules.md");
        for rule in super::ALL {
            let heading = format!("## {}\n", rule.id);
            let at = docs
                .find(&heading)
                .unwrap_or_else(|| panic!("docs/rules.md lacks `{heading}`"));
            let level = match rule.default {
                crate::config::Level::Error => "error",
                crate::config::Level::Warning => "warning",
                crate::config::Level::Off => "off",
            };
            let body = &docs[at + heading.len()..];
            assert!(
                body.trim_start().starts_with(&format!("**Default: {level}.**")),
                "{}: default {level}",
                rule.id
            );
        }
    }
}
