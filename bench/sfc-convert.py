#!/usr/bin/env python3
"""Turn 10% of a generated corpus's TS files into `.vue` / `.mdx` equivalents (issue 14's speed line).

    bench/sfc-convert.py SRC DST --bin HOOKCTL [--share 0.1]

Copies the committed corpus SRC (a git repository from gen.py) to DST and commits there a
version in which every tenth eligible `.ts`/`.tsx` file (sorted by path; not `index.*`, `.d.ts`,
or a file a package.json or tsconfig names) becomes, alternately:
- `name.vue`: the whole file inside `<script setup lang="ts">` (`lang="tsx"` for `.tsx`)
  followed by `<template><div /></template>`;
- `name.mdx`: the file's import/export-from statements as the top ESM block, then a heading
  and the rest of the code in a fenced code block (MDX content: read, not parsed);
and every import of a converted file (found with `hookctl resolve` on SRC) is rewritten to name
the new file with its extension (`./a` -> `./a.vue`, `./a.js` -> `./a.mdx`), as those
frameworks require. The result has the same import graph; `hookctl check` on it must stay as
clean as on SRC (the script checks).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode not in (0, 1):
        raise SystemExit(f"{cmd}: exit {r.returncode}\n{r.stderr[-2000:]}")
    return r


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--share", type=float, default=0.1)
    o = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}

    files = sh(["git", "ls-files"], cwd=o.src, env=env).stdout.split("\n")
    named = set()
    for f in files:
        if f.endswith("package.json") or os.path.basename(f).startswith("tsconfig"):
            text = open(os.path.join(o.src, f), encoding="utf-8", errors="replace").read()
            for m in re.finditer(r'"\.?/?([^"]+\.(?:ts|tsx|js))"', text):
                named.add(os.path.normpath(os.path.join(os.path.dirname(f), m.group(1))))
    eligible = sorted(
        f for f in files
        if re.search(r"\.(ts|tsx)$", f) and not f.endswith(".d.ts")
        and not os.path.basename(f).startswith("index.") and f not in named
    )
    step = max(1, round(1 / o.share))
    picked = eligible[::step]
    # Make the count 10% of all TS/JS files, not only of the eligible ones.
    total = sum(1 for f in files if re.search(r"\.(ts|tsx|js|jsx|mjs|cjs|mts|cts)$", f))
    want = round(total * o.share)
    if len(picked) < want:
        rest = [f for f in eligible if f not in set(picked)]
        picked += rest[: want - len(picked)]
    picked = sorted(picked[:want])
    new_name = {}
    for i, f in enumerate(picked):
        stem = re.sub(r"\.(ts|tsx)$", "", f)
        new_name[f] = stem + (".vue" if i % 2 == 0 else ".mdx")

    # Imports of the converted files, by importer.
    rewrites = {}
    out = sh([o.bin, "resolve"], cwd=o.src, env=env).stdout
    for line in out.splitlines():
        rec = json.loads(line)
        target = rec.get("target")
        if target in new_name:
            ext = os.path.splitext(new_name[target])[1]
            spec = rec["specifier"]
            new = re.sub(r"\.(js|jsx|ts|tsx)$", "", spec) + ext
            rewrites.setdefault(rec["importer"], {})[spec] = new

    if os.path.exists(o.dst):
        shutil.rmtree(o.dst)
    shutil.copytree(o.src, o.dst, symlinks=True)
    shutil.rmtree(os.path.join(o.dst, ".git", "hookctl"), ignore_errors=True)
    for importer, specs in rewrites.items():
        p = os.path.join(o.dst, importer)
        text = open(p, encoding="utf-8").read()
        for old, new in specs.items():
            for q in "'\"":
                text = text.replace(f"{q}{old}{q}", f"{q}{new}{q}")
        open(p, "w", encoding="utf-8").write(text)
    for f, to in new_name.items():
        p = os.path.join(o.dst, f)
        text = open(p, encoding="utf-8").read()
        if to.endswith(".vue"):
            lang = "tsx" if f.endswith(".tsx") else "ts"
            body = f'<script setup lang="{lang}">\n{text}</script>\n\n<template><div /></template>\n'
        else:
            # One-line import / re-export statements (the corpus writes them so) form the ESM block.
            one = re.compile(r"^(import|export \*|export \{[^}]*\}|export type \{[^}]*\}) .*from\s+['\"][^'\"]+['\"];?\s*$|^import\s+['\"][^'\"]+['\"];?\s*$")
            esm, rest = [], []
            for line in text.splitlines(keepends=True):
                (esm if one.match(line) else rest).append(line)
            body = "".join(esm) + "\n# " + os.path.basename(to) + "\n\n```tsx\n" + "".join(rest).replace("```", "'''") + "```\n"
        os.remove(p)
        open(os.path.join(o.dst, to), "w", encoding="utf-8").write(body)
    sh(["git", "add", "-A"], cwd=o.dst, env=env)
    sh(["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m",
        f"sfc-convert: {len(new_name)} files to .vue/.mdx"], cwd=o.dst, env=env)
    before = json.loads(sh([o.bin, "check", "--all-findings", "--format", "json"], cwd=o.src, env=env).stdout)
    after = json.loads(sh([o.bin, "check", "--all-findings", "--format", "json"], cwd=o.dst, env=env).stdout)
    shutil.rmtree(os.path.join(o.dst, ".git", "hookctl"), ignore_errors=True)
    vue = sum(1 for t in new_name.values() if t.endswith(".vue"))
    print(json.dumps({
        "converted": len(new_name), "vue": vue, "mdx": len(new_name) - vue, "of_ts_js_files": total,
        "importers_rewritten": len(rewrites),
        "findings_before": len(before["findings"]), "findings_after": len(after["findings"]),
        "files_before": before["summary"]["files"], "files_after": after["summary"]["files"],
    }))
    if len(after["findings"]) != len(before["findings"]):
        for f in after["findings"][:20]:
            print(f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
