#!/usr/bin/env python3
"""Compare `hookctl check --all-findings --format json` on a gen.py corpus with its manifest.

Usage: recall.py MANIFEST HOOKCTL_JSON [--kinds imports|env|all]
Prints found/missed/extra per kind; exit 0 only when every planted defect of the selected kinds
is found at its file, line and specifier/name, and nothing else is reported.
"""
import json
import sys

RULE = {
    "import-untracked": "imports/untracked",
    "import-deleted-from-index": "imports/untracked",
    "import-case-mismatch": "imports/case-mismatch",
    "undeclared-package": "imports/undeclared-dependency",
    "env-missing-from-example": "env/undeclared",
}
GROUP = {"imports": ("imports/", "files/"), "env": ("env/", "secrets/"), "all": ("",)}


def key_of_planted(f):
    rule = RULE[f["kind"]]
    path = f.get("importer") or f["file"]
    what = f.get("specifier") or f.get("var")
    return (rule, path, f["line"], what)


def key_of_found(f):
    what = f.get("specifier") or f.get("name")
    if f["rule"] == "env/undeclared":
        what = f.get("name")
    return (f["rule"], f["path"], f["line"], what)


def main():
    manifest, found_file = sys.argv[1], sys.argv[2]
    kinds = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--kinds" else "all"
    prefixes = GROUP[kinds]
    planted = {key_of_planted(f) for f in json.load(open(manifest))["findings"]}
    planted = {k for k in planted if k[0].startswith(prefixes)}
    found = {key_of_found(f) for f in json.load(open(found_file))["findings"]}
    found = {k for k in found if k[0].startswith(prefixes)}
    missed = sorted(planted - found)
    extra = sorted(found - planted)
    print(f"planted {len(planted)}, found {len(planted & found)}, missed {len(missed)}, extra {len(extra)}")
    for k in missed[:20]:
        print("  missed:", k)
    for k in extra[:20]:
        print("  extra: ", k)
    sys.exit(0 if not missed and not extra else 1)


if __name__ == "__main__":
    main()
