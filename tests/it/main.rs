//! One integration-test binary: real temporary git repos, the real `hookctl` binary.
// Benchmarks and tests report to the developer directly, not through hookctl's output layer.
#![expect(clippy::print_stderr, reason = "tests print diagnostics of their own")]
// Tests read the environment they run in; the rule is for hookctl itself (src/env_vars.rs).
#![expect(
    clippy::disallowed_methods,
    reason = "tests set and read the environment of the processes they start"
)]

mod action;
mod cache_props;
mod certainty;
#[macro_use]
mod common;
mod bundler;
mod commit_msg;
mod conditions;
mod config_errors;
mod config_hooks;
mod corpus;
mod css;
mod deploy;
mod distribution;
mod doctor;
mod engine;
mod env;
mod env_certainty;
mod env_client_read;
mod env_nearest;
mod env_rules;
mod first_hour;
mod init;
mod install;
mod job_trust;
mod jobs;
mod layout;
mod live;
mod lockfile;
mod migrate;
mod migrate_commitlint;
mod monorepo;
mod monorepo_jobs;
mod nested_hooks;
mod node_version;
mod ordering;
mod output;
mod package_passes;
mod packages;
mod pnpm_yaml;
mod ref_hooks;
mod remote_cache;
mod run_flags;
mod schema;
mod secret_edges;
mod secrets;
mod secrets_in_source;
mod server;
mod sfc;
mod shared_config;
mod snapshots_output;
mod staged;
mod text_loaded;
mod turbo_env;
mod verdicts;
