//! `env/client-read`: client-side code reads a variable without the framework's public prefix.
//! Bundlers replace only prefixed names (and a few built-ins) in browser code; any other read is
//! `undefined` in the browser after the build, and no build or type check fails.
//!
//! - Next.js: a file whose directive prologue holds `"use client"` (a package that depends on
//!   `next`, nearest package.json or the root's) reading `process.env.X` without `NEXT_PUBLIC_`.
//! - `SvelteKit`: a name read from `$env/static/public` or `$env/dynamic/public` without `PUBLIC_`.
//! - Vite: `import.meta.env.X` without `VITE_` in a package that depends on `vite` (nearest
//!   package.json or the root's). Vite exposes only prefixed names to `import.meta.env`, on the
//!   client and in SSR alike. Astro exposes every name to its server code: not checked there.
//!
//! `[env] client_prefixes` adds prefixes for both. A Vite `envPrefix` replaces `VITE_` (read
//! statically from `vite.config`; when it cannot be evaluated, no Vite read is reported), and
//! names a bundler config defines (`next.config` `env`, Vite `define`) are inlined by the
//! bundler into client code, so they are never reported.
//!
//! A read whose unset value has a meaning (a fallback, a test, a guard: `scan::ReadKind`) is a
//! warning, as in `env/undeclared` (`[env] fallback_reads`): the browser takes the unset branch,
//! which no build or page load breaks on (dub's `process.env.VERCEL === "1" ? ... : ...`).
//!
//! Two forms of correct code stay silent (both found on the real-repo corpus): a client file that
//! tests `typeof window` (client components are rendered on the server too, and such files read
//! server-only variables on the server branch: create-t3-turbo, trpc's examples); and Vite names
//! the project types in an `interface ImportMetaEnv` of a `.d.ts` (provided by `define` or an
//! `envPrefix`: excalidraw's `PKG_NAME`).

use super::env_context::EnvContext;
use crate::diagnostic::Finding;
use crate::resolve::packages::Packages;
use crate::scan::EnvSource;

/// Names Next.js inlines into client code although they lack `NEXT_PUBLIC_`
/// (see `data/env-builtins.txt`, "Frameworks").
const NEXT_CLIENT_BUILTINS: &[&str] = &["NODE_ENV", "NEXT_RUNTIME", "NEXT_DEPLOYMENT_ID"];
const NEXT_CLIENT_BUILTIN_PREFIXES: &[&str] = &["__NEXT_"];
/// Vite's `import.meta.env` built-ins (<https://vite.dev/guide/env-and-mode>).
pub(crate) const VITE_BUILTINS: &[&str] = &["MODE", "BASE_URL", "PROD", "DEV", "SSR"];

pub fn check(cx: &EnvContext, packages: &Packages) -> Vec<Finding> {
    let soften = cx.config.env.fallback_reads_warn();
    let has_extra = |name: &str| has_extra_prefix(cx, name);
    let typed = std::sync::OnceLock::new();
    let mut out = Vec::new();
    for (path, facts) in cx.reading_files() {
        if facts.env_reads.is_empty() {
            continue;
        }
        // SvelteKit's public env modules hold only `PUBLIC_` names (its default `publicPrefix`).
        for read in facts
            .env_reads
            .iter()
            .filter(|r| r.source == EnvSource::SvelteKitPublic)
        {
            if let Some(name) = read.name.as_deref()
                && !name.starts_with("PUBLIC_")
                && !has_extra(name)
            {
                out.push(sveltekit_finding(path, name).span(read.span).name(name));
            }
        }
        let next = facts.use_client && depends_on(packages, path, "next");
        let vite = facts
            .env_reads
            .iter()
            .any(|r| r.source == EnvSource::ImportMetaEnv)
            && depends_on(packages, path, "vite")
            && !depends_on(packages, path, "astro");
        if !next && !vite {
            continue;
        }
        let text = || {
            cx.snapshot()
                .read(path)
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default()
        };
        // Read only when a read would otherwise be reported (a warm run of a repository whose
        // client components read only public names reads no file here).
        let guarded = std::cell::OnceCell::new();
        let guarded = || *guarded.get_or_init(|| text().contains("typeof window"));
        for read in &facts.env_reads {
            let Some(name) = read.name.as_deref() else {
                continue;
            };
            if has_extra(name) || cx.bundler_defines(path, name) {
                continue;
            }
            let finding = match read.source {
                EnvSource::ProcessEnv if next => {
                    if name.starts_with("NEXT_PUBLIC_")
                        || NEXT_CLIENT_BUILTINS.contains(&name)
                        || NEXT_CLIENT_BUILTIN_PREFIXES.iter().any(|p| name.starts_with(p))
                        || guarded()
                    {
                        continue;
                    }
                    next_finding(path, name)
                }
                EnvSource::ImportMetaEnv if vite => {
                    if vite_prefixed(cx, path, name)
                        || VITE_BUILTINS.contains(&name)
                        || typed.get_or_init(|| typed_import_meta_env(cx)).contains(name)
                    {
                        continue;
                    }
                    vite_finding(path, name)
                }
                _ => continue,
            };
            let finding = match read.kind.why_optional().filter(|_| soften) {
                Some(why) => unset_has_a_meaning(finding, why),
                None => finding,
            };
            out.push(finding.span(read.span).name(name));
        }
    }
    out
}

/// Whether `name` starts with one of `[env] client_prefixes`.
fn has_extra_prefix(cx: &EnvContext, name: &str) -> bool {
    cx.config
        .env
        .client_prefixes
        .iter()
        .any(|p| !p.is_empty() && name.starts_with(p.as_str()))
}

/// Whether Vite exposes `name` to `import.meta.env` in the package of `path`.
fn vite_prefixed(cx: &EnvContext, path: &str, name: &str) -> bool {
    match cx.vite_env_prefixes(path) {
        // `envPrefix` set to something hookctl cannot evaluate: any name may reach the client.
        Some(Err(())) => true,
        Some(Ok(prefixes)) => prefixes
            .iter()
            .any(|p| !p.is_empty() && name.starts_with(p.as_str())),
        None => name.starts_with("VITE_"),
    }
}

/// A fallback, a test or a guard gives unset a meaning: the browser takes the unset branch (a
/// feature off, a default), which no build or page load breaks on.
fn unset_has_a_meaning(finding: Finding, why: &str) -> Finding {
    let message = format!(
        "{}; nothing crashes: {why}, so the browser takes the unset branch",
        finding.message
    );
    Finding { message, ..finding }.uncertain(true)
}

fn next_finding(path: &str, name: &str) -> Finding {
    let server = format!(
        "read `process.env.{name}` in a Server Component or route handler and pass the value down as a prop"
    );
    let help = if crate::env::secrets::is_secret_like_name(name) {
        format!("{server} (keep it server-side: its name says it is secret)")
    } else {
        format!("{server}, or rename it `NEXT_PUBLIC_{name}` if it may be public")
    };
    Finding::new(
        &super::ENV_CLIENT_READ,
        path,
        format!(
            "`{name}` is read in a client component (`\"use client\"`): Next.js inlines only `NEXT_PUBLIC_` variables into browser code, so it is `undefined` there"
        ),
    )
    .help(help)
}

fn sveltekit_finding(path: &str, name: &str) -> Finding {
    Finding::new(
        &super::ENV_CLIENT_READ,
        path,
        format!(
            "`{name}` is read from SvelteKit's `$env/*/public`, which holds only `PUBLIC_` variables: the build fails (static) or it is `undefined` (dynamic)"
        ),
    )
    .help(format!(
        "import it from `$env/static/private` in server code, or rename it `PUBLIC_{name}` if it may be public; a custom `kit.env.publicPrefix` goes in hookctl.toml `[env] client_prefixes`"
    ))
}

fn vite_finding(path: &str, name: &str) -> Finding {
    let help = if crate::env::secrets::is_secret_like_name(name) {
        format!(
            "read `{name}` in server code (`process.env.{name}`) and send the client what it needs (keep it server-side: its name says it is secret)"
        )
    } else {
        format!(
            "rename it `VITE_{name}` if it may be public, or read it in server code; a custom Vite `envPrefix` goes in hookctl.toml `[env] client_prefixes`"
        )
    };
    Finding::new(
        &super::ENV_CLIENT_READ,
        path,
        format!(
            "`import.meta.env.{name}` is `undefined` in a Vite app: Vite exposes only `VITE_` variables (and `MODE`, `BASE_URL`, `PROD`, `DEV`, `SSR`)"
        ),
    )
    .help(help)
}

/// Does the package.json nearest `path`, or the root's, depend on `pkg`?
/// Names declared in an `interface ImportMetaEnv { … }` of the snapshot's declaration files.
pub(super) fn typed_import_meta_env(cx: &EnvContext) -> std::collections::HashSet<String> {
    let snap = cx.snapshot();
    let mut out = std::collections::HashSet::new();
    let paths: Vec<&str> = snap
        .special_paths()
        .iter()
        .map(String::as_str)
        .filter(|p| p.ends_with(".d.ts") && !p.split('/').any(|c| c == "node_modules"))
        .collect();
    for bytes in snap.read_many(&paths).into_iter().flatten() {
        let text = String::from_utf8_lossy(&bytes);
        let mut rest = text.as_ref();
        while let Some(i) = rest.find("interface ImportMetaEnv") {
            rest = &rest[i..];
            let Some(open) = rest.find('{') else { break };
            let Some(close) = rest[open..].find('}') else {
                break;
            };
            for member in rest[open + 1..open + close].split([';', '\n', ',']) {
                let member = member.trim().trim_start_matches("readonly ").trim();
                if let Some((name, _)) = member.split_once(':') {
                    let name = name.trim().trim_end_matches('?');
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                        out.insert(name.to_string());
                    }
                }
            }
            rest = &rest[open + close..];
        }
    }
    out
}

fn depends_on(packages: &Packages, path: &str, pkg: &str) -> bool {
    let nearest = packages.nearest_manifest(path);
    [nearest, Some("")]
        .into_iter()
        .flatten()
        .filter_map(|dir| packages.manifests.get(dir))
        .any(|m| m.deps.contains(pkg))
}
