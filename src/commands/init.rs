use crate::cli::InitArgs;
use crate::{Ctx, Exit};

pub fn run(_ctx: &Ctx, _args: &InitArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}
