//! One file per subcommand, each with one entry function called from `main`.

pub mod check;
pub mod config;
pub mod doctor;
pub mod env;
pub mod init;
pub mod install;
pub mod migrate;
pub mod resolve;
pub mod run;
