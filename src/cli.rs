//! Command-line interface: clap derive structs. Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Git hooks that stop "works on my machine" deploy breaks: imports of files that are not
/// committed, undeclared packages and env vars, leaked secrets.
#[derive(Debug, Parser)]
#[command(name = "hookctl", version = crate::origin::version_line(), about, max_term_width = 100)]
pub struct Cli {
    /// Run as if hookctl was started in DIR.
    #[arg(short = 'C', global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Use this configuration file instead of `hookctl.toml` at the repository root.
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Never colour the output (also: the `NO_COLOR` environment variable).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Print only findings and errors.
    #[arg(long, short, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Explain what is checked and skipped.
    #[arg(long, short, global = true)]
    pub verbose: bool,
    /// Download from the team's remote cache (`[cache] remote`), never upload (developers'
    /// machines; CI writes). Also: `TURBO_REMOTE_CACHE_READ_ONLY=1`.
    #[arg(long, global = true)]
    pub remote_cache_read_only: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the built-in checks by hand or in CI.
    Check(CheckArgs),
    /// What the hook scripts call: run the checks and jobs configured for HOOK.
    Run(RunArgs),
    /// Write the hook scripts where git looks for hooks.
    Install(InstallArgs),
    /// Remove hookctl's hooks and restore any hook they chained.
    Uninstall(UninstallArgs),
    /// Validate environments against the declared variables.
    #[command(subcommand)]
    Env(EnvCommand),
    /// Write a commented starter `hookctl.toml` from what is detected in the repository.
    Init(InitArgs),
    /// Write the hookctl.toml equivalent of a husky, lint-staged, lefthook or commitlint setup; `--yes` also
    /// takes the hooks over and installs.
    Migrate(MigrateArgs),
    /// Say whether the hooks are installed and would actually run.
    Doctor,
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print how each import of the snapshot resolves, as JSON lines (for tooling and tests).
    #[command(hide = true)]
    Resolve(ResolveArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    #[default]
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Args, Clone, Default)]
pub struct SnapshotArgs {
    /// Check the index: what `git commit` would record (the default).
    #[arg(long, group = "snapshot")]
    pub staged: bool,
    /// Check a commit's tree.
    #[arg(long, group = "snapshot", value_name = "REV")]
    pub rev: Option<String>,
    /// Check the files on disk: tracked plus untracked files that are not ignored.
    #[arg(long, group = "snapshot")]
    pub worktree: bool,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub snapshot: SnapshotArgs,
    /// Report only the findings the baseline lacks (HEAD, or the commit's parent with
    /// `--rev`), as hooks do. By default every finding is reported, each marked new or not.
    #[arg(long, conflicts_with = "all_findings")]
    pub new: bool,
    /// Compare against this revision and report only the findings it lacks (implies `--new`).
    /// All zeros (a server hook's old value of a new ref): the merge base with HEAD, if any.
    #[arg(long, value_name = "REV", conflicts_with = "all_findings")]
    pub baseline: Option<String>,
    /// Report every finding without comparing with a baseline (nothing marked new).
    #[arg(long)]
    pub all_findings: bool,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Only report findings in these paths (files or folders, repo-relative).
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// The hook: pre-commit, pre-push, or any hook name configured in hookctl.toml.
    pub hook: String,
    /// The arguments git passed to the hook (after `--` if one starts with `-`).
    pub args: Vec<String>,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
    /// Give jobs every file of the index instead of the hook's files.
    #[arg(long, group = "file_source")]
    pub all_files: bool,
    /// Give jobs these files (relative to the current directory) instead of the hook's files.
    #[arg(long, value_name = "F", num_args = 1.., group = "file_source")]
    pub files: Vec<PathBuf>,
    /// With --to-ref: the files changed between two commits (CI); jobs run in the work tree.
    #[arg(long, value_name = "A", requires = "to_ref", group = "file_source")]
    pub from_ref: Option<String>,
    /// With --from-ref: the commit checked (its tree), whose files changed since A go to the
    /// jobs (e.g. `--from-ref origin/main --to-ref HEAD`).
    #[arg(long, value_name = "B", requires = "from_ref")]
    pub to_ref: Option<String>,
    /// Run only this job (repeatable); the built-in checks do not run.
    #[arg(long = "job", value_name = "NAME")]
    pub jobs: Vec<String>,
    /// Run for one workspace package (its package.json name or its folder): its jobs, given
    /// only its files, checks reporting only its files, with its hookctl.toml merged over
    /// the root's (its settings win).
    #[arg(long, value_name = "P", conflicts_with = "here")]
    pub package: Option<String>,
    /// Run for the workspace package holding the current directory (as `--package`).
    #[arg(long)]
    pub here: bool,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Replace hooks that are not hookctl's instead of refusing (they are still kept as `<hook>.legacy`).
    #[arg(long)]
    pub force: bool,
    /// Which hooks to install (default: pre-commit, pre-push and every other git hook
    /// hookctl.toml has jobs or checks for).
    #[arg(long, value_delimiter = ',')]
    pub hooks: Vec<String>,
    /// In a bare repository that receives pushes: write a `pre-receive` hook that runs the
    /// built-in checks (never jobs) on every pushed ref, with the pushed commit's hookctl.toml.
    #[arg(long, conflicts_with = "hooks")]
    pub server: bool,
    /// Register the hooks in the repository's git config (`hook.hookctl-<hook>.command` and
    /// `.event`) instead of writing hook files: needs git 2.54 or later, refused (exit 2) on
    /// an older git. See docs/config-hooks.md.
    #[arg(long, conflicts_with = "server")]
    pub config_hooks: bool,
}

#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// Which hooks to remove (default: every hookctl hook found).
    #[arg(long, value_delimiter = ',')]
    pub hooks: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum EnvCommand {
    /// Validate a concrete environment: every declared name present, every value valid.
    Check(EnvCheckArgs),
    /// Compare `.env.example` with another env file or JSON export.
    Diff(EnvDiffArgs),
}

#[derive(Debug, Args)]
pub struct EnvCheckArgs {
    /// A dotenv file (repeatable; later files win).
    #[arg(long = "env-file", value_name = "F")]
    pub env_files: Vec<PathBuf>,
    /// A JSON object of name -> string (e.g. a hosting provider's export).
    #[arg(long = "json-file", value_name = "F")]
    pub json_files: Vec<PathBuf>,
    /// Check this process's environment (for container start-up).
    #[arg(long)]
    pub process: bool,
    /// Apply the per-environment rules of NAME (e.g. production).
    #[arg(long, value_name = "NAME")]
    pub environment: Option<String>,
    #[command(flatten)]
    pub package: EnvPackageArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// Which declarations `env check` and `env diff` judge by: the root's, or one workspace
/// package's (nearest wins, as its code's reads are judged).
#[derive(Debug, Args)]
pub struct EnvPackageArgs {
    /// Judge by one workspace package (its package.json name or its folder): the declaration
    /// files nearest its folder and the root's, and its hookctl.toml's `[env]` merged over the
    /// root's (its settings win), as its code's env reads are judged.
    #[arg(long, value_name = "P", conflicts_with = "here")]
    pub package: Option<String>,
    /// Judge by the workspace package holding the current directory (as `--package`).
    #[arg(long)]
    pub here: bool,
}

#[derive(Debug, Args)]
pub struct EnvDiffArgs {
    /// The dotenv file or JSON object to compare with the declarations.
    #[arg(long, value_name = "F")]
    pub against: PathBuf,
    #[command(flatten)]
    pub package: EnvPackageArgs,
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// Overwrite an existing hookctl.toml.
    #[arg(long)]
    pub force: bool,
    /// Also take the hooks over: unset husky's core.hooksPath, remove lefthook's hooks, and run
    /// `hookctl install`.
    #[arg(long)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing hookctl.toml.
    #[arg(long)]
    pub force: bool,
    /// Also write a ready-made hook: `pre-deploy` reproduces a pre-deployment script (Node
    /// version, env vars, lockfile in sync, types, lint, tests with coverage, build, audit,
    /// clean git state) for `hookctl run pre-deploy`. Added to an existing hookctl.toml that
    /// has no such hook.
    #[arg(long, value_enum)]
    pub preset: Option<Preset>,
}

/// Ready-made hooks for `hookctl init --preset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// `[pre-deploy]`: every built-in, then type-check, lint, tests with an 80% coverage
    /// threshold, a clean build and a dependency audit, as far as the repository has the tools.
    PreDeploy,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    #[command(flatten)]
    pub snapshot: SnapshotArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the merged configuration (the `extends` chain, hookctl.local.toml, the workspace
    /// packages' hookctl.toml files) with the file and line each value came from.
    Show(ConfigShowArgs),
}

#[derive(Debug, Args)]
pub struct ConfigShowArgs {
    /// Show what a run of this workspace package uses (its hookctl.toml merged over the
    /// root's), by package.json name or folder.
    #[arg(long, value_name = "P")]
    pub package: Option<String>,
}
