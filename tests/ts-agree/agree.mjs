#!/usr/bin/env node
// agree.mjs — does hookctl's import resolution agree with TypeScript's own resolver?
//
//   node agree.mjs REPO [--hookctl BIN] [--staged | --rev REV] [--manifest FILE]
//                       [--strict-modes] [--show-mode-specific N] [--json FILE]
//
// For the git repository REPO this runs `hookctl resolve` (one JSON object per import of the
// snapshot) and, for every import whose specifier names a file of the repository, asks
// TypeScript the same question with `ts.resolveModuleName(specifier, importer, options, host)`.
//
// The snapshot. TS's ModuleResolutionHost here serves ONLY the git snapshot hookctl checked: the
// index (`git ls-files -s -z`, the default, `--staged`) or a commit's tree (`--rev REV`,
// `git ls-tree -r -z`). File contents (package.json, tsconfig/jsconfig, pnpm-workspace.yaml,
// symlink targets) come from `git cat-file --batch`, never from the disk. Paths are
// case-sensitive, as on Linux CI. Git symlinks (mode 120000) are followed inside the repository.
// Workspace packages (npm/yarn `workspaces`, `pnpm-workspace.yaml`) appear as symlinks
// `<root>/node_modules/<name>` -> their folder, as npm/yarn/pnpm link them, so TS resolves
// `@acme/x` through node_modules and realpaths the result into the workspace folder. No other
// node_modules exist: a bare npm package does not resolve for TS here.
//
// Compiler options. For each importer, the nearest tsconfig.json (or jsconfig.json where a folder
// has no tsconfig.json, as TS's editor tooling does) is read with ts.readConfigFile +
// ts.parseJsonConfigFileContent through the same snapshot host, so `extends` chains, `baseUrl`
// and `paths` are TypeScript's own reading. `include`/`files` are not expanded (not needed for
// resolution). A file with no tsconfig gets TS's defaults ({}). `moduleResolution` is whatever the
// config says, else TS's default for its `module` (commonjs -> node10, node16/nodenext -> same,
// preserve -> bundler, other ES module kinds -> classic).
// Resolution mode (node16/nodenext, and bundler with module=preserve): `require`, `import x =
// require()` and jest/vi mocks resolve as CommonJS, dynamic `import()` as ESM, static imports in
// the mode of the importing file (ts.getImpliedNodeFormatForFile: .mts/.mjs, .cts/.cjs, nearest
// package.json "type").
//
// What is compared (everything else is counted as skipped):
//   relative   `./x`, `../x`, `.`, `..`
//   alias      a specifier matching a `paths` key of the importer's tsconfig
//   workspace  `@acme/x[/sub]` where a workspace package `@acme/x` exists
//   bare-in-repo  any other bare specifier that TS resolves to a file of the repository (`baseUrl`,
//              or classic resolution's walk up the folders)
//   reference  `/// <reference path>`: not module resolution; emulated with TS's program rules
//              (path relative to the file; an extensionless path gets .ts/.tsx/.d.ts appended)
// Skipped: bare packages and builtins that TS cannot resolve (no node_modules here), `#imports`,
// absolute paths, URLs/`scheme:` specifiers, and assets (.css, .svg, .json, ... — hookctl requires
// those to exist exactly; TS only knows them through `declare module`). `?query`/`#hash` suffixes
// are stripped before asking TS, as hookctl does (TS would otherwise look for a file named so).
//
// Agreement:
//   hookctl `file` T                       <=> TS resolvedModule.resolvedFileName == T (repo-relative,
//                                               realpath'd)
//   hookctl `untracked` | `unresolved` |    <=> TS fails (resolvedModule undefined). The TS host
//     `case-mismatch` | `generated` |            only sees the snapshot, case-sensitively, so a
//     `undeclared` | `external`                  planted untracked / deleted / mis-cased import
//                                                must fail in TS too.
// "Mode-specific": hookctl resolves with one option set for every moduleResolution (extension and
// index probing, `.js` -> `.ts`, package.json conditions types > import > require), except that
// under node16/nodenext an ESM import of a relative path must spell its extension (hookctl's
// `needs-extension` verdict) and a CommonJS-mode import of a package takes its "require" condition.
// One difference remains by design: `classic` (legacy) never looks for `index` files but walks up
// the folders for bare names. When TS differs under the configured
// moduleResolution but, asked again with `moduleResolution: bundler` (module esnext, everything
// else the same, no resolution mode), gives exactly hookctl's answer (the same file, or failure),
// the case is counted in a separate "mode-specific" bucket, listed (first N) with the reason, and
// does not fail the run unless --strict-modes is given. Every other difference is a
// disagreement: all are listed and the exit status is 1.
//
// --manifest FILE: a gen-corpus manifest (gen.py --plant); every planted import defect must appear
// among the compared imports with TS failing and hookctl failing with the matching verdict
// (`case-mismatch` for import-case-mismatch, `untracked` for import-untracked and
// import-deleted-from-index).
// --json FILE: also write the counts and the lists as JSON.
// Exit: 0 all agree, 1 any disagreement (or a planted defect not confirmed), 2 usage/tool error.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const posix = path.posix;

// ------------------------------------------------------------------------------------- args
function usage(msg) {
  if (msg) console.error(`agree.mjs: ${msg}`);
  console.error(
    'usage: node agree.mjs REPO [--hookctl BIN] [--staged | --rev REV] [--manifest FILE] [--strict-modes] [--show-mode-specific N] [--json FILE]',
  );
  process.exit(2);
}
const argv = process.argv.slice(2);
const opt = {
  repo: null,
  hookctl: process.env.HOOKCTL_BIN || 'hookctl',
  rev: null,
  manifest: null,
  strictModes: false,
  showMode: 20,
  json: null,
};
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
  if (a === '--hookctl') opt.hookctl = val();
  else if (a === '--staged') opt.rev = null;
  else if (a === '--rev') opt.rev = val();
  else if (a === '--manifest') opt.manifest = val();
  else if (a === '--strict-modes') opt.strictModes = true;
  else if (a === '--show-mode-specific') opt.showMode = Number(val());
  else if (a === '--json') opt.json = val();
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (opt.repo === null) opt.repo = a;
  else usage(`unexpected argument ${a}`);
}
if (!opt.repo) usage('REPO is required');

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { maxBuffer: 1 << 30, ...options });
  if (r.error) {
    console.error(`agree.mjs: cannot run ${cmd}: ${r.error.message}`);
    process.exit(2);
  }
  if (r.status !== 0) {
    console.error(`agree.mjs: ${cmd} ${args.join(' ')} exited ${r.status}\n${r.stderr}`);
    process.exit(2);
  }
  return r.stdout;
}

const ROOT = fs.realpathSync(
  run('git', ['-C', opt.repo, 'rev-parse', '--show-toplevel']).toString().trim(),
);

// --------------------------------------------------------------------------- the snapshot
/** rel path -> { mode, sha } */
const entries = new Map();
{
  const out = opt.rev
    ? run('git', ['-C', ROOT, 'ls-tree', '-r', '-z', '--full-tree', opt.rev])
    : run('git', ['-C', ROOT, 'ls-files', '-s', '-z']);
  for (const rec of out.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const meta = rec.slice(0, tab).split(' ');
    const p = rec.slice(tab + 1);
    if (opt.rev) {
      entries.set(p, { mode: meta[0], sha: meta[2] });
    } else {
      const stage = meta[2];
      if (stage !== '0' && entries.has(p)) continue; // unmerged: keep the first stage seen
      entries.set(p, { mode: meta[0], sha: meta[1] });
    }
  }
}
const dirs = new Set(['']);
for (const p of entries.keys()) {
  let d = posix.dirname(p);
  while (d !== '.' && !dirs.has(d)) {
    dirs.add(d);
    d = posix.dirname(d);
  }
}
const isLink = (rel) => entries.get(rel)?.mode === '120000';
const isGitlink = (rel) => entries.get(rel)?.mode === '160000';

/** Contents read from git: rel -> string. Preloaded in one `git cat-file --batch`. */
const contents = new Map();
function catFiles(rels) {
  const want = rels.filter((r) => entries.has(r) && !contents.has(r));
  if (!want.length) return;
  const out = run('git', ['-C', ROOT, 'cat-file', '--batch'], {
    input: want.map((r) => entries.get(r).sha).join('\n') + '\n',
  });
  let pos = 0;
  for (const r of want) {
    const nl = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, nl).toString();
    pos = nl + 1;
    const m = /^\S+ (\S+) (\d+)$/.exec(header);
    if (!m) continue; // missing object
    const size = Number(m[2]);
    contents.set(r, out.subarray(pos, pos + size).toString('utf8'));
    pos += size + 1;
  }
}
catFiles(
  [...entries.keys()].filter(
    (p) =>
      isLink(p) ||
      ((p.endsWith('.json') || p === 'pnpm-workspace.yaml') && !p.split('/').includes('node_modules')),
  ),
);

// ------------------------------------------------------------------------- workspaces
function stripJsonc(text) {
  const r = ts.parseConfigFileTextToJson('x.json', text);
  return r.error ? null : r.config;
}
function workspaceGlobs() {
  const globs = [];
  const pkg = contents.has('package.json') ? stripJsonc(contents.get('package.json')) : null;
  const ws = pkg?.workspaces;
  if (Array.isArray(ws)) globs.push(...ws);
  else if (ws && Array.isArray(ws.packages)) globs.push(...ws.packages);
  const yaml = contents.get('pnpm-workspace.yaml');
  if (yaml) {
    let inPackages = false;
    for (const line of yaml.split(/\r?\n/)) {
      if (/^packages\s*:/.test(line)) {
        inPackages = true;
        const inline = /\[(.*)\]/.exec(line);
        if (inline) {
          globs.push(...inline[1].split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, '')).filter(Boolean));
          inPackages = false;
        }
        continue;
      }
      if (inPackages) {
        const m = /^\s*-\s*(.+?)\s*$/.exec(line);
        if (m) globs.push(m[1].replace(/\s+#.*$/, '').replace(/^['"]|['"]$/g, ''));
        else if (/^\S/.test(line)) inPackages = false;
      }
    }
  }
  return globs;
}
function globToRegex(glob) {
  let g = glob.replace(/^\.\//, '').replace(/\/+$/, '');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === '*' && g[i + 1] === '*') {
      re += '.*';
      i++;
      if (g[i + 1] === '/') i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
/** workspace package name -> folder (repo-relative) */
const workspaces = new Map();
{
  const globs = workspaceGlobs();
  const inc = globs.filter((g) => !g.startsWith('!')).map(globToRegex);
  const exc = globs.filter((g) => g.startsWith('!')).map((g) => globToRegex(g.slice(1)));
  for (const p of entries.keys()) {
    if (!p.endsWith('/package.json') || p.split('/').includes('node_modules')) continue;
    const dir = posix.dirname(p);
    if (!inc.some((r) => r.test(dir)) || exc.some((r) => r.test(dir))) continue;
    const name = stripJsonc(contents.get(p) ?? '')?.name;
    if (typeof name === 'string' && name && !workspaces.has(name)) workspaces.set(name, dir);
  }
}
/** `<package folder>/node_modules/<workspace package>` links pnpm makes for the workspace
 * dependencies each package declares: link path -> the package's folder. */
const nestedLinks = new Map();
for (const p of entries.keys()) {
  if (!p.endsWith('/package.json') || p.split('/').includes('node_modules')) continue;
  const dir = posix.dirname(p);
  const json = stripJsonc(contents.get(p) ?? '') ?? {};
  for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    for (const dep of Object.keys(json[field] ?? {})) {
      if (workspaces.has(dep)) nestedLinks.set(`${dir}/node_modules/${dep}`, workspaces.get(dep));
    }
  }
}
/** Virtual folders that hold the workspace links. */
const virtualDirs = new Set();
if (workspaces.size) virtualDirs.add('node_modules');
for (const name of workspaces.keys()) {
  if (name.includes('/')) virtualDirs.add(`node_modules/${name.split('/')[0]}`);
}

// ------------------------------------------------------------------------------- the host
function relOf(abs) {
  if (typeof abs !== 'string') return null;
  const n = posix.normalize(abs.replace(/\\/g, '/'));
  if (n === ROOT) return '';
  if (!n.startsWith(ROOT + '/')) return null;
  return n.slice(ROOT.length + 1).replace(/\/+$/, '');
}
const absOf = (rel) => (rel ? `${ROOT}/${rel}` : ROOT);

/** Follow workspace links and git symlinks, component by component. null: leaves the root. */
function realRel(rel, depth = 0) {
  if (rel === null) return null;
  if (depth > 40) return null;
  let cur = '';
  const parts = rel.split('/').filter(Boolean);
  for (let i = 0; i < parts.length; i++) {
    cur = cur ? `${cur}/${parts[i]}` : parts[i];
    const ws = cur.startsWith('node_modules/') ? workspaces.get(cur.slice('node_modules/'.length)) : nestedLinks.get(cur);
    let target = null;
    if (ws !== undefined) target = ws;
    else if (isLink(cur)) {
      const t = contents.get(cur);
      if (t === undefined) return null;
      if (t.startsWith('/')) return null;
      const joined = posix.normalize(posix.join(posix.dirname(cur), t.trim()));
      if (joined === '..' || joined.startsWith('../')) return null;
      target = joined === '.' ? '' : joined;
    }
    if (target !== null) {
      const rest = parts.slice(i + 1).join('/');
      return realRel(target && rest ? `${target}/${rest}` : target || rest, depth + 1);
    }
  }
  return cur;
}
const isFileRel = (r) => r !== null && entries.has(r) && !isLink(r) && !isGitlink(r);
const isDirRel = (r) => r !== null && (dirs.has(r) || virtualDirs.has(r) || isGitlink(r));

const host = {
  fileExists: (abs) => isFileRel(realRel(relOf(abs))),
  directoryExists: (abs) => isDirRel(realRel(relOf(abs))),
  readFile: (abs) => {
    const r = realRel(relOf(abs));
    if (!isFileRel(r)) return undefined;
    if (!contents.has(r)) catFiles([r]);
    return contents.get(r);
  },
  realpath: (abs) => {
    const r = realRel(relOf(abs));
    return r === null ? abs : absOf(r);
  },
  getCurrentDirectory: () => ROOT,
  useCaseSensitiveFileNames: true,
  getDirectories: (abs) => {
    const r = realRel(relOf(abs));
    if (r === null) return [];
    const pre = r ? `${r}/` : '';
    const out = new Set();
    for (const d of [...dirs, ...virtualDirs]) {
      if (d.startsWith(pre) && d.length > pre.length && !d.slice(pre.length).includes('/')) {
        out.add(d.slice(pre.length));
      }
    }
    if (r === 'node_modules' || r.startsWith('node_modules/')) {
      for (const name of workspaces.keys()) {
        const full = `node_modules/${name}`;
        if (full.startsWith(pre) && !full.slice(pre.length).includes('/')) out.add(full.slice(pre.length));
      }
    }
    return [...out];
  },
};
const parseHost = {
  useCaseSensitiveFileNames: true,
  readDirectory: () => [], // include/files are not needed for resolution
  fileExists: host.fileExists,
  readFile: host.readFile,
  getCurrentDirectory: host.getCurrentDirectory,
};

// --------------------------------------------------------------------------- tsconfigs
const configNotes = [];
const parsedConfigs = new Map(); // rel -> {options, rel} | null (unparseable)
function loadConfig(rel) {
  if (parsedConfigs.has(rel)) return parsedConfigs.get(rel);
  const abs = absOf(rel);
  const read = ts.readConfigFile(abs, host.readFile);
  let result = null;
  if (read.error) {
    configNotes.push(`${rel}: unparseable (${ts.flattenDiagnosticMessageText(read.error.messageText, ' ')}); skipped`);
  } else {
    const existing = rel.endsWith('jsconfig.json')
      ? { allowJs: true, maxNodeModuleJsDepth: 2, allowSyntheticDefaultImports: true, skipLibCheck: true, noEmit: true }
      : {};
    const parsed = ts.parseJsonConfigFileContent(read.config, parseHost, posix.dirname(abs), existing, abs);
    for (const e of parsed.errors) {
      if (e.code === 18003 || e.code === 18002) continue; // no inputs / files list: not our business
      configNotes.push(`${rel}: ${ts.flattenDiagnosticMessageText(e.messageText, ' ')}`);
    }
    result = { rel, options: parsed.options };
  }
  parsedConfigs.set(rel, result);
  return result;
}
const nearestCache = new Map();
const NO_CONFIG = { rel: null, options: {} };
function configFor(importerRel) {
  const dir = posix.dirname(importerRel);
  return configForDir(dir === '.' ? '' : dir);
}
function configForDir(key) {
  if (nearestCache.has(key)) return nearestCache.get(key);
  let found = null;
  for (const name of ['tsconfig.json', 'jsconfig.json']) {
    const cand = key ? `${key}/${name}` : name;
    if (isFileRel(cand)) {
      found = loadConfig(cand);
      if (found) break;
    }
  }
  if (!found) {
    const parent = posix.dirname(key);
    found = key ? configForDir(parent === '.' ? '' : parent) : NO_CONFIG;
  }
  nearestCache.set(key, found);
  return found;
}

const MRK = ts.ModuleResolutionKind;
function effectiveResolution(options) {
  if (options.moduleResolution !== undefined) return options.moduleResolution;
  return ts.getEmitModuleResolutionKind(options);
}
function resolutionName(kind) {
  return (
    { [MRK.Classic]: 'classic', [MRK.Node10]: 'node10', [MRK.Node16]: 'node16', [MRK.NodeNext]: 'nodenext', [MRK.Bundler]: 'bundler' }[kind] ??
    String(kind)
  );
}

// ----------------------------------------------------------------------- classification
const ASSET_EXT = new Set(
  (
    'css scss sass less styl stylus pcss postcss svg png jpg jpeg gif webp avif ico bmp tiff json json5 jsonc ' +
    'md mdx txt html htm xml csv tsv yaml yml toml graphql gql wasm woff woff2 ttf otf eot mp3 mp4 webm ogg wav ' +
    'flac aac m4a mov avi pdf zip glb gltf hdr frag vert glsl wgsl node vue svelte astro'
  ).split(' '),
);
const OTHER_EXT = /\.((native|ios|android|web)\.(tsx|ts|jsx|js)|vue|svelte|astro|mdx)$/;
function cleanSpecifier(spec) {
  let s = spec.trim();
  const q = s.indexOf('?');
  if (q >= 0) s = s.slice(0, q);
  const h = s.indexOf('#', 1);
  if (h >= 0) s = s.slice(0, h);
  return s;
}
function isRelative(s) {
  return s === '.' || s === '..' || s.startsWith('./') || s.startsWith('../');
}
function packageName(s) {
  const parts = s.split('/');
  return s.startsWith('@') ? (parts.length >= 2 ? `${parts[0]}/${parts[1]}` : null) : parts[0];
}
function matchesPaths(options, s) {
  const paths = options.paths;
  if (!paths) return false;
  return Object.keys(paths).some((k) => {
    const star = k.indexOf('*');
    if (star < 0) return k === s;
    const pre = k.slice(0, star);
    const post = k.slice(star + 1);
    return s.length >= pre.length + post.length && s.startsWith(pre) && s.endsWith(post);
  });
}
function assetExt(s) {
  const base = s.split('/').pop();
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

// --------------------------------------------------------------------- TS resolution
const formatCache = ts.createModuleResolutionCache(ROOT, (x) => x, {}).getPackageJsonInfoCache();
function fileFormat(importerAbs, options) {
  return ts.getImpliedNodeFormatForFile(importerAbs, formatCache, host, options);
}
function modeFor(kind, importerAbs, options, resolution) {
  const moduleKind = ts.getEmitModuleKind(options);
  const nodeLike = resolution === MRK.Node16 || resolution === MRK.NodeNext;
  const preserve = moduleKind === ts.ModuleKind.Preserve;
  if (!nodeLike && !preserve) return undefined;
  if (kind === 'Require' || kind === 'ImportEquals' || kind === 'Mock') return ts.ModuleKind.CommonJS;
  if (kind === 'Dynamic') return ts.ModuleKind.ESNext;
  if (preserve && !nodeLike) return ts.ModuleKind.ESNext;
  return fileFormat(importerAbs, options) ?? ts.ModuleKind.CommonJS;
}
function tsResolve(spec, importerAbs, options, mode) {
  const r = ts.resolveModuleName(spec, importerAbs, options, host, undefined, undefined, mode);
  const f = r.resolvedModule?.resolvedFileName;
  if (!f) return null;
  const rel = realRel(relOf(host.realpath(f)));
  return rel ?? `<outside>${f}`;
}
const SUPPORTED_REF_EXT = ['.d.ts', '.d.mts', '.d.cts', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
function tsReference(spec, importerRel, options) {
  const p = posix.normalize(posix.join(posix.dirname(importerRel), spec));
  if (p === '..' || p.startsWith('../')) return null;
  const base = p.split('/').pop();
  if (base.includes('.')) {
    if (!SUPPORTED_REF_EXT.some((e) => base.endsWith(e))) return null;
    return isFileRel(realRel(p)) ? realRel(p) : null;
  }
  const exts = ['.ts', '.tsx', '.d.ts', ...(options.allowJs ? ['.js', '.jsx'] : [])];
  for (const e of exts) if (isFileRel(realRel(p + e))) return realRel(p + e);
  return null;
}

// ---------------------------------------------------------------------------- hookctl
const hookArgs = ['resolve', ...(opt.rev ? ['--rev', opt.rev] : ['--staged'])];
const hr = spawnSync(opt.hookctl, hookArgs, { cwd: ROOT, maxBuffer: 1 << 30 });
if (hr.error || hr.status !== 0) {
  console.error(
    `agree.mjs: \`${opt.hookctl} ${hookArgs.join(' ')}\` failed in ${ROOT}: ${hr.error?.message ?? `exit ${hr.status}`}\n${hr.stderr ?? ''}`,
  );
  process.exit(2);
}
const records = [];
for (const line of hr.stdout.toString('utf8').split('\n')) {
  if (!line.trim()) continue;
  try {
    records.push(JSON.parse(line));
  } catch {
    console.error(`agree.mjs: hookctl printed a line that is not JSON: ${line.slice(0, 200)}`);
    process.exit(2);
  }
}

// ---------------------------------------------------------------------------- compare
const FAIL_VERDICTS = new Set(['untracked', 'unresolved', 'needs-extension', 'case-mismatch', 'generated', 'ignored', 'undeclared', 'external']);
const counts = {
  records: records.length,
  compared: 0,
  /** compared imports whose importer is a .vue/.svelte/.astro/.mdx file */
  fromHostFiles: 0,
  agree: 0,
  modeSpecific: 0,
  disagree: 0,
  byCategory: {}, // category -> {compared, agree, modeSpecific, disagree}
  byVerdict: {}, // hookctl verdict -> {compared, agree, modeSpecific, disagree}
  byResolution: {}, // moduleResolution -> {compared, agree, modeSpecific, disagree}
  skipped: {},
};
const disagreements = [];
const modeSpecific = [];
const modeReasons = {};
const agreedFailures = new Map(); // `${importer}\0${line}\0${specifier}` -> hookctl verdict, where both fail
const bump = (obj, key, field) => {
  obj[key] ??= { compared: 0, agree: 0, modeSpecific: 0, disagree: 0 };
  obj[key][field]++;
};
const skip = (why) => (counts.skipped[why] = (counts.skipped[why] ?? 0) + 1);

function describeTs(target) {
  return target === null ? 'fails (no resolvedModule)' : `file ${target}`;
}
function modeReason(resName, mode, spec, target, verdict) {
  const ext = assetExt(spec);
  if ((resName === 'node16' || resName === 'nodenext') && mode === ts.ModuleKind.ESNext) {
    if (!ext) return `${resName} ESM import without extension / of a directory`;
    if (target && !target.endsWith(`.${ext}`) && !/\.(js|mjs|cjs|jsx)$/.test(spec))
      return `${resName} ESM import, extension substitution`;
    return `${resName} ESM import`;
  }
  if (resName === 'classic')
    return verdict === 'file'
      ? 'classic resolution (no index / package.json / node_modules lookup)'
      : 'classic resolution (bare name found walking up the folders)';
  return `${resName} (${mode === ts.ModuleKind.ESNext ? 'esm' : mode === ts.ModuleKind.CommonJS ? 'cjs' : 'no mode'})`;
}

/** hookctl's import kinds of stylesheets (src/scan/mod.rs `ImportKind::is_css`). */
const STYLESHEET_KINDS = new Set(['CssImport', 'SassImport', 'SassUse', 'SassForward', 'LessImport', 'CssUrl']);

const t0 = Date.now();
for (const rec of records) {
  const { importer, specifier, kind, verdict } = rec;
  const target = rec.target ?? null;
  if (typeof importer !== 'string' || typeof specifier !== 'string') {
    skip('malformed record');
    continue;
  }
  const spec = cleanSpecifier(specifier);
  const importerAbs = absOf(importer);
  const cfg = configFor(importer);
  const options = cfg.options;
  const resolution = effectiveResolution(options);
  const resName = resolutionName(resolution);

  let category;
  if (STYLESHEET_KINDS.has(kind)) {
    // `@import`/`@use`/`url()` of a stylesheet: Sass, Less and css-loader rules, not TypeScript's.
    skip('stylesheet import (@import/@use/@forward/url())');
    continue;
  }
  if (kind === 'Reference') category = 'reference';
  else if (!spec) {
    skip('empty specifier');
    continue;
  } else if (spec.startsWith('#')) {
    skip('#imports (package.json imports)');
    continue;
  } else if (spec.startsWith('/')) {
    skip('absolute path');
    continue;
  } else if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(spec) && !spec.startsWith('node:') || spec.includes('!')) {
    skip('url / scheme / loader');
    continue;
  } else if (ASSET_EXT.has(assetExt(spec)) && !/\.d\.(json)\.ts$/.test(spec)) {
    skip('asset (.css/.svg/.json/...)');
    continue;
  } else if (isRelative(spec)) category = 'relative';
  else if (matchesPaths(options, spec)) category = 'alias';
  else if (workspaces.has(packageName(spec))) category = 'workspace';
  else category = 'bare';

  // An extensionless import that hookctl finds only with an extension TypeScript does not probe
  // (`./App` -> `App.vue`, `./Button` -> `Button.native.tsx`): the bundler's `resolve.extensions`
  // decide, not TypeScript.
  if (
    verdict === 'other-extension' ||
    (typeof target === 'string' && OTHER_EXT.test(target) && !OTHER_EXT.test(spec))
  ) {
    skip('resolved only through extensions a bundler probes (.vue, .native.tsx, ...)');
    continue;
  }

  let mode;
  let tsTarget;
  if (category === 'reference') {
    tsTarget = tsReference(spec, importer, options);
  } else {
    mode = modeFor(kind, importerAbs, options, resolution);
    tsTarget = tsResolve(spec, importerAbs, options, mode);
  }
  if (category === 'bare') {
    if (tsTarget === null) {
      skip(spec.startsWith('node:') ? 'builtin' : 'bare package / builtin (TS cannot resolve it either)');
      continue;
    }
    category = 'bare-in-repo';
  }

  counts.compared++;
  // Imports written in a .vue/.svelte/.astro/.mdx script block are compared like any other: TS's
  // resolver only needs the importer's name and folder. (Targets with those extensions are skipped
  // above as assets: TS resolves them only through a framework plugin.)
  if (/\.(vue|svelte|astro|mdx)$/.test(importer)) counts.fromHostFiles++;
  bump(counts.byCategory, category, 'compared');
  bump(counts.byVerdict, verdict, 'compared');
  bump(counts.byResolution, resName, 'compared');
  let outcome;
  if (verdict === 'file') outcome = tsTarget === target ? 'agree' : 'disagree';
  else if (FAIL_VERDICTS.has(verdict)) outcome = tsTarget === null ? 'agree' : 'disagree';
  else outcome = 'disagree';

  if (outcome === 'disagree' && category !== 'reference') {
    // Would TS agree if it resolved like a bundler (extension/index probing, no node16 ESM rules, no
    // classic lookups)? Then the difference is the configured mode's strictness: "mode-specific".
    const relaxed = { ...options, moduleResolution: MRK.Bundler };
    if (ts.getEmitModuleKind(relaxed) !== ts.ModuleKind.Preserve) relaxed.module = ts.ModuleKind.ESNext;
    const bundlerTarget = tsResolve(spec, importerAbs, relaxed, undefined);
    if (verdict === 'file' ? bundlerTarget === target : FAIL_VERDICTS.has(verdict) && bundlerTarget === null) {
      outcome = 'modeSpecific';
    }
  }
  const item = {
    importer,
    line: rec.line,
    specifier,
    kind,
    category,
    tsconfig: cfg.rel,
    moduleResolution: resName,
    mode: mode === ts.ModuleKind.ESNext ? 'esm' : mode === ts.ModuleKind.CommonJS ? 'cjs' : null,
    hookctl: { verdict, target },
    ts: tsTarget,
  };
  if (outcome === 'agree') {
    counts.agree++;
    if (verdict !== 'file') agreedFailures.set(`${importer}\0${rec.line}\0${specifier}`, verdict);
  } else if (outcome === 'modeSpecific') {
    counts.modeSpecific++;
    const reason = modeReason(resName, mode, spec, target, verdict);
    modeReasons[reason] = (modeReasons[reason] ?? 0) + 1;
    modeSpecific.push({ ...item, reason });
  } else {
    counts.disagree++;
    disagreements.push(item);
  }
  bump(counts.byCategory, category, outcome);
  bump(counts.byVerdict, verdict, outcome);
  bump(counts.byResolution, resName, outcome);
}
const elapsed = Date.now() - t0;

// ----------------------------------------------------------------------- planted defects
const plantProblems = [];
let plantChecked = 0;
if (opt.manifest) {
  const m = JSON.parse(fs.readFileSync(opt.manifest, 'utf8'));
  const findings = Array.isArray(m) ? m : (m.findings ?? m.defects ?? []);
  for (const f of findings) {
    const kind = f.kind ?? f.type ?? '';
    if (!String(kind).startsWith('import-')) continue;
    const file = f.file ?? f.importer ?? f.path;
    const spec = f.specifier ?? f.spec;
    plantChecked++;
    const expected = { 'import-case-mismatch': 'case-mismatch', 'import-untracked': 'untracked', 'import-deleted-from-index': 'untracked' }[kind];
    const hits = [...agreedFailures].filter(([k]) => {
      const [imp, line, s] = k.split('\0');
      return imp === file && s === spec && (f.line === undefined || String(f.line) === line);
    });
    const hit = hits.length > 0;
    if (hit && expected && !hits.some(([, v]) => v === expected)) {
      plantProblems.push(`${kind}: ${file}:${f.line} '${spec}': hookctl says ${hits.map(([, v]) => v).join('/')}, expected ${expected}`);
      continue;
    }
    if (!hit) plantProblems.push(`${kind}: ${file}:${f.line} '${spec}' not found among imports where hookctl and TS both fail`);
  }
}

// ---------------------------------------------------------------------------- report
const pct = (a, b) => (b ? ((100 * a) / b).toFixed(2) : '100.00');
const show = (it) =>
  `  ${it.importer}:${it.line}  '${it.specifier}' [${it.kind}, ${it.category}, ${it.tsconfig ?? 'no tsconfig'}: ${it.moduleResolution}${it.mode ? '/' + it.mode : ''}]\n` +
  `      hookctl: ${it.hookctl.verdict}${it.hookctl.target ? ' ' + it.hookctl.target : ''}\n` +
  `      ts:      ${describeTs(it.ts)}`;
const table = (title, obj) => {
  console.log(title);
  for (const [k, v] of Object.entries(obj).sort()) {
    console.log(
      `  ${k.padEnd(16)} ${String(v.compared).padStart(7)} compared  ${String(v.agree).padStart(7)} agree  ${String(v.modeSpecific).padStart(6)} mode-specific  ${String(v.disagree).padStart(5)} disagree`,
    );
  }
};

console.log(`== ts-agree: ${ROOT} (${opt.rev ? `rev ${opt.rev}` : 'index'}), typescript ${ts.version}`);
console.log(
  `snapshot: ${entries.size} entries, ${workspaces.size} workspace packages, ${parsedConfigs.size} tsconfig/jsconfig read; hookctl printed ${records.length} imports; TS resolution took ${elapsed} ms`,
);
for (const n of configNotes) console.log(`note: ${n}`);
table('by specifier kind:', counts.byCategory);
table('by hookctl verdict:', counts.byVerdict);
table('by moduleResolution:', counts.byResolution);
console.log('skipped (not compared):');
for (const [k, v] of Object.entries(counts.skipped).sort()) console.log(`  ${String(v).padStart(7)}  ${k}`);
console.log(
  `compared ${counts.compared}: agree ${counts.agree}, mode-specific ${counts.modeSpecific}, disagree ${counts.disagree}`,
);
console.log(
  `agreement: ${pct(counts.agree, counts.compared)}% strict, ${pct(counts.agree + counts.modeSpecific, counts.compared)}% counting mode-specific as agreement`,
);
if (counts.modeSpecific) {
  console.log(
    `mode-specific (TS fails or differs under the configured moduleResolution, gives hookctl's answer with moduleResolution bundler): ${counts.modeSpecific}`,
  );
  for (const [r, n] of Object.entries(modeReasons).sort()) console.log(`  ${String(n).padStart(7)}  ${r}`);
  const n = Math.min(opt.showMode, modeSpecific.length);
  if (n) console.log(`first ${n}:`);
  for (const it of modeSpecific.slice(0, n)) console.log(show(it));
}
if (opt.manifest) {
  console.log(`planted import defects: ${plantChecked} checked, ${plantChecked - plantProblems.length} confirmed (hookctl and TS both fail)`);
  for (const p of plantProblems) console.log(`  NOT CONFIRMED ${p}`);
}
if (disagreements.length) {
  console.log(`DISAGREEMENTS (${disagreements.length}):`);
  for (const it of disagreements) console.log(show(it));
}
if (opt.json) {
  fs.writeFileSync(
    opt.json,
    JSON.stringify({ root: ROOT, typescript: ts.version, counts, modeReasons, disagreements, modeSpecific, configNotes, plantProblems }, null, 2),
  );
}
const failed = disagreements.length > 0 || plantProblems.length > 0 || (opt.strictModes && counts.modeSpecific > 0);
console.log(failed ? 'RESULT: FAIL' : 'RESULT: OK');
process.exit(failed ? 1 : 0);
