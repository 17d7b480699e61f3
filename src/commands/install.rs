use crate::cli::{InstallArgs, UninstallArgs};
use crate::{Ctx, Exit};

pub fn install(_ctx: &Ctx, _args: &InstallArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}

pub fn uninstall(_ctx: &Ctx, _args: &UninstallArgs) -> anyhow::Result<Exit> {
    anyhow::bail!("not built yet")
}
