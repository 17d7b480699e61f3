#!/usr/bin/env python3
"""Edit N tracked .ts files of a gen.py corpus the way a small commit would; print their paths.

Usage: stage-edits.py REPO [N]     (N defaults to 10; the caller runs `git add` and resets)

Each chosen file gets one line appended: a new relative import of another tracked .ts file of
the same app (extensionless, so it resolves under the corpus's `moduleResolution: Bundler`) and
a `process.env` read of a name declared in the root `.env.example`:

    import * as __benchDep from '../lib/foo'; export const __benchEnv = [__benchDep, process.env.DATABASE_URL];

Files are picked evenly spaced from `git ls-files` (deterministic for a given corpus), from
`apps/web/src` when it exists, else from anywhere; `.d.ts`, test files and client components
(`"use client"`: a server env read there is `env/client-read`) are never picked. The edited files
should give hookctl nothing to report.
"""
import os
import subprocess
import sys


def tracked(repo, pattern):
    out = subprocess.run(
        ["git", "-C", repo, "ls-files", "-z", "--", pattern],
        check=True, capture_output=True,
    ).stdout.decode()
    return [
        p for p in out.split("\0")
        if p.endswith(".ts") and not p.endswith((".d.ts", ".test.ts", ".spec.ts"))
    ]


def is_client(repo, path):
    with open(os.path.join(repo, path), encoding="utf-8", errors="replace") as f:
        head = f.read(200).lstrip()
    return head.startswith(("'use client'", '"use client"'))


def declared_name(repo):
    with open(os.path.join(repo, ".env.example"), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name = line.split("=", 1)[0].removeprefix("export ").strip()
                if name and name != "NODE_ENV":
                    return name
    sys.exit("stage-edits: no declared name in .env.example")


def main():
    repo = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    pool = tracked(repo, "apps/web/src/*.ts") or tracked(repo, "*.ts")
    pool = [p for p in pool if not is_client(repo, p)]
    if len(pool) < 2 * n:
        sys.exit(f"stage-edits: only {len(pool)} .ts files to pick from, need {2 * n}")
    name = declared_name(repo)
    step = len(pool) // n
    for i in range(n):
        path = pool[i * step]
        # the import target: a file half the pool away, so it is not one the file already imports
        target = pool[(i * step + len(pool) // 2) % len(pool)]
        rel = os.path.relpath(target, os.path.dirname(path))[: -len(".ts")]
        if not rel.startswith("."):
            rel = "./" + rel
        line = (
            f"\nimport * as __benchDep from '{rel}'; "
            f"export const __benchEnv = [__benchDep, process.env.{name}];\n"
        )
        with open(os.path.join(repo, path), "a", encoding="utf-8") as f:
            f.write(line)
        print(path)


if __name__ == "__main__":
    main()
