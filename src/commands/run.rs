use crate::cli::RunArgs;
use crate::{Ctx, Exit};

pub fn run(_ctx: &Ctx, _args: &RunArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}
