#!/usr/bin/env node
// ts-resolve.mjs — how long TypeScript's own resolver takes on every import of a repository.
//
//   node bench/ts-resolve.mjs REPO     (TS_MODULE=/path/to/node_modules/typescript; TS_RESOLVE_DEBUG=1
//                                       lists the imports TS did not resolve on stderr)
//
// The baseline for hookctl's timings: the same question ("where does each import go?") asked of
// `ts.resolveModuleName`, the function tsc and the editors use. Files are read from disk (the
// index's file list, `git ls-files`, their contents from the work tree), so this is not a
// snapshot check: it is the cheapest honest version of the same work in TypeScript.
//
// Steps, each timed:
//   list     `git ls-files` filtered to .ts .tsx .mts .cts .js .jsx .mjs .cjs (and .d.ts)
//   extract  read each file and list its imports with `ts.preProcessFile` (TS's import scanner:
//            import/export from, import x = require, require(), dynamic import(), and
//            `/// <reference path>`; not jest.mock/vi.mock, which TS does not know)
//   resolve  `ts.resolveModuleName(specifier, importer, options, host, cache, undefined, mode)`
//            with the options of the importer's nearest tsconfig.json/jsconfig.json (read with
//            ts.readConfigFile + ts.parseJsonConfigFileContent, so `extends`, `baseUrl`, `paths`
//            are TS's own reading) and one ModuleResolutionCache per tsconfig, as tsc keeps.
//            Static imports use the importer's implied module format (node16/nodenext), require()
//            resolves as CommonJS, dynamic import() as ESM.
// Workspace packages (npm/yarn `workspaces`, `pnpm-workspace.yaml`, patterns `dir/*` or `dir`)
// appear to TS as `<root>/node_modules/<name>` -> their folder, as a package manager links them;
// the corpus has no node_modules otherwise, so npm packages (`react`, `zod`) do not resolve and
// are counted as `bare_unresolved`. Assets (`./x.module.css`, `./logo.svg`) do not resolve in TS
// either (it knows them only through `declare module`): they are most of `relative_unresolved`.
//
// Prints one JSON object on stdout:
//   {"files","imports","resolved","relative_unresolved","bare_unresolved",
//    "list_ms","extract_ms","resolve_ms","total_ms","typescript"}
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";

const require = createRequire(import.meta.url);
const ts = require(process.env.TS_MODULE || "typescript");

const root = path.resolve(process.argv[2] || ".");
const SOURCE = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

const t0 = performance.now();

// ---------------------------------------------------------------- list
const files = execFileSync("git", ["-C", root, "ls-files", "-z"], { maxBuffer: 1 << 30 })
  .toString("utf8")
  .split("\0")
  .filter((f) => SOURCE.test(f))
  .map((f) => path.join(root, f));

// ---------------------------------------------------------------- workspace packages
function readJson(p) {
  try {
    return JSON.parse(fs.readFileSync(p, "utf8"));
  } catch {
    return undefined;
  }
}
function workspacePatterns() {
  const pats = [];
  const pkg = readJson(path.join(root, "package.json")) || {};
  const ws = Array.isArray(pkg.workspaces) ? pkg.workspaces : pkg.workspaces?.packages || [];
  pats.push(...ws);
  try {
    const yaml = fs.readFileSync(path.join(root, "pnpm-workspace.yaml"), "utf8");
    for (const m of yaml.matchAll(/^\s*-\s*['"]?([^'"\n#]+?)['"]?\s*$/gm)) pats.push(m[1]);
  } catch {
    // no pnpm workspace
  }
  return [...new Set(pats)];
}
const workspace = new Map(); // package name -> absolute folder
for (const pat of workspacePatterns()) {
  if (pat.startsWith("!")) continue;
  const dirs = [];
  if (pat.endsWith("/*")) {
    const base = path.join(root, pat.slice(0, -2));
    try {
      for (const d of fs.readdirSync(base, { withFileTypes: true }))
        if (d.isDirectory()) dirs.push(path.join(base, d.name));
    } catch {
      // pattern names no folder
    }
  } else if (!pat.includes("*")) {
    dirs.push(path.join(root, pat));
  }
  for (const dir of dirs) {
    const name = readJson(path.join(dir, "package.json"))?.name;
    if (name) workspace.set(name, dir);
  }
}

// ---------------------------------------------------------------- host
// ts.sys, with `<root>/node_modules/<workspace name>/...` mapped onto the package's folder.
const nodeModules = path.join(root, "node_modules") + path.sep;
function unvirtual(p) {
  if (!p.startsWith(nodeModules)) return p;
  const rest = p.slice(nodeModules.length).split(path.sep);
  const n = rest[0].startsWith("@") ? 2 : 1;
  const dir = workspace.get(rest.slice(0, n).join("/"));
  return dir ? path.join(dir, ...rest.slice(n)) : p;
}
function virtualDir(p) {
  // <root>/node_modules and <root>/node_modules/@scope exist when a workspace package lives there
  if (p === path.join(root, "node_modules")) return workspace.size > 0;
  if (!p.startsWith(nodeModules)) return false;
  const rest = p.slice(nodeModules.length);
  return !rest.includes(path.sep) && [...workspace.keys()].some((k) => k.startsWith(rest + "/"));
}
const host = {
  fileExists: (p) => ts.sys.fileExists(unvirtual(p)),
  directoryExists: (p) => virtualDir(p) || ts.sys.directoryExists(unvirtual(p)),
  readFile: (p) => ts.sys.readFile(unvirtual(p)),
  realpath: (p) => unvirtual(p),
  getCurrentDirectory: () => root,
  getDirectories: (p) => ts.sys.getDirectories(unvirtual(p)),
  useCaseSensitiveFileNames: true,
};
// Reading a tsconfig: `include` is not expanded (resolution does not need it).
const parseHost = {
  useCaseSensitiveFileNames: true,
  readDirectory: () => [],
  fileExists: host.fileExists,
  readFile: host.readFile,
};

// ---------------------------------------------------------------- compiler options per folder
const configOf = new Map(); // folder -> {options, cache} (shared by all folders of one tsconfig)
const byConfigFile = new Map();
const DEFAULT = "<none>";
function configFor(dir) {
  let c = configOf.get(dir);
  if (c) return c;
  let file = DEFAULT;
  for (const name of ["tsconfig.json", "jsconfig.json"]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) {
      file = p;
      break;
    }
  }
  if (file === DEFAULT) {
    const parent = path.dirname(dir);
    c = dir === root || parent === dir ? configForFile(DEFAULT) : configFor(parent);
  } else {
    c = configForFile(file);
  }
  configOf.set(dir, c);
  return c;
}
function configForFile(file) {
  let c = byConfigFile.get(file);
  if (c) return c;
  let options = {};
  if (file !== DEFAULT) {
    const read = ts.readConfigFile(file, host.readFile);
    if (!read.error) options = ts.parseJsonConfigFileContent(read.config, parseHost, path.dirname(file), undefined, file).options;
  }
  const cache = ts.createModuleResolutionCache(root, (f) => f, options);
  c = { options, cache };
  byConfigFile.set(file, c);
  return c;
}

// ---------------------------------------------------------------- extract
const t1 = performance.now();
const work = []; // [importer, [{spec, kind}]]
for (const file of files) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    continue; // in the index, not on disk
  }
  const info = ts.preProcessFile(text, true, true);
  const specs = info.importedFiles.map((r) => ({ spec: r.fileName, text, pos: r.pos }));
  const refs = info.referencedFiles.map((r) => r.fileName);
  work.push([file, specs, refs]);
}

// ---------------------------------------------------------------- resolve
const t2 = performance.now();
let imports = 0;
let resolved = 0;
let relativeUnresolved = 0;
let bareUnresolved = 0;
const ESM = ts.ModuleKind.ESNext;
const CJS = ts.ModuleKind.CommonJS;
for (const [file, specs, refs] of work) {
  const { options, cache } = configFor(path.dirname(file));
  const implied = ts.getImpliedNodeFormatForFile(file, cache.getPackageJsonInfoCache(), host, options);
  for (const { spec, text, pos } of specs) {
    imports++;
    // preProcessFile's pos is the specifier's; look back for the call that holds it.
    const before = text.slice(Math.max(0, pos - 12), pos);
    const mode = /require\(\s*['"`]?$/.test(before) ? CJS : /import\(\s*['"`]?$/.test(before) ? ESM : implied;
    const r = ts.resolveModuleName(spec.replace(/[?#].*$/, ""), file, options, host, cache, undefined, mode);
    if (r.resolvedModule) resolved++;
    else if (spec.startsWith(".") || spec.startsWith("/")) {
      relativeUnresolved++;
      if (process.env.TS_RESOLVE_DEBUG) process.stderr.write(`unresolved ${path.relative(root, file)}: ${spec}\n`);
    } else {
      bareUnresolved++;
      if (process.env.TS_RESOLVE_DEBUG) process.stderr.write(`bare ${spec}\n`);
    }
  }
  for (const ref of refs) {
    // `/// <reference path>` is a file path relative to the file, not module resolution.
    imports++;
    const p = path.resolve(path.dirname(file), ref);
    const hit = [p, p + ".ts", p + ".tsx", p + ".d.ts"].some((f) => host.fileExists(f));
    if (hit) resolved++;
    else relativeUnresolved++;
  }
}
const t3 = performance.now();

const ms = (x) => Math.round(x * 10) / 10;
process.stdout.write(
  JSON.stringify({
    files: work.length,
    imports,
    resolved,
    relative_unresolved: relativeUnresolved,
    bare_unresolved: bareUnresolved,
    list_ms: ms(t1 - t0),
    extract_ms: ms(t2 - t1),
    resolve_ms: ms(t3 - t2),
    total_ms: ms(t3 - t0),
    typescript: ts.version,
  }) + "\n",
);
