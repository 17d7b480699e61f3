use crate::cli::ResolveArgs;
use crate::{Ctx, Exit};

pub fn run(_ctx: &Ctx, _args: &ResolveArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}
