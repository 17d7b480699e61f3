use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use hookctl::cli::{Cli, Command};
use hookctl::{Ctx, Exit, commands};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Error as u8 } else { 0 });
        }
    };
    let ctx = match make_ctx(&cli) {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e),
    };
    let result = match cli.command {
        Command::Check(args) => commands::check::run(&ctx, &args),
        Command::Run(args) => commands::run::run(&ctx, &args),
        Command::Install(args) => commands::install::install(&ctx, &args),
        Command::Uninstall(args) => commands::install::uninstall(&ctx, &args),
        Command::Env(cmd) => commands::env::run(&ctx, &cmd),
        Command::Init(args) => commands::init::run(&ctx, &args),
        Command::Doctor => commands::doctor::run(&ctx),
        Command::Resolve(args) => commands::resolve::run(&ctx, &args),
    };
    match result {
        Ok(exit) => ExitCode::from(exit as u8),
        Err(e) => fail(&e),
    }
}

fn make_ctx(cli: &Cli) -> anyhow::Result<Ctx> {
    let mut cwd = std::env::current_dir()?;
    if let Some(dir) = &cli.dir {
        cwd = cwd.join(dir);
        if !cwd.is_dir() {
            return Err(hookctl::UsageError(format!("-C {}: not a directory", dir.display())).into());
        }
        std::env::set_current_dir(&cwd)?;
    }
    let no_color = cli.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    Ok(Ctx {
        cwd,
        config: cli.config.clone(),
        color: !no_color && std::io::stderr().is_terminal(),
        quiet: cli.quiet,
        verbose: cli.verbose,
    })
}

fn fail(e: &anyhow::Error) -> ExitCode {
    // Every error hookctl returns is about usage, configuration or the environment: exit 2.
    eprint!("error: {e}");
    for cause in e.chain().skip(1) {
        eprint!(": {cause}");
    }
    eprintln!();
    ExitCode::from(Exit::Error as u8)
}
