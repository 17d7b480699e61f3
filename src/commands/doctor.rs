use crate::{Ctx, Exit};

pub fn run(_ctx: &Ctx) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}
