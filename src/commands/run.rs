use crate::cli::RunArgs;
use crate::{Ctx, Exit};

/// Placeholder until the hook runner lands: always succeeds.
pub fn run(_ctx: &Ctx, args: &RunArgs) -> anyhow::Result<Exit> {
    eprintln!("hookctl: {} ok", args.hook);
    Ok(Exit::Success)
}
