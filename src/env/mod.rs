//! The env contract: dotenv parsing ([`dotenv`]), which names are declared for which file
//! ([`declarations`], with turbo.json's share in [`turbo`] and the workspace packages that use a
//! library in [`consumers`], whose npm ranges [`version_range`] reads), value rules
//! ([`values`]), secret detection ([`secrets`]), JSON exports ([`json`]) and the data tables
//! they share ([`data`]). Pure library code: reading files and
//! printing belong to the callers (`commands::env`, the snapshot checks).

pub mod consumers;
pub mod data;
pub mod declarations;
pub mod dotenv;
pub mod json;
pub mod manifests;
pub mod secret_lines;
pub mod secrets;
pub mod turbo;
pub mod values;
pub mod version_range;

pub use data::{Requirement, builtins, required_by_packages};
pub use declarations::{
    Declarations, Declared, EnvFileKind, env_file_kind, is_declaration_file, is_framework_loaded_env_file,
    is_turbo_config,
};
pub use dotenv::{Entry, FileError, LineError, Parsed};
pub use secret_lines::{LineHit, known_secrets_in_lines};
pub use secrets::{
    SecretHit, is_high_entropy, is_public_name, is_secret_like_name, known_secret_format,
    public_secret_reason, secrets_in_entries,
};
pub use values::{ValueRule, Violation, check_config, effective_rule, is_optional, validate};

/// Whether `name` is a built-in of a runtime, framework, CI service or hosting platform.
pub fn is_builtin(name: &str) -> bool {
    data::builtins().contains(name)
}

/// The requirements of a package (`next-auth` -> one of `NEXTAUTH_SECRET`, `AUTH_SECRET`), if
/// it reads variables itself.
pub fn required_by_package(package: &str) -> &'static [Requirement] {
    required_by_packages().get(package).map_or(&[], Vec::as_slice)
}
