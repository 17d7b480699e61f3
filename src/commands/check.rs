use crate::cli::CheckArgs;
use crate::{Ctx, Exit};

pub fn run(_ctx: &Ctx, _args: &CheckArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}
