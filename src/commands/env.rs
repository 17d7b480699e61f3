use crate::cli::EnvCommand;
use crate::{Ctx, Exit};

pub fn run(_ctx: &Ctx, _cmd: &EnvCommand) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}
