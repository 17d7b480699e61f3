//! Issue 19, "certainty decides the level", for imports: every shape as a row of one table
//! (files staged, files only on disk, `hookctl.toml`, the findings expected with their
//! severity), each beside its twin that must still block. Real temporary git repositories and
//! the real binary; `hookctl check --format json` on the index.

use crate::common::*;
use crate::snapshot;

const ERROR: &str = "error";
const WARNING: &str = "warning";

const UNKNOWN: &str = "imports/unknown-specifier";
const UNRESOLVED: &str = "imports/unresolved";
const UNTRACKED: &str = "imports/untracked";
const UNDECLARED: &str = "imports/undeclared-dependency";
const DRIFT: &str = "deps/lockfile-drift";
const UNREADABLE: &str = "files/unreadable";

/// One shape: the repository, and what `hookctl check` must say about it.
struct Row {
    shape: &'static str,
    /// Written and staged.
    staged: &'static [(&'static str, &'static str)],
    /// Written, not staged (untracked, or git-ignored by a staged `.gitignore`).
    disk: &'static [(&'static str, &'static str)],
    /// `hookctl.toml` (staged), if any.
    config: Option<&'static str>,
    /// (rule, severity, path, specifier or name), in any order; empty: no finding.
    expect: &'static [(&'static str, &'static str, &'static str, &'static str)],
}

const APP: (&str, &str) = (
    "package.json",
    r#"{ "name": "app", "dependencies": { "zod": "^3.0.0" } }"#,
);

const ROWS: &[Row] = &[
    // §1: a specifier no mapping matched and that cannot be a package name is a warning, once
    // per prefix and package, whatever the number of imports.
    Row {
        shape: "plugin virtual module (`~icons/*`, unplugin-icons): one warning per prefix and package",
        staged: &[
            APP,
            (
                "src/a.ts",
                "import A from \"~icons/lucide/check\";\nimport B from \"~icons/lucide/copy\";\nexport default [A, B];\n",
            ),
            (
                "src/b.ts",
                "import C from \"~icons/mdi/home\";\nexport default C;\n",
            ),
            ("admin/package.json", r#"{ "name": "admin" }"#),
            (
                "admin/c.ts",
                "import D from \"~icons/mdi/home\";\nexport default D;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNKNOWN, WARNING, "admin/c.ts", "~icons/mdi/home"),
            (UNKNOWN, WARNING, "src/a.ts", "~icons/lucide/check"),
        ],
    },
    Row {
        shape: "twin: a relative path that names nothing still blocks",
        staged: &[
            APP,
            ("src/a.ts", "import A from \"./missing\";\nexport default A;\n"),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/a.ts", "./missing")],
    },
    Row {
        shape: "`#build/*` with no package.json `imports` field (Nuxt module runtime)",
        staged: &[
            APP,
            (
                "src/runtime/a.ts",
                "import theme from \"#build/ui/button\";\nexport default theme;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNKNOWN, WARNING, "src/runtime/a.ts", "#build/ui/button")],
    },
    Row {
        shape: "twin: a `#` key the `imports` field maps, whose target is missing, blocks",
        staged: &[
            (
                "package.json",
                r##"{ "name": "app", "imports": { "#theme/*": "./src/theme/*.js" } }"##,
            ),
            (
                "src/a.ts",
                "import theme from \"#theme/button\";\nexport default theme;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/a.ts", "#theme/button")],
    },
    Row {
        shape: "an `imports` key mapping into a generated folder (nuxt/ui: `./.nuxt/ui/*.ts`) is build output",
        staged: &[
            (
                "package.json",
                r##"{ "name": "app", "imports": { "#build/ui/*": "./.nuxt/ui/*.ts" } }"##,
            ),
            (
                "src/runtime/a.ts",
                "import theme from \"#build/ui/button\";\nexport default theme;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin's twin: the mapped target present resolves",
        staged: &[
            (
                "package.json",
                r##"{ "name": "app", "imports": { "#theme/*": "./src/theme/*.js" } }"##,
            ),
            ("src/theme/button.js", "export default 1;\n"),
            (
                "src/a.ts",
                "import theme from \"#theme/button\";\nexport default theme;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "`@suite-fns`: a scope without a name is no package",
        staged: &[
            APP,
            (
                "src/a.ts",
                "import fns from \"@suite-fns\";\nexport default fns;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNKNOWN, WARNING, "src/a.ts", "@suite-fns")],
    },
    Row {
        shape: "twin: a valid package name that nothing declares blocks",
        staged: &[
            APP,
            (
                "src/a.ts",
                "import fns from \"@suite/fns\";\nimport u from \"unfonts.css\";\nexport default [fns, u];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNDECLARED, ERROR, "src/a.ts", "@suite/fns"),
            (UNDECLARED, ERROR, "src/a.ts", "unfonts.css"),
        ],
    },
    Row {
        shape: "an alias no tsconfig lists (`~/utils`, a Vite alias) is a warning",
        staged: &[
            APP,
            ("src/a.ts", "import { u } from \"~/utils\";\nexport default u;\n"),
            ("src/utils.ts", "export const u = 1;\n"),
        ],
        disk: &[],
        config: None,
        expect: &[(UNKNOWN, WARNING, "src/a.ts", "~/utils")],
    },
    Row {
        shape: "twin: the same alias in tsconfig `paths`, its target missing, blocks",
        staged: &[
            APP,
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "~/*": ["./src/*"] } } }"#,
            ),
            ("src/a.ts", "import { u } from \"~/utilz\";\nexport default u;\n"),
            ("src/utils.ts", "export const u = 1;\n"),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/a.ts", "~/utilz")],
    },
    Row {
        shape: "a target on disk but untracked blocks, whatever is uncertain (a Vite config hookctl cannot evaluate)",
        staged: &[
            APP,
            (
                "vite.config.ts",
                "import { aliases } from './build/aliases';\nexport default { resolve: { alias: aliases() } };\n",
            ),
            (
                "src/a.ts",
                "import { u } from \"./util\";\nimport I from \"~icons/x/y\";\nexport default [u, I];\n",
            ),
        ],
        disk: &[("src/util.ts", "export const u = 1;\n")],
        config: None,
        expect: &[
            (UNKNOWN, WARNING, "src/a.ts", "~icons/x/y"),
            (UNTRACKED, ERROR, "src/a.ts", "./util"),
        ],
    },
    Row {
        shape: "a target git-ignored and not generated blocks",
        staged: &[
            APP,
            (".gitignore", "src/local-config.ts\n"),
            (
                "src/a.ts",
                "import { c } from \"./local-config\";\nexport default c;\n",
            ),
        ],
        disk: &[("src/local-config.ts", "export const c = 1;\n")],
        config: None,
        expect: &[(UNTRACKED, ERROR, "src/a.ts", "./local-config")],
    },
    Row {
        shape: "the fix the warning gives (`[imports] not_files`) silences it",
        staged: &[
            APP,
            (
                "src/a.ts",
                "import A from \"~icons/lucide/check\";\nexport default A;\n",
            ),
        ],
        disk: &[],
        config: Some("[imports]\nnot_files = [\"^~icons/\"]\n"),
        expect: &[],
    },
    Row {
        shape: "configured to error, it blocks",
        staged: &[
            APP,
            (
                "src/a.ts",
                "import A from \"~icons/lucide/check\";\nexport default A;\n",
            ),
        ],
        disk: &[],
        config: Some("[rules]\n\"imports/unknown-specifier\" = \"error\"\n"),
        expect: &[(UNKNOWN, ERROR, "src/a.ts", "~icons/lucide/check")],
    },
    // §4: a tsconfig with `references` (even `[]`) and a file outside its `include`: the
    // nearest config's options apply, as in TypeScript's tooling.
    Row {
        shape: "`references: []` and a file outside `include`: its `paths` apply",
        staged: &[
            APP,
            (
                "tsconfig.json",
                r#"{ "references": [], "include": ["src"], "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            ("src/lib.ts", "export const l = 1;\n"),
            (
                "scripts/seed.ts",
                "import { l } from \"@/lib\";\nexport default l;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: through those `paths`, a missing target blocks",
        staged: &[
            APP,
            (
                "tsconfig.json",
                r#"{ "references": [], "include": ["src"], "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            ("src/lib.ts", "export const l = 1;\n"),
            (
                "scripts/seed.ts",
                "import { l } from \"@/nothing\";\nexport default l;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "scripts/seed.ts", "@/nothing")],
    },
    Row {
        shape: "`references` and `include` inherited through `extends`: the `paths` apply",
        staged: &[
            APP,
            (
                "tsconfig.base.json",
                r#"{ "references": [{ "path": "./tsconfig.node.json" }], "include": ["src"], "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
            ),
            ("tsconfig.node.json", r#"{ "include": ["vite.config.ts"] }"#),
            ("tsconfig.json", r#"{ "extends": "./tsconfig.base.json" }"#),
            ("src/lib.ts", "export const l = 1;\n"),
            (
                "scripts/seed.ts",
                "import { l } from \"@/lib\";\nimport { m } from \"@/missing\";\nexport default [l, m];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "scripts/seed.ts", "@/missing")],
    },
    // §4: a workspace folder named like a registry package is linked only where the declared
    // range accepts it.
    Row {
        shape: "`packages/dayjs` (a stub named `dayjs`) does not shadow `dayjs@^1.11.0`",
        staged: &[
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["packages/*", "apps/*"] }"#,
            ),
            (
                "packages/dayjs/package.json",
                r#"{ "name": "dayjs", "version": "0.0.0", "main": "index.js" }"#,
            ),
            (
                "apps/web/package.json",
                r#"{ "name": "web", "dependencies": { "dayjs": "^1.11.0" } }"#,
            ),
            (
                "apps/web/a.ts",
                "import dayjs from \"dayjs\";\nimport p from \"dayjs/plugin/utc\";\nexport default [dayjs, p];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: declared `workspace:*`, the stub is linked and has no entry: blocks",
        staged: &[
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["packages/*", "apps/*"] }"#,
            ),
            (
                "packages/dayjs/package.json",
                r#"{ "name": "dayjs", "version": "0.0.0", "main": "index.js" }"#,
            ),
            (
                "apps/web/package.json",
                r#"{ "name": "web", "dependencies": { "dayjs": "workspace:*" } }"#,
            ),
            (
                "apps/web/a.ts",
                "import dayjs from \"dayjs\";\nexport default dayjs;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "apps/web/a.ts", "dayjs")],
    },
    Row {
        shape: "twin: a range the stub's version satisfies links it too",
        staged: &[
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["packages/*", "apps/*"] }"#,
            ),
            (
                "packages/dayjs/package.json",
                r#"{ "name": "dayjs", "version": "0.0.0", "main": "index.js" }"#,
            ),
            (
                "apps/web/package.json",
                r#"{ "name": "web", "dependencies": { "dayjs": "^0.0.0" } }"#,
            ),
            (
                "apps/web/a.ts",
                "import dayjs from \"dayjs\";\nexport default dayjs;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "apps/web/a.ts", "dayjs")],
    },
    // §4: root-absolute specifiers are served from the app's `public/`.
    Row {
        shape: "`/vite.svg` in the app's `public/` resolves",
        staged: &[
            APP,
            ("public/vite.svg", "<svg/>\n"),
            (
                "src/main.ts",
                "import logo from \"/vite.svg\";\nexport default logo;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: one missing from `public/` blocks, one only on disk is untracked",
        staged: &[
            APP,
            ("public/vite.svg", "<svg/>\n"),
            (
                "src/main.ts",
                "import logo from \"/logo.png\";\nimport icon from \"/icon.svg\";\nexport default [logo, icon];\n",
            ),
        ],
        disk: &[("public/icon.svg", "<svg/>\n")],
        config: None,
        expect: &[
            (UNRESOLVED, ERROR, "src/main.ts", "/logo.png"),
            (UNTRACKED, ERROR, "src/main.ts", "/icon.svg"),
        ],
    },
    Row {
        shape: "twin: without a `public/` folder the server is unknown: not checked",
        staged: &[
            APP,
            (
                "src/main.ts",
                "import r from \"/custom-reporter.js\";\nexport default r;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    // §4: an alias whose target is missing is not excused by a package of the same name.
    Row {
        shape: "a `paths` alias with a missing target blocks though a package of that name is declared",
        staged: &[
            (
                "package.json",
                r#"{ "name": "app", "dependencies": { "ui": "^1.0.0" } }"#,
            ),
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "ui/*": ["./src/ui/*"] } } }"#,
            ),
            ("src/ui/button.ts", "export const b = 1;\n"),
            (
                "src/a.ts",
                "import { b } from \"ui/button\";\nimport { c } from \"ui/card\";\nexport default [b, c];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/a.ts", "ui/card")],
    },
    Row {
        shape: "twin: a catch-all `*` key falls back to declared packages, as TypeScript does",
        staged: &[
            (
                "package.json",
                r#"{ "name": "app", "dependencies": { "zod": "^3.0.0" } }"#,
            ),
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "paths": { "*": ["./src/types/*"] } } }"#,
            ),
            (
                "src/a.ts",
                "import { z } from \"zod\";\nimport { y } from \"yup\";\nexport default [z, y];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/a.ts", "yup")],
    },
    // §4: the same specifier on one line is one finding per rule.
    Row {
        shape: "one line importing the same missing file twice: one finding",
        staged: &[
            APP,
            (
                "src/a.ts",
                "import a from \"./gone\"; import b from \"./gone\";\nexport default [a, b];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/a.ts", "./gone")],
    },
    Row {
        shape: "twin: on two lines, two findings",
        staged: &[
            APP,
            (
                "src/a.ts",
                "import a from \"./gone\";\nimport b from \"./gone\";\nexport default [a, b];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNRESOLVED, ERROR, "src/a.ts", "./gone"),
            (UNRESOLVED, ERROR, "src/a.ts", "./gone"),
        ],
    },
    // §4: a JS install root below the repository root (a Go server with `web/`, its own
    // lockfile) has its lockfile checked, the advice naming the folder.
    Row {
        shape: "`web/package.json` out of its own `web/package-lock.json` blocks",
        staged: &[
            ("go.mod", "module example.com/server\n"),
            (
                "web/package.json",
                r#"{ "name": "web", "version": "1.0.0", "dependencies": { "tiny": "^2.0.0" } }"#,
            ),
            ("web/package-lock.json", NPM_LOCK),
        ],
        disk: &[],
        config: None,
        expect: &[(DRIFT, ERROR, "web/package.json", "tiny")],
    },
    Row {
        shape: "twin: in sync, silent",
        staged: &[
            ("go.mod", "module example.com/server\n"),
            (
                "web/package.json",
                r#"{ "name": "web", "version": "1.0.0", "dependencies": { "tiny": "^1.0.0" } }"#,
            ),
            ("web/package-lock.json", NPM_LOCK),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    // A types-only package declared as `@types/x` (hoppscotch's `@types/har-format`): the import
    // type-checks and is dropped when its bindings are used only as types: a warning.
    Row {
        shape: "a package whose `@types` package alone is declared",
        staged: &[
            (
                "package.json",
                r#"{ "name": "app", "devDependencies": { "@types/har-format": "1.2.16" } }"#,
            ),
            (
                "src/har.ts",
                "import * as Har from \"har-format\";\nexport type Log = Har.Log;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNDECLARED, WARNING, "src/har.ts", "har-format")],
    },
    Row {
        shape: "twin: neither the package nor its `@types` declared blocks",
        staged: &[
            APP,
            (
                "src/har.ts",
                "import * as Har from \"har-format\";\nexport type Log = Har.Log;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNDECLARED, ERROR, "src/har.ts", "har-format")],
    },
    // The extensions the bundler probes: what only the bundler's `resolve.extensions` decide is
    // a warning; a framework that certainly probes `.vue` resolves; a missing or untracked file
    // still blocks.
    Row {
        shape: "Vue CLI (`@vue/cli-service`): `./App` finds `App.vue`, `@/components/Nav` its `index.vue`, `~@/styles/x.scss` through Vue CLI's `@`",
        staged: &[
            (
                "package.json",
                r#"{ "name": "admin", "devDependencies": { "@vue/cli-service": "4.4.4" } }"#,
            ),
            ("vue.config.js", "module.exports = { publicPath: \"/\" };\n"),
            (
                "src/main.js",
                "import App from \"./App\";\nimport Nav from \"@/components/Nav\";\nexport default [App, Nav];\n",
            ),
            (
                "src/App.vue",
                "<template><div /></template>\n<style lang=\"scss\">\n@import \"~@/styles/mixin.scss\";\n</style>\n",
            ),
            ("src/components/Nav/index.vue", "<template><nav /></template>\n"),
            ("src/styles/mixin.scss", "$a: 1;\n"),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: in the same Vue CLI app, `./Gone` (no file of any extension) blocks, and `./Draft` whose `Draft.vue` is untracked blocks",
        staged: &[
            (
                "package.json",
                r#"{ "name": "admin", "devDependencies": { "@vue/cli-service": "4.4.4" } }"#,
            ),
            (
                "src/main.js",
                "import Gone from \"./Gone\";\nimport Draft from \"./Draft\";\nexport default [Gone, Draft];\n",
            ),
        ],
        disk: &[("src/Draft.vue", "<template><div /></template>\n")],
        config: None,
        expect: &[
            (UNRESOLVED, ERROR, "src/main.js", "./Gone"),
            (UNTRACKED, ERROR, "src/main.js", "./Draft"),
        ],
    },
    Row {
        shape: "Vite with no `resolve.extensions`: `./App` of `App.vue` resolves only if a plugin adds `.vue`: a warning with the fix, once per extension and package",
        staged: &[
            (
                "package.json",
                r#"{ "name": "web", "devDependencies": { "vite": "5.0.0" } }"#,
            ),
            ("vite.config.ts", "export default { plugins: [] };\n"),
            (
                "src/main.ts",
                "import App from \"./App\";\nimport Nav from \"./Nav\";\nexport default [App, Nav];\n",
            ),
            ("src/App.vue", "<template><div /></template>\n"),
            ("src/Nav.vue", "<template><nav /></template>\n"),
        ],
        disk: &[],
        config: None,
        expect: &[(UNKNOWN, WARNING, "src/main.ts", "./App")],
    },
    Row {
        shape: "twin's twin: the same app whose vite.config lists `.vue` in `resolve.extensions` resolves",
        staged: &[
            (
                "package.json",
                r#"{ "name": "web", "devDependencies": { "vite": "5.0.0" } }"#,
            ),
            (
                "vite.config.ts",
                "export default { resolve: { extensions: [\".mjs\", \".js\", \".ts\", \".vue\"] } };\n",
            ),
            (
                "src/main.ts",
                "import App from \"./App\";\nimport Nav from \"./Nav\";\nexport default [App, Nav];\n",
            ),
            ("src/App.vue", "<template><div /></template>\n"),
            ("src/Nav.vue", "<template><nav /></template>\n"),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "React Native: `./Button` of `Button.native.tsx` resolves (Metro probes `.native.*`); `./Map` of `Map.ios.tsx` alone is a warning (an Android build lacks it)",
        staged: &[
            (
                "package.json",
                r#"{ "name": "mobile", "dependencies": { "react-native": "0.76.0" } }"#,
            ),
            (
                "src/App.tsx",
                "import Button from \"./Button\";\nimport Map from \"./Map\";\nexport default [Button, Map];\n",
            ),
            ("src/Button.native.tsx", "export default 1;\n"),
            ("src/Map.ios.tsx", "export default 2;\n"),
        ],
        disk: &[],
        config: None,
        expect: &[(UNKNOWN, WARNING, "src/App.tsx", "./Map")],
    },
    Row {
        shape: "next.config.js requires `webpack`, which Next.js serves to its config (react.dev); the same import in app code (twin) stays undeclared",
        staged: &[
            (
                "package.json",
                r#"{ "name": "site", "dependencies": { "next": "15.0.0" } }"#,
            ),
            (
                "next.config.js",
                "module.exports = { webpack: (config) => { const { IgnorePlugin } = require(\"webpack\"); config.resolve.alias[\"esquery\"] = \"esquery/dist/esquery.min.js\"; return config; } };\n",
            ),
            (
                "src/a.ts",
                "import webpack from \"webpack\";\nexport default webpack;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNDECLARED, ERROR, "src/a.ts", "webpack")],
    },
    // A file every importer loads as text (react.dev's Sandpack sandbox files) is data for the
    // bundler: its imports are warnings.
    Row {
        shape: "a file loaded only through `!raw-loader?esModule=false!` (react.dev's `rsc-client.js`): its imports are warnings",
        staged: &[TEXT_SITE, TEXT_TEMPLATE, TEXT_CLIENT],
        disk: &[],
        config: None,
        expect: &[
            (UNRESOLVED, WARNING, "src/sandbox/client.js", "./__shim__"),
            (
                UNDECLARED,
                WARNING,
                "src/sandbox/client.js",
                "react-refresh/runtime",
            ),
        ],
    },
    Row {
        shape: "twin: the same file also imported as code blocks",
        staged: &[
            TEXT_SITE,
            TEXT_TEMPLATE,
            TEXT_CLIENT,
            ("src/boot.ts", "import './sandbox/client.js';\n"),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNRESOLVED, ERROR, "src/sandbox/client.js", "./__shim__"),
            (
                UNDECLARED,
                ERROR,
                "src/sandbox/client.js",
                "react-refresh/runtime",
            ),
        ],
    },
    Row {
        shape: "twin: the same file imported by nothing (an entry point) blocks",
        staged: &[TEXT_SITE, TEXT_CLIENT],
        disk: &[],
        config: None,
        expect: &[
            (UNRESOLVED, ERROR, "src/sandbox/client.js", "./__shim__"),
            (
                UNDECLARED,
                ERROR,
                "src/sandbox/client.js",
                "react-refresh/runtime",
            ),
        ],
    },
    Row {
        shape: "twin: in a text-loaded file, a target on disk that is not committed still blocks",
        staged: &[TEXT_SITE, TEXT_TEMPLATE, TEXT_CLIENT],
        disk: &[("src/sandbox/__shim__.js", "export {};\n")],
        config: None,
        expect: &[
            (UNTRACKED, ERROR, "src/sandbox/client.js", "./__shim__"),
            (
                UNDECLARED,
                WARNING,
                "src/sandbox/client.js",
                "react-refresh/runtime",
            ),
        ],
    },
    Row {
        shape: "Vite `?raw` and `?url`, and `-!file-loader!`: each a text form",
        staged: &[
            TEXT_SITE,
            (
                "src/docs.ts",
                "import a from './snippets/a.ts?raw';\nimport b from './snippets/b.js?url';\nconst c = require('-!file-loader!./snippets/c.js');\nexport default [a, b, c];\n",
            ),
            (
                "src/snippets/a.ts",
                "import { x } from './gone';\nexport default x;\n",
            ),
            ("src/snippets/b.js", "import './gone';\n"),
            ("src/snippets/c.js", "import './gone';\n"),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNRESOLVED, WARNING, "src/snippets/a.ts", "./gone"),
            (UNRESOLVED, WARNING, "src/snippets/b.js", "./gone"),
            (UNRESOLVED, WARNING, "src/snippets/c.js", "./gone"),
        ],
    },
    Row {
        shape: "twin: forms that load code block: Vite `?worker&url` and `?inline`, a `!babel-loader!` chain, Parcel `bundle-text:` (Parcel bundles the file first)",
        staged: &[
            TEXT_SITE,
            (
                "src/docs.ts",
                "import a from './snippets/a.ts?worker&url';\nimport b from './snippets/b.js?inline';\nconst c = require('!raw-loader!babel-loader!./snippets/c.js');\nimport d from 'bundle-text:./snippets/d.js';\nexport default [a, b, c, d];\n",
            ),
            (
                "src/snippets/a.ts",
                "import { x } from './gone';\nexport default x;\n",
            ),
            ("src/snippets/b.js", "import './gone';\n"),
            ("src/snippets/c.js", "import './gone';\n"),
            ("src/snippets/d.js", "import './gone';\n"),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNRESOLVED, ERROR, "src/snippets/a.ts", "./gone"),
            (UNRESOLVED, ERROR, "src/snippets/b.js", "./gone"),
            (UNRESOLVED, ERROR, "src/snippets/c.js", "./gone"),
            (UNRESOLVED, ERROR, "src/snippets/d.js", "./gone"),
        ],
    },
    // An extensionless import beside one file of an extension no list names: the bundler may
    // probe it.
    Row {
        shape: "Ember `.gts`/`.gjs`, Marko `.marko`, mdsvex `.svx`: `./Card` of the only `Card.gts` is a warning, once per extension and package",
        staged: &[
            APP,
            (
                "src/main.ts",
                "import Card from \"./Card\";\nimport Row from \"./Row\";\nimport List from \"./List\";\nimport Nav from \"./Nav\";\nimport post from \"./post\";\nexport default [Card, Row, List, Nav, post];\n",
            ),
            ("src/Card.gts", "<template>card</template>\n"),
            ("src/Row.gts", "<template>row</template>\n"),
            ("src/List.gjs", "<template>list</template>\n"),
            ("src/Nav.marko", "<nav/>\n"),
            ("src/post.svx", "# post\n"),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNKNOWN, WARNING, "src/main.ts", "./Card"),
            (UNKNOWN, WARNING, "src/main.ts", "./List"),
            (UNKNOWN, WARNING, "src/main.ts", "./Nav"),
            (UNKNOWN, WARNING, "src/main.ts", "./post"),
        ],
    },
    Row {
        shape: "twin: a deleted `card.ts` beside a committed `card.css`, `form.module.css`, `list.test.ts`, `nav.md` blocks",
        staged: &[
            APP,
            (
                "src/main.ts",
                "import card from \"./card\";\nimport form from \"./form\";\nimport list from \"./list\";\nimport nav from \"./nav\";\nexport default [card, form, list, nav];\n",
            ),
            ("src/card.css", ".card {}\n"),
            ("src/form.module.css", ".form {}\n"),
            ("src/list.test.ts", "export {};\n"),
            ("src/nav.md", "# nav\n"),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNRESOLVED, ERROR, "src/main.ts", "./card"),
            (UNRESOLVED, ERROR, "src/main.ts", "./form"),
            (UNRESOLVED, ERROR, "src/main.ts", "./list"),
            (UNRESOLVED, ERROR, "src/main.ts", "./nav"),
        ],
    },
    Row {
        shape: "twin: `Card.gts` only on disk is untracked and blocks",
        staged: &[
            APP,
            (
                "src/main.ts",
                "import Card from \"./Card\";\nexport default Card;\n",
            ),
        ],
        disk: &[("src/Card.gts", "<template>card</template>\n")],
        config: None,
        expect: &[(UNTRACKED, ERROR, "src/main.ts", "./Card")],
    },
    Row {
        shape: "twin's twin: a vite.config whose `resolve.extensions` lists `.gts` resolves `./Card`",
        staged: &[
            (
                "package.json",
                r#"{ "name": "web", "devDependencies": { "vite": "5.0.0" } }"#,
            ),
            (
                "vite.config.ts",
                "export default { resolve: { extensions: [\".mjs\", \".js\", \".ts\", \".gts\"] } };\n",
            ),
            (
                "src/main.ts",
                "import Card from \"./Card\";\nexport default Card;\n",
            ),
            ("src/Card.gts", "<template>card</template>\n"),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    // h19b: yarn 2 and 3 (lockfile v4-v6) record a workspace's `npm:` ranges without the
    // protocol (`tiny: ^1.0.0`); yarn 4 writes `npm:^1.0.0` (RedwoodJS apps pin yarn 3).
    Row {
        shape: "yarn 3 lockfile (v6) records `tiny: ^1.0.0` for `^1.0.0`: in sync",
        staged: &[
            (
                "package.json",
                r#"{ "name": "app", "packageManager": "yarn@3.8.7", "dependencies": { "tiny": "^1.0.0" } }"#,
            ),
            ("yarn.lock", YARN3_LOCK),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: the same lockfile for `tiny@^2.0.0` blocks",
        staged: &[
            (
                "package.json",
                r#"{ "name": "app", "packageManager": "yarn@3.8.7", "dependencies": { "tiny": "^2.0.0" } }"#,
            ),
            ("yarn.lock", YARN3_LOCK),
        ],
        disk: &[],
        config: None,
        expect: &[(DRIFT, ERROR, "package.json", "tiny")],
    },
    // h19b: a path the repository git-ignores and the snapshot lacks is written by a tool: a
    // tsconfig base (`wxt prepare` writes `.wxt/tsconfig.json` on install), a workspace
    // package's build output in a folder hookctl does not list (Tauri plugins' `dist-js/`).
    Row {
        shape: "tsconfig `extends: ./.wxt/tsconfig.json`, `.wxt` git-ignored (WXT): not a broken `extends`",
        staged: &[
            APP,
            (".gitignore", "node_modules\n.wxt\n"),
            ("tsconfig.json", r#"{ "extends": "./.wxt/tsconfig.json" }"#),
            ("src/a.ts", "export default 1;\n"),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: the same base, not ignored, is a broken `extends`",
        staged: &[
            APP,
            (".gitignore", "node_modules\n"),
            ("tsconfig.json", r#"{ "extends": "./.wxt/tsconfig.json" }"#),
            ("src/a.ts", "export default 1;\n"),
        ],
        disk: &[],
        config: None,
        expect: &[(UNREADABLE, ERROR, "tsconfig.json", "")],
    },
    Row {
        shape: "workspace package whose `main` is in git-ignored `dist-js/` (Tauri plugins): build output",
        staged: &[
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["plugins/*", "app"] }"#,
            ),
            (".gitignore", "node_modules/\ndist-js/\n"),
            (
                "plugins/shell/package.json",
                r#"{ "name": "@x/plugin-shell", "version": "2.0.1", "main": "./dist-js/index.js", "types": "./dist-js/index.d.ts" }"#,
            ),
            ("plugins/shell/guest-js/index.ts", "export const run = 1;\n"),
            (
                "app/package.json",
                r#"{ "name": "app", "dependencies": { "@x/plugin-shell": "2.0.1" } }"#,
            ),
            (
                "app/src/a.ts",
                "import { run } from \"@x/plugin-shell\";\nexport default run;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: the same `dist-js/` not ignored is a missing entry point",
        staged: &[
            (
                "package.json",
                r#"{ "name": "root", "private": true, "workspaces": ["plugins/*", "app"] }"#,
            ),
            (".gitignore", "node_modules/\n"),
            (
                "plugins/shell/package.json",
                r#"{ "name": "@x/plugin-shell", "version": "2.0.1", "main": "./dist-js/index.js", "types": "./dist-js/index.d.ts" }"#,
            ),
            ("plugins/shell/guest-js/index.ts", "export const run = 1;\n"),
            (
                "app/package.json",
                r#"{ "name": "app", "dependencies": { "@x/plugin-shell": "2.0.1" } }"#,
            ),
            (
                "app/src/a.ts",
                "import { run } from \"@x/plugin-shell\";\nexport default run;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "app/src/a.ts", "@x/plugin-shell")],
    },
    // h19b: what an Rspack config tells the bundler (read as webpack): `resolve.alias` (Preact's
    // `react` -> `preact/compat`), Module Federation `remotes` and a `DllReferencePlugin` scope,
    // in a `plugins` list ending in `.filter(Boolean)` (rspack-examples).
    Row {
        shape: "rspack.config.js: alias, Module Federation remote and DLL scope resolve",
        staged: &[
            (
                "package.json",
                r#"{ "name": "host", "dependencies": { "preact": "10.0.0" }, "devDependencies": { "@rspack/core": "1.2.6" } }"#,
            ),
            (
                "rspack.config.js",
                "const path = require('node:path');\nconst { rspack } = require('@rspack/core');\nconst dev = process.env.NODE_ENV === 'development';\nmodule.exports = {\n  resolve: { alias: { react: 'preact/compat' } },\n  plugins: [\n    new rspack.container.ModuleFederationPluginV1({ name: 'app', remotes: { 'mfe-b': 'mfeB@http://localhost:8081/mfeB.js' } }),\n    new rspack.DllReferencePlugin({ manifest: path.resolve(__dirname, 'dll/beta.manifest.json'), scope: 'beta' }),\n    dev && new rspack.HotModuleReplacementPlugin(),\n  ].filter(Boolean),\n};\n",
            ),
            (
                "src/App.js",
                "import React from 'react';\nimport Remote from 'mfe-b/Component';\nimport b from 'beta/b';\nexport default [React, Remote, b];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: the same imports without that config are undeclared packages",
        staged: &[
            (
                "package.json",
                r#"{ "name": "host", "dependencies": { "preact": "10.0.0" }, "devDependencies": { "@rspack/core": "1.2.6" } }"#,
            ),
            (
                "rspack.config.js",
                "module.exports = { entry: './src/App.js' };\n",
            ),
            (
                "src/App.js",
                "import React from 'react';\nimport Remote from 'mfe-b/Component';\nimport b from 'beta/b';\nexport default [React, Remote, b];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNDECLARED, ERROR, "src/App.js", "beta/b"),
            (UNDECLARED, ERROR, "src/App.js", "mfe-b/Component"),
            (UNDECLARED, ERROR, "src/App.js", "react"),
        ],
    },
    Row {
        shape: "rsbuild.config.ts whose Module Federation options are imported: a remote's module is a warning",
        staged: &[
            (
                "package.json",
                r#"{ "name": "host", "devDependencies": { "@rsbuild/core": "1.2.13" } }"#,
            ),
            (
                "rsbuild.config.ts",
                "import { defineConfig } from '@rsbuild/core';\nimport { mfConfig } from './module-federation.config';\nexport default defineConfig({ moduleFederation: { options: mfConfig } });\n",
            ),
            (
                "module-federation.config.ts",
                "export const mfConfig = { name: 'host', remotes: { remote: 'remote@http://localhost:3002/remoteEntry.js' } };\n",
            ),
            (
                "src/App.js",
                "import Button from 'remote/Button';\nexport default Button;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNKNOWN, WARNING, "src/App.js", "remote/Button")],
    },
    Row {
        shape: "twin: an rsbuild.config.ts without Module Federation: undeclared",
        staged: &[
            (
                "package.json",
                r#"{ "name": "host", "devDependencies": { "@rsbuild/core": "1.2.13" } }"#,
            ),
            (
                "rsbuild.config.ts",
                "import { defineConfig } from '@rsbuild/core';\nexport default defineConfig({ server: { port: 3000 } });\n",
            ),
            (
                "src/App.js",
                "import Button from 'remote/Button';\nexport default Button;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNDECLARED, ERROR, "src/App.js", "remote/Button")],
    },
    // h19b: tsup (like Vite) bundles its config with esbuild before running it: an extensionless
    // import there is fine in an ESM package under `nodenext` (Hydrogen's CLI `tsup.config.ts`).
    Row {
        shape: "tsup.config.ts in a `type: module` package under nodenext imports `./src/lib/process`",
        staged: &[
            (
                "package.json",
                r#"{ "name": "cli", "type": "module", "devDependencies": { "tsup": "8.0.0" } }"#,
            ),
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext" }, "include": ["src"] }"#,
            ),
            (
                "tsup.config.ts",
                "import { defineConfig } from 'tsup';\nimport { run } from './src/lib/process';\nexport default defineConfig({ onSuccess: run });\n",
            ),
            ("src/lib/process.ts", "export const run = async () => {};\n"),
        ],
        disk: &[],
        config: None,
        expect: &[],
    },
    Row {
        shape: "twin: the same import in the package's code needs the extension",
        staged: &[
            (
                "package.json",
                r#"{ "name": "cli", "type": "module", "devDependencies": { "tsup": "8.0.0" } }"#,
            ),
            (
                "tsconfig.json",
                r#"{ "compilerOptions": { "module": "NodeNext", "moduleResolution": "NodeNext" }, "include": ["src"] }"#,
            ),
            (
                "src/index.ts",
                "import { run } from './lib/process';\nexport default run;\n",
            ),
            ("src/lib/process.ts", "export const run = async () => {};\n"),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/index.ts", "./lib/process")],
    },
    // h19c: a declaration file never reaches the bundler; only a type check reads it, and
    // `skipLibCheck` skips it (astrowind's `declare module 'astrowind:config'` importing `./config`).
    Row {
        shape: "imports in a `.d.ts` (ambient module, top level): uncertain",
        staged: &[
            APP,
            (
                "src/types.d.ts",
                "declare module 'astrowind:config' {\n  import type { Config } from './config';\n  export const SITE: Config;\n}\n",
            ),
            (
                "src/env.d.mts",
                "import type { Options } from 'some-types';\nexport declare const options: Options;\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNDECLARED, WARNING, "src/env.d.mts", "some-types"),
            (UNRESOLVED, WARNING, "src/types.d.ts", "./config"),
        ],
    },
    Row {
        shape: "twin: a `.d.ts` import of a file on disk but untracked still blocks",
        staged: &[
            APP,
            (
                "src/types.d.ts",
                "declare module 'astrowind:config' {\n  import type { Config } from './config';\n  export const SITE: Config;\n}\n",
            ),
        ],
        disk: &[("src/config.ts", "export type Config = { name: string };\n")],
        config: None,
        expect: &[(UNTRACKED, ERROR, "src/types.d.ts", "./config")],
    },
    Row {
        shape: "twin: a `.d.ts` under a tsconfig (through `extends`) that sets `skipLibCheck: false` blocks",
        staged: &[
            APP,
            (
                "tsconfig.base.json",
                r#"{ "compilerOptions": { "strict": true, "skipLibCheck": false } }"#,
            ),
            (
                "tsconfig.json",
                r#"{ "extends": "./tsconfig.base.json", "include": ["src"] }"#,
            ),
            (
                "src/types.d.ts",
                "declare module 'astrowind:config' {\n  import type { Config } from './config';\n  export const SITE: Config;\n}\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[(UNRESOLVED, ERROR, "src/types.d.ts", "./config")],
    },
    // h19c: a module loaded inside a `try` block is optional: the code handles its absence
    // (Hydrogen's `require.resolve('@remix-run/v1-route-convention/package.json')` probe), and
    // webpack marks such a dependency optional.
    Row {
        shape: "require.resolve / require / import() inside a `try` block: uncertain",
        staged: &[
            APP,
            (
                "src/probe.js",
                "export function has() {\n  try {\n    require.resolve('optional-pkg/package.json');\n    return true;\n  } catch {\n    return false;\n  }\n}\ntry { require('other-opt'); } catch {}\nexport async function plugin() {\n  try {\n    return await import('./plugin');\n  } catch {\n    return null;\n  }\n}\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNDECLARED, WARNING, "src/probe.js", "optional-pkg/package.json"),
            (UNDECLARED, WARNING, "src/probe.js", "other-opt"),
            (UNRESOLVED, WARNING, "src/probe.js", "./plugin"),
        ],
    },
    Row {
        shape: "twin: a static import, a require in `catch`/`finally`, or in a function declared in a `try` block",
        staged: &[
            APP,
            (
                "src/probe.js",
                "import x from 'static-pkg';\ntry {\n  var load = () => require('lazy-pkg');\n} catch {\n  require('fallback-pkg');\n} finally {\n  require('./final');\n}\nexport default [x, load];\n",
            ),
        ],
        disk: &[],
        config: None,
        expect: &[
            (UNDECLARED, ERROR, "src/probe.js", "fallback-pkg"),
            (UNDECLARED, ERROR, "src/probe.js", "lazy-pkg"),
            (UNDECLARED, ERROR, "src/probe.js", "static-pkg"),
            (UNRESOLVED, ERROR, "src/probe.js", "./final"),
        ],
    },
];

/// A site whose template loads a sandbox's files as strings (react.dev's `templateRSC.ts`).
const TEXT_SITE: (&str, &str) = (
    "package.json",
    r#"{ "name": "site", "devDependencies": { "raw-loader": "4.0.2" } }"#,
);
const TEXT_TEMPLATE: (&str, &str) = (
    "src/template.ts",
    "export const files = {\n  client: require('!raw-loader?esModule=false!./sandbox/client.js') as string,\n};\n",
);
const TEXT_CLIENT: (&str, &str) = (
    "src/sandbox/client.js",
    "import './__shim__';\nimport { refresh } from 'react-refresh/runtime';\nexport default refresh;\n",
);

/// A yarn 3 lockfile (v6): the root workspace's dependency range without `npm:`.
const YARN3_LOCK: &str = r#"# This file is generated by running "yarn install" inside your project.
# Manual changes might be lost - proceed with caution!

__metadata:
  version: 6
  cacheKey: 8c0

"app@workspace:.":
  version: 0.0.0-use.local
  resolution: "app@workspace:."
  dependencies:
    tiny: ^1.0.0
  languageName: unknown
  linkType: soft

"tiny@npm:^1.0.0":
  version: 1.2.0
  resolution: "tiny@npm:1.2.0"
  checksum: 0000
  languageName: node
  linkType: hard
"#;

/// An npm v3 lockfile locking `tiny` at 1.2.0 for the package in its folder.
const NPM_LOCK: &str = r#"{
  "name": "web",
  "version": "1.0.0",
  "lockfileVersion": 3,
  "requires": true,
  "packages": {
    "": { "name": "web", "version": "1.0.0", "dependencies": { "tiny": "^1.0.0" } },
    "node_modules/tiny": { "version": "1.2.0" }
  }
}
"#;

fn build(row: &Row) -> Repo {
    let r = Repo::new();
    for (path, text) in row.staged {
        r.write(path, text);
    }
    if let Some(config) = row.config {
        r.write("hookctl.toml", config);
    }
    r.git(&["add", "-A"]).ok();
    for (path, text) in row.disk {
        r.write(path, text);
    }
    r
}

/// (rule, severity, path, specifier or name) of every finding, sorted; asserts the exit code
/// is 1 exactly when one is an error.
fn findings(r: &Repo) -> Vec<(String, String, String, String)> {
    let run = r.hookctl(&["check", "--format", "json"]);
    let json = run.json();
    let list = json["findings"].as_array().unwrap();
    let blocking = list.iter().any(|f| f["severity"] == ERROR);
    assert_eq!(run.code, i32::from(blocking), "exit code\n{}", run.all());
    let mut out: Vec<_> = list
        .iter()
        .map(|f| {
            let what = f.get("specifier").or(f.get("name")).and_then(|v| v.as_str());
            let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
            (
                s("rule"),
                s("severity"),
                s("path"),
                what.unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn each_shape_has_the_level_its_certainty_gives() {
    let mut failures = Vec::new();
    for row in ROWS {
        let r = build(row);
        let got = findings(&r);
        let mut want: Vec<_> = row
            .expect
            .iter()
            .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
            .collect();
        want.sort();
        if got != want {
            failures.push(format!("{}\n  want {want:?}\n  got  {got:?}", row.shape));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What a user sees: one warning for a prefix's imports in a package, with the count and the
/// fix; the summary counts errors and warnings apart, and warnings alone do not block.
#[test]
fn unknown_specifier_warning_as_shown() {
    let r = build(&ROWS[0]);
    let run = r.hookctl(&["check"]);
    run.code(0);
    snapshot!(r, "certainty_unknown_specifier_human", run.stdout);
}

#[test]
fn the_summary_counts_blocking_findings_and_warnings_apart() {
    let r = Repo::new();
    r.write(APP.0, APP.1);
    let icons: String = (0..40)
        .map(|i| format!("import I{i} from \"~icons/set{}/icon{i}\";\n", i % 3))
        .collect();
    r.write("src/icons.ts", icons);
    r.write("admin/package.json", r#"{ "name": "admin" }"#);
    r.write(
        "admin/a.ts",
        "import A from \"~icons/a/b\";\nimport B from \"#app\";\n",
    );
    r.git(&["add", "-A"]).ok();
    let warnings_only = r.hookctl(&["check"]);
    warnings_only
        .code(0)
        .contains("hookctl: 2 files checked, 0 errors, 3 warnings");
    let json = r.hookctl(&["check", "--format", "json"]).json();
    assert_eq!(
        (
            json["summary"]["errors"].as_u64(),
            json["summary"]["warnings"].as_u64()
        ),
        (Some(0), Some(3))
    );
    // Two blocking findings beside them: they, not the warnings, set the exit code.
    r.write(
        "src/broken.ts",
        "import a from \"./gone\";\nimport z from \"left-pad\";\n",
    );
    r.git(&["add", "-A"]).ok();
    r.hookctl(&["check"])
        .code(1)
        .contains("hookctl: 3 files checked, 2 errors, 3 warnings");
    // A hook blocks on the errors only: fixed, the commit goes through with the warnings.
    r.write("src/broken.ts", "export {};\n");
    r.git(&["add", "-A"]).ok();
    r.install_shim("pre-commit");
    let commit = r.commit(&["-q", "-m", "icons"]);
    commit.ok();
}
