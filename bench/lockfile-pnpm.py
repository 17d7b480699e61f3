#!/usr/bin/env python3
"""Write a pnpm-lock.yaml (v9) in sync with a repository's workspace package.json files, padded
with `packages`/`snapshots` entries to a target size: the lockfile bench/lockfile-drift.sh
commits into a gen.py corpus (which ships none). Specifiers are copied from the manifests, so
`deps/lockfile-drift` finds nothing; versions are the range's lowest (`^1.2.0` -> 1.2.0).

usage: bench/lockfile-pnpm.py REPO [--mib 5]
"""
import argparse
import glob
import hashlib
import json
import os
import re

FIELDS = ["dependencies", "devDependencies", "optionalDependencies"]


def q(name):
    return f"'{name}'" if name.startswith("@") or ":" in name else name


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("repo")
    ap.add_argument("--mib", type=float, default=5.0)
    a = ap.parse_args()
    root = a.repo
    members = ["."]
    for pattern in ("apps/*", "packages/*"):
        members += sorted(
            os.path.relpath(os.path.dirname(p), root)
            for p in glob.glob(os.path.join(root, pattern, "package.json"))
        )
    out = ["lockfileVersion: '9.0'", "", "settings:", "  autoInstallPeers: true",
           "  excludeLinksFromLockfile: false", "", "importers:"]
    locked = {}
    for m in members:
        with open(os.path.join(root, m, "package.json")) as f:
            pkg = json.load(f)
        out += ["", f"  {m}:"]
        for field in FIELDS:
            deps = pkg.get(field) or {}
            if not deps:
                continue
            out.append(f"    {field}:")
            for name in sorted(deps):
                spec = deps[name]
                if spec.startswith("workspace:"):
                    version = "link:../" + name.split("/")[-1]
                else:
                    version = re.sub(r"^[\^~>=<\s]*", "", spec) or "1.0.0"
                    locked[f"{name}@{version}"] = True
                out += [f"      {q(name)}:", f"        specifier: {q(spec) if spec.startswith('@') else json.dumps(spec) if ':' in spec else spec}",
                        f"        version: {version}"]
    packages, snapshots = ["", "packages:"], ["", "snapshots:"]
    target = int(a.mib * 1024 * 1024)
    size = sum(len(l) + 1 for l in out)
    i = 0
    keys = list(locked)
    while size < target or i < len(keys):
        key = keys[i] if i < len(keys) else f"filler-{i}@1.{i % 50}.{i % 7}"
        integrity = hashlib.sha512(key.encode()).digest().hex()[:86]
        entry = ["", f"  {q(key)}:", f"    resolution: {{integrity: sha512-{integrity}==}}",
                 "    engines: {node: '>=18'}"]
        snap = ["", f"  {q(key)}: {{}}"]
        packages += entry
        snapshots += snap
        size += sum(len(l) + 1 for l in entry + snap)
        i += 1
    with open(os.path.join(root, "pnpm-lock.yaml"), "w") as f:
        f.write("\n".join(out + packages + snapshots) + "\n")


if __name__ == "__main__":
    main()
