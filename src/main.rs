use std::process::ExitCode;

use clap::Parser;
use hookctl::cli::{Cli, Command};
use hookctl::output::{self, Verbosity};
use hookctl::{Ctx, Exit, commands, errln};

/// A user's mistake (usage, configuration, environment) is an `Err` from the command: exit 2
/// with its message. A panic is hookctl's own bug: exit 3, said so, with where it happened
/// (uv's `main` draws the same line).
fn main() -> ExitCode {
    // `HOOKCTL_TIMINGS`' time line starts here.
    let _ = hookctl::timings::Mark::now();
    hookctl::alloc::parsers_use_mimalloc();
    bound_pack_windows();
    std::panic::set_hook(Box::new(|info| {
        errln!(
            "{}: hookctl crashed, which is a bug in hookctl: {info}\n  hint: please report it with the command you ran",
            output::paint_err(output::style::ERROR, "error")
        );
    }));
    std::panic::catch_unwind(run).unwrap_or(ExitCode::from(Exit::Bug as u8))
}

/// libgit2 maps a pack file in windows of 1 GiB, up to 8 GiB in all, and keeps them mapped:
/// a cold check, which reads every blob, keeps the whole pack resident (120 MB of a 100k-file
/// repository). Windows of 32 MiB, at most 96 MiB mapped (the least recently used unmapped
/// first), bound that whatever the pack's size. (Windows of 8 of at most 32 MiB cut a 100k
/// cold check's peak by only 5 MB more, the resolver's phase then setting it, for more
/// remapping.) Blobs are read without hashing them again (libgit2's strict verification,
/// which git does not do on reads either): SHA-1 with collision detection over every blob was
/// 1.5% of a cold check; a damaged pack still fails zlib's own checksum.
fn bound_pack_windows() {
    // SAFETY: these options are global and not synchronised; they are set here, first thing
    // in `main`, before any thread exists and before any repository is opened.
    #[expect(
        unsafe_code,
        reason = "libgit2's global options are set before any thread or repository exists"
    )]
    unsafe {
        let _ = git2::opts::set_mwindow_size(32 << 20);
        let _ = git2::opts::set_mwindow_mapped_limit(96 << 20);
        git2::opts::strict_hash_verification(false);
    }
}

fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Error as u8 } else { 0 });
        }
    };
    output::init(
        cli.no_color,
        if cli.quiet {
            Verbosity::Quiet
        } else if cli.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        },
    );
    let ctx = match make_ctx(&cli) {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e),
    };
    // Whatever the command, a run killed outright is cleaned up after first (its unstaged
    // edits put back): never only by the next `hookctl run`.
    commands::sweep_leftovers(&ctx);
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&ctx, &args),
        Command::Run(args) => commands::run::run(&ctx, &args),
        Command::Install(args) => commands::install::install(&ctx, &args),
        Command::Uninstall(args) => commands::install::uninstall(&ctx, &args),
        Command::Env(cmd) => commands::env::run(&ctx, &cmd),
        Command::Init(args) => commands::init::run(&ctx, &args),
        Command::Migrate(args) => commands::migrate::run(&ctx, &args),
        Command::Doctor => commands::doctor::run(&ctx),
        Command::Config(cmd) => commands::config::run(&ctx, &cmd),
        Command::Resolve(args) => commands::resolve::run(&ctx, &args),
    };
    let code = match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => fail(&e),
    };
    // The caches' large writes, once the answer is printed and the exit code is final: the
    // caller (git waits for a hook to exit) does not wait for them.
    hookctl::cache::later::finish();
    code
}

fn make_ctx(cli: &Cli) -> anyhow::Result<Ctx> {
    let mut cwd = std::env::current_dir()?;
    if let Some(dir) = &cli.dir {
        cwd = cwd.join(dir);
        if !cwd.is_dir() {
            return Err(anyhow::anyhow!("-C {}: not a directory", dir.display()));
        }
        std::env::set_current_dir(&cwd)?;
    }
    Ok(Ctx {
        cwd,
        config: cli.config.clone(),
        color: output::stderr_color(),
        quiet: cli.quiet,
        verbose: cli.verbose,
        remote_cache_read_only: cli.remote_cache_read_only,
    })
}

fn fail(e: &anyhow::Error) -> ExitCode {
    // Every error a command returns is about usage, configuration or the environment: exit 2.
    errln!("{}: {e}", output::paint_err(output::style::ERROR, "error"));
    for cause in e.chain().skip(1) {
        // Multi-line causes (toml's snippet) stay indented under their `caused by:`.
        let cause = cause.to_string();
        let cause = cause.trim_end().replace('\n', "\n  ");
        errln!(
            "  {}: {cause}",
            output::paint_err(output::style::BOLD, "caused by")
        );
    }
    ExitCode::from(Exit::Error as u8)
}
