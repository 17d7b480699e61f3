#!/usr/bin/env node
// The `hookctl` command of the npm package: runs the prebuilt binary of the platform package
// that npm, pnpm or yarn installed beside this one (an optionalDependency whose os/cpu/libc
// fields match this machine; the others are skipped by the package manager). Nothing is
// downloaded, at install time or here. HOOKCTL_BINARY=/path/to/hookctl runs that binary instead.
//
// Without the platform package, a `hookctl` on PATH that is not a Node launcher (what `cargo
// install hookctl` puts there) runs instead; without either, one message says which package is
// missing, why it may be (what this process can tell of it), and how to get a binary.
"use strict";

const fs = require("fs");
const { spawnSync } = require("child_process");
const path = require("path");

const PLATFORMS = require("../platforms.json").packages;

/** "glibc" or "musl" on Linux, undefined elsewhere. */
function libc() {
  if (process.platform !== "linux") return undefined;
  try {
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === "string" ? JSON.parse(report) : report).header;
    // Node reports the glibc version it runs against; on musl there is none.
    return header && header.glibcVersionRuntime ? "glibc" : "musl";
  } catch (_) {
    return "glibc";
  }
}

/** The platform package for this machine, or undefined when none is built for it. */
function platformPackage() {
  const c = libc();
  return PLATFORMS.find(
    (p) => p.os === process.platform && p.cpu === process.arch && (p.libc === undefined || p.libc === c),
  );
}

/** The name this machine's platform package has, or would have: `@hookctl/cli-<os>-<cpu>[-gnu|-musl]`. */
function platformPackageName() {
  const pkg = platformPackage();
  if (pkg) return pkg.name;
  const c = libc();
  return `@hookctl/cli-${process.platform}-${process.arch}${c ? (c === "glibc" ? "-gnu" : "-musl") : ""}`;
}

function describe(p) {
  return p ? `${p.os}-${p.cpu}${p.libc ? `-${p.libc}` : ""}` : describe({ os: process.platform, cpu: process.arch, libc: libc() });
}

/** Set for a `hookctl` this launcher runs from PATH: if that one is a launcher too, it stops there. */
const FALLBACK_GUARD = "HOOKCTL_NPM_LAUNCHER_FALLBACK";

/**
 * A `hookctl` on PATH that is not a Node launcher (this one, a global npm install's, a
 * node_modules/.bin link or shim to one): what `cargo install hookctl` installs.
 */
function hookctlOnPath(env) {
  if (env[FALLBACK_GUARD]) return undefined;
  const name = process.platform === "win32" ? "hookctl.exe" : "hookctl";
  for (const dir of (env.PATH || "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    try {
      const real = fs.realpathSync(candidate);
      // node_modules/.bin holds links and shims (pnpm's are sh scripts) to launchers.
      if (`${path.sep}${real}${path.sep}`.includes(`${path.sep}node_modules${path.sep}`)) continue;
      if (`${path.sep}${dir}${path.sep}`.includes(`${path.sep}node_modules${path.sep}`)) continue;
      fs.accessSync(real, fs.constants.X_OK);
      if (!fs.statSync(real).isFile()) continue;
      const fd = fs.openSync(real, "r");
      const head = Buffer.alloc(2);
      const n = fs.readSync(fd, head, 0, head.length, 0);
      fs.closeSync(fd);
      // A script (`#!`): a launcher or a wrapper of one, never the binary.
      if (n === 2 && head.toString("latin1") === "#!") continue;
      return candidate;
    } catch (_) {
      // Not there, not executable, unreadable: the next one.
    }
  }
  return undefined;
}

/** The project that installed this launcher: the folder above its first `node_modules`. */
function projectDir() {
  let real;
  try {
    real = fs.realpathSync(__filename);
  } catch (_) {
    real = __filename;
  }
  const parts = real.split(path.sep);
  const at = parts.indexOf("node_modules");
  return at > 0 ? parts.slice(0, at).join(path.sep) || path.sep : undefined;
}

const LOCKFILES = ["package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock", "bun.lock"];

/** The nearest lockfile at or above `dir`: { file, path } or undefined. */
function findLockfile(dir) {
  for (let d = dir; d; ) {
    for (const file of LOCKFILES) {
      const p = path.join(d, file);
      if (fs.existsSync(p)) return { file, path: p };
    }
    const up = path.dirname(d);
    d = up === d ? undefined : up;
  }
  return undefined;
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether the lockfile has an entry of its own for package `name` (not only the mention in
 * hookctl's optionalDependencies): true, false, or undefined when it cannot tell.
 */
function lockfileHasEntry(lock, name) {
  let text;
  try {
    text = fs.readFileSync(lock.path, "utf8");
  } catch (_) {
    return undefined;
  }
  const n = escapeRegExp(name);
  switch (lock.file) {
    case "package-lock.json":
    case "npm-shrinkwrap.json": {
      let json;
      try {
        json = JSON.parse(text);
      } catch (_) {
        return undefined;
      }
      if (!json.packages) return undefined; // lockfileVersion 1 (npm 6): not read here
      return Object.keys(json.packages).some((k) => k === `node_modules/${name}` || k.endsWith(`/node_modules/${name}`));
    }
    case "pnpm-lock.yaml":
      // `  '@hookctl/cli-linux-x64-gnu@1.2.3':` (v9), `  /@hookctl/cli-linux-x64-gnu@1.2.3:` (v6),
      // `  /@hookctl/cli-linux-x64-gnu/1.2.3:` (v5); hookctl's own entry names it `'…': 1.2.3`.
      return new RegExp(`^\\s+['"]?/?${n}[@/]\\d`, "m").test(text);
    case "yarn.lock":
      // An entry's key line, unindented: `"@hookctl/cli-linux-x64-gnu@1.2.3":` (yarn 1),
      // `"@hookctl/cli-linux-x64-gnu@npm:1.2.3":` (berry).
      return new RegExp(`^(?:[^\\s].*[\\s,])?"?${n}@`, "m").test(text);
    default:
      return undefined;
  }
}

/** The package manager running this (install scripts), or the one the lockfile belongs to. */
function packageManager(env, lock) {
  const agent = /^(npm|pnpm|yarn|bun)\//.exec(env.npm_config_user_agent || "");
  if (agent) return agent[1];
  if (!lock) return "npm";
  return { "pnpm-lock.yaml": "pnpm", "yarn.lock": "yarn", "bun.lock": "bun" }[lock.file] || "npm";
}

/** Optional dependencies left out by the running install, as its environment says: a reason, or undefined. */
function omittedOptional(env) {
  const omit = env.npm_config_omit;
  if (omit !== undefined && omit.split(/[\s,]+/).includes("optional")) return `npm_config_omit=${omit}`;
  // pnpm --no-optional sets it empty; npm_config_optional=false in an .npmrc or the environment.
  const optional = env.npm_config_optional;
  if (optional !== undefined && (optional === "" || optional === "false")) return `npm_config_optional=${optional}`;
  return undefined;
}

/**
 * The message for a machine where no binary could be found: the package looked for, why it
 * may be missing (what can be told from here is said as a fact, the rest as a possibility),
 * and what to do. `args` are the command's arguments (`install` says the hooks were not
 * installed).
 */
function missingMessage(env, args) {
  const pkg = platformPackage();
  const name = platformPackageName();
  const what = args[0] === "install" ? "git hooks not installed" : "cannot run";
  const cargo =
    "hint: or build hookctl from source: cargo install --locked hookctl (this command then runs the hookctl it puts on PATH)";
  if (!pkg) {
    return [
      `hookctl: ${what}: no package ${name}: hookctl's npm package has no binary for ${describe()}.`,
      `  Its binaries: ${PLATFORMS.map((p) => p.name.replace("@hookctl/cli-", "")).join(", ")}.`,
      cargo.replace("hint: or build", "hint: build"),
    ].join("\n");
  }
  const lock = findLockfile(projectDir() || process.cwd());
  const pm = packageManager(env, lock);
  const install = `${pm} install`;
  const lines = [`hookctl: ${what}: the package ${name} (hookctl's binary for ${describe(pkg)}) is missing.`];
  const omitted = omittedOptional(env);
  const entry = lock ? lockfileHasEntry(lock, name) : undefined;
  if (omitted) {
    lines.push(
      "  It is an optional dependency of hookctl, and this install leaves optional dependencies out",
      `  (${omitted}).`,
      `hint: install them: ${pm === "npm" ? "npm install --include=optional" : install}`,
    );
  } else if (entry === false) {
    lines.push(
      `  ${lock.file} has no entry for it: the lockfile was likely written on another OS or CPU, by an`,
      "  install that kept only that machine's platform package.",
      `hint: ${install} adds it (if it does not: delete node_modules and ${lock.file}, then ${install})`,
    );
  } else {
    lines.push(
      "  It is an optional dependency of hookctl, which package managers install where its os/cpu/libc fit.",
      "  It may be missing because optional dependencies were left out (--omit=optional, --no-optional,",
      "  --ignore-optional, omit=optional in .npmrc), or because node_modules came from another machine.",
      `hint: ${install}`,
    );
  }
  lines.push(cargo);
  return lines.join("\n");
}

/** The binary's path, or an error message naming what is missing. */
function findBinary(env = process.env, args = []) {
  if (env.HOOKCTL_BINARY) return { bin: env.HOOKCTL_BINARY };
  const pkg = platformPackage();
  if (pkg) {
    try {
      return { bin: path.join(path.dirname(require.resolve(`${pkg.name}/package.json`)), pkg.binary) };
    } catch (_) {
      // Not installed: a hookctl on PATH, or the message.
    }
  }
  const onPath = hookctlOnPath(env);
  if (onPath) return { bin: onPath, env: { ...env, [FALLBACK_GUARD]: "1" } };
  return { error: missingMessage(env, args) };
}

function main() {
  const args = process.argv.slice(2);
  const found = findBinary(process.env, args);
  if (found.error) {
    process.stderr.write(`${found.error}\n`);
    return 1;
  }
  const result = spawnSync(found.bin, args, { stdio: "inherit", windowsHide: true, env: found.env || process.env });
  if (result.error) {
    process.stderr.write(`hookctl: cannot run ${found.bin}: ${result.error.message}\n`);
    return 1;
  }
  if (result.signal) {
    // Die of the same signal, so git and shells see what the binary saw.
    process.kill(process.pid, result.signal);
    return 128;
  }
  return result.status === null ? 1 : result.status;
}

if (require.main === module) {
  process.exitCode = main();
} else {
  module.exports = { platformPackage, platformPackageName, libc, findBinary, missingMessage, PLATFORMS };
}
