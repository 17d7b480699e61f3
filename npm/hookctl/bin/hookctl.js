#!/usr/bin/env node
// The `hookctl` command of the npm package: runs the prebuilt binary of the platform package
// that npm, pnpm or yarn installed beside this one (an optionalDependency whose os/cpu/libc
// fields match this machine; the others are skipped by the package manager). Nothing is
// downloaded, at install time or here. HOOKCTL_BINARY=/path/to/hookctl runs that binary instead.
"use strict";

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

function describe() {
  const c = libc();
  return `${process.platform}-${process.arch}${c ? ` (${c})` : ""}`;
}

/** The binary's path, or an error message naming what is missing. */
function findBinary() {
  if (process.env.HOOKCTL_BINARY) return { bin: process.env.HOOKCTL_BINARY };
  const pkg = platformPackage();
  if (!pkg) {
    return {
      error:
        `hookctl: no prebuilt binary for ${describe()}; the npm package ships ` +
        `${PLATFORMS.map((p) => p.name).join(", ")}.\n` +
        "hint: build it from source with `cargo install --locked hookctl`, then set HOOKCTL_BINARY to its path",
    };
  }
  let dir;
  try {
    dir = path.dirname(require.resolve(`${pkg.name}/package.json`));
  } catch (_) {
    return {
      error:
        `hookctl: the platform package \`${pkg.name}\` (for ${describe()}) is not installed.\n` +
        "hint: it is an optionalDependency of `hookctl`: install again without --no-optional / --omit=optional " +
        "(and, when node_modules came from another machine or OS, delete it and the lockfile's entry first)",
    };
  }
  return { bin: path.join(dir, pkg.binary) };
}

function main() {
  const found = findBinary();
  if (found.error) {
    process.stderr.write(`${found.error}\n`);
    return 1;
  }
  const result = spawnSync(found.bin, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
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
  module.exports = { platformPackage, libc, findBinary, PLATFORMS };
}
