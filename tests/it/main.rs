//! One integration-test binary: real temporary git repos, the real `hookctl` binary.

mod common;
mod corpus;
mod engine;
mod env;
mod env_rules;
mod install;
mod jobs;
mod live;
mod monorepo;
mod monorepo_jobs;
mod run_flags;
mod secrets;
mod staged;
