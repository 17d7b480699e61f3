#!/usr/bin/env python3
"""Add stylesheets to a gen.py corpus, for bench/css.sh: N files (half `.scss`, half `.css`,
a few `.sass` and `.less`) spread over the corpus's apps, importing each other (`@use`,
`@forward`, `@import`, Sass partials and `_index.scss` folders, plain `@import url()`), fonts
and images (`url()`), with comments, remote/`data:`/fragment URLs and interpolation that must be
skipped. Every import resolves: the corpus's findings do not change. Deterministic.

usage: bench/gen-css.py CORPUS [--files 2000] [--commit]
"""

import argparse
import os
import subprocess

PER_FOLDER = 40


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    mode = "wb" if isinstance(text, bytes) else "w"
    with open(path, mode) as f:
        f.write(text)


def apps(root):
    found = []
    for top in ("apps", "packages"):
        d = os.path.join(root, top)
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if os.path.isfile(os.path.join(d, name, "package.json")):
                    found.append(f"{top}/{name}")
    return found[:8] or [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--commit", action="store_true")
    a = ap.parse_args()
    root = a.corpus
    targets = apps(root)
    per_app = max(1, a.files // len(targets))
    written = 0
    for app in targets:
        base = f"{app}/src/styles" if app else "src/styles"
        for k in range(8):
            write(root, f"{base}/fonts/face-{k}.woff2", bytes([k]) * 64)
            write(root, f"{base}/img/pic-{k}.png", bytes([0x89, 0x50, 0x4E, 0x47, k]))
        n_scss = per_app // 2
        n_css = per_app - n_scss
        for i in range(n_scss):
            folder = f"{base}/p{i // PER_FOLDER}"
            deps = []
            if i % PER_FOLDER:
                deps.append(f"@use 'partial-{i - 1}' as prev;")
            if i >= PER_FOLDER:
                deps.append(f"@use '../p{i // PER_FOLDER - 1}' as up;")
            deps.append("@use 'sass:math';")
            text = "\n".join(
                [
                    f"// partial {i}: @import 'not-an-import';",
                    *deps,
                    f"/* block comment with url(missing-{i}.png) */",
                    f".c{i} {{",
                    f"  .inner {{ background: url(../img/pic-{i % 8}.png) no-repeat; }}",
                    f"  width: math.div({i}, 3) * 1px;",
                    f"  background-image: url(\"#{{$root}}/x-{i}.png\"), url(data:image/png;base64,AAAA);",
                    f"  filter: url(#shadow-{i});",
                    "}",
                    "",
                ]
            )
            write(root, f"{folder}/_partial-{i}.scss", text)
            written += 1
            if i % PER_FOLDER == PER_FOLDER - 1 or i == n_scss - 1:
                first = i - i % PER_FOLDER
                fwd = "\n".join(f"@forward 'partial-{j}' as p{j}-*;" for j in range(first, i + 1))
                write(root, f"{folder}/_index.scss", fwd + "\n")
                written += 1
        for i in range(n_css):
            rel = f"{base}/css/c{i}.css"
            imports = []
            if i:
                imports.append(f'@import "./c{i - 1}.css" layer(l{i});')
            if i > 1:
                imports.append(f"@import url(c{i // 2}.css) screen and (min-width: {i}px);")
            imports.append('@import url("https://fonts.googleapis.com/css2?family=Inter");')
            text = "\n".join(
                [
                    *imports,
                    "@font-face {",
                    f"  font-family: F{i};",
                    f'  src: url("../fonts/face-{i % 8}.woff2") format("woff2"), local("F{i}");',
                    "}",
                    f".k{i} {{ background: url(../img/pic-{i % 8}.png), url(//cdn.example.com/{i}.png); }}",
                    f'.q{i}::after {{ content: "url(not-{i}.png) @import nothing"; }}',
                    "",
                ]
            )
            write(root, rel, text)
            written += 1
        write(
            root,
            f"{base}/legacy.sass",
            "@use 'p0'\n@import p0/partial-0\n.a\n  background: url(img/pic-1.png)\n",
        )
        write(root, f"{base}/theme.less", '@import (reference) "css/c0.css";\n.a { background: url("img/pic-2.png"); }\n')
        written += 2
    if a.commit:
        subprocess.run(["git", "-C", root, "add", "-A"], check=True)
        subprocess.run(
            ["git", "-C", root, "-c", "user.name=bench", "-c", "user.email=bench@example.com",
             "commit", "-q", "-m", f"{written} stylesheets"],
            check=True,
        )
    print(written)


if __name__ == "__main__":
    main()
