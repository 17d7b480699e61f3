//! Issue 19 for env: a finding blocks only when the deploy certainly breaks. Each row is a
//! shape of real code (most from the real-repo corpus) with its valid twin: the same read where
//! unset does break stays an error. Every row is a real repository checked by the real binary.

use crate::common::*;

/// The env findings of a repository holding `files` (plus a package.json and a root
/// `.env.example` declaring `DECLARED`): `(rule, path, name, severity)`.
fn env_findings(files: &[(&str, &str)]) -> Vec<(String, String, String, String)> {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app","private":true}"#);
    r.write(".env.example", "DECLARED=\n");
    for (path, text) in files {
        r.write(path, text);
    }
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check", "--format", "json"]);
    let json = run.json();
    let list = json["findings"].as_array().unwrap().clone();
    assert_eq!(
        run.code == 1,
        list.iter().any(|f| f["severity"] == "error"),
        "exit code vs findings\n{}",
        run.all()
    );
    list.iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap_or("");
            rule.starts_with("env/") || rule.starts_with("secrets/")
        })
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("rule"), s("path"), s("name"), s("severity"))
        })
        .collect()
}

fn undeclared(path: &str, name: &str, severity: &str) -> (String, String, String, String) {
    (
        "env/undeclared".to_string(),
        path.to_string(),
        name.to_string(),
        severity.to_string(),
    )
}

/// One row: a name, the files, and the `env/undeclared` findings expected (at `src/app.ts`
/// unless the row writes elsewhere).
struct Row {
    shape: &'static str,
    files: &'static [(&'static str, &'static str)],
    want: &'static [(&'static str, &'static str, &'static str)],
}

const APP: &str = "src/app.ts";

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // ---- the rule's point: a plain read declared nowhere is an error ----
    Row { shape: "plain read", files: &[(APP, "export const r = fetch(process.env.API_URL);\n")],
        want: &[(APP, "API_URL", "error")] },
    Row { shape: "declared", files: &[(APP, "export const r = fetch(process.env.DECLARED);\n")],
        want: &[] },
    // ---- literal fallbacks ----
    Row { shape: "?? fallback", files: &[(APP, "export const m = process.env.MAINTENANCE_MESSAGE ?? \"We'll be back soon\";\n")],
        want: &[(APP, "MAINTENANCE_MESSAGE", "warning")] },
    Row { shape: "|| fallback", files: &[(APP, "export const p = process.env.PORT_X || 3000;\n")],
        want: &[(APP, "PORT_X", "warning")] },
    Row { shape: "cast then ||", files: &[(APP, "export const p = (process.env.REGION as string) || 'eu';\n")],
        want: &[(APP, "REGION", "warning")] },
    Row { shape: "Number() ||", files: &[(APP, "export const l = Number(process.env.RATE_LIMIT) || 1000;\n")],
        want: &[(APP, "RATE_LIMIT", "warning")] },
    Row { shape: "destructuring default", files: &[(APP, "const { REGION = 'eu' } = process.env;\nexport { REGION };\n")],
        want: &[(APP, "REGION", "warning")] },
    Row { shape: "fallback that throws (twin)", files: &[(APP, "export const s = process.env.SECRET ?? throwMissing('SECRET');\n")],
        want: &[(APP, "SECRET", "error")] },
    // ---- typeof / in ----
    Row { shape: "typeof guard", files: &[(APP, "export const on = typeof process.env.NATIVE === 'string';\n")],
        want: &[(APP, "NATIVE", "warning")] },
    Row { shape: "in guard", files: &[(APP, "export const v = 'OPT' in process.env ? process.env.OPT : 'd';\n")],
        want: &[(APP, "OPT", "warning")] },
    // ---- flag tests: unset means off ----
    Row { shape: "=== 'x'", files: &[(APP, "export const on = process.env.DEBUG_PERF === 'true';\n")],
        want: &[(APP, "DEBUG_PERF", "warning")] },
    Row { shape: "!== 'x'", files: &[(APP, "export const dev = process.env.STAGE !== 'production';\n")],
        want: &[(APP, "STAGE", "warning")] },
    Row { shape: "if (X)", files: &[(APP, "if (process.env.CLOUD_MODE) { console.log('cloud'); }\n")],
        want: &[(APP, "CLOUD_MODE", "warning")] },
    Row { shape: "!X", files: &[(APP, "export const off = !process.env.TELEMETRY;\n")],
        want: &[(APP, "TELEMETRY", "warning")] },
    Row { shape: "!!X", files: &[(APP, "export const on = !!process.env.PRIVATE_MODE;\n")],
        want: &[(APP, "PRIVATE_MODE", "warning")] },
    Row { shape: "ternary", files: &[(APP, "export const db = process.env.POSTGRES_URL ? 'pg' : 'mock';\n")],
        want: &[(APP, "POSTGRES_URL", "warning")] },
    Row { shape: "&&", files: &[(APP, "export const x = process.env.SENTRY_DSN && init();\ndeclare function init(): void;\n")],
        want: &[(APP, "SENTRY_DSN", "warning")] },
    Row { shape: "Boolean()", files: &[(APP, "export const on = Boolean(process.env.FEATURE_X);\n")],
        want: &[(APP, "FEATURE_X", "warning")] },
    Row { shape: "test whose if throws (twin)", files: &[(APP, "if (!process.env.DATABASE_URL) throw new Error('DATABASE_URL');\n")],
        want: &[(APP, "DATABASE_URL", "error")] },
    // ---- under a test of the same name ----
    Row { shape: "if (X) use X", files: &[(APP, "export function u() {\n  if (process.env.APP_URL) {\n    return new URL(process.env.APP_URL);\n  }\n  return null;\n}\n")],
        want: &[(APP, "APP_URL", "warning"), (APP, "APP_URL", "warning")] },
    Row { shape: "X && X.length", files: &[(APP, "export const on = process.env.PROXY && process.env.PROXY.length > 0;\n")],
        want: &[(APP, "PROXY", "warning")] },
    Row { shape: "another name's guard (twin)", files: &[(APP, "export function u() {\n  if (process.env.A_ON) {\n    return new URL(process.env.A_URL);\n  }\n}\n")],
        want: &[(APP, "A_ON", "warning"), (APP, "A_URL", "error")] },
    // ---- stored in a local, tested before use ----
    Row { shape: "local tested", files: &[(APP, "export function f() {\n  const apiKey = process.env.PLAUSIBLE_API_KEY;\n  if (!apiKey) {\n    return [];\n  }\n  return [apiKey];\n}\n")],
        want: &[(APP, "PLAUSIBLE_API_KEY", "warning")] },
    Row { shape: "local whose guard throws (twin)", files: &[(APP, "export function f() {\n  const url = process.env.REDIS_URL;\n  if (!url) throw new Error('REDIS_URL');\n  return url;\n}\n")],
        want: &[(APP, "REDIS_URL", "error")] },
    Row { shape: "local used at once (twin)", files: &[(APP, "export function f() {\n  const key = process.env.STRIPE_KEY;\n  return key.trim();\n}\n")],
        want: &[(APP, "STRIPE_KEY", "error")] },
    // ---- schemas ----
    // ---- a guard through a local, an object, another local, a calling function ----
    Row { shape: "a local holding the test (dub's hasGlobalRedisConfig)", files: &[(APP, "const hasGlobal = !!process.env.G_URL && !!process.env.G_TOKEN;\nexport const c = { url: hasGlobal ? process.env.G_URL.trim() : '', token: hasGlobal ? process.env.G_TOKEN.trim() : '' };\n")],
        want: &[(APP, "G_URL", "warning"), (APP, "G_TOKEN", "warning"), (APP, "G_URL", "warning"), (APP, "G_TOKEN", "warning")] },
    Row { shape: "a local built from it is no test (twin)", files: &[(APP, "const client = makeClient(process.env.H_URL);\nexport const u = client ? process.env.H_URL.trim() : '';\ndeclare function makeClient(u?: string): object;\n")],
        want: &[(APP, "H_URL", "error"), (APP, "H_URL", "error")] },
    Row { shape: "a map of optional hooks, looked up then tested (dub's log)", files: &[(APP, "const hooks = { alerts: process.env.HOOK_ALERTS, errors: process.env.HOOK_ERRORS };\nexport async function log(type: 'alerts' | 'errors') {\n  const hook = hooks[type];\n  if (!hook) return;\n  await fetch(hook);\n}\n")],
        want: &[(APP, "HOOK_ALERTS", "warning"), (APP, "HOOK_ERRORS", "warning")] },
    Row { shape: "an object property used as it is (twin)", files: &[(APP, "const cfg = { url: process.env.CFG_URL };\nexport const u = new URL(cfg.url);\n")],
        want: &[(APP, "CFG_URL", "error")] },
    Row { shape: "through a second local (apollo's graphId)", files: &[(APP, "const { GRAPH_ID } = process.env;\nexport function f(input?: { id?: string }) {\n  const id = input?.id ?? GRAPH_ID;\n  if (id) {\n    return [id];\n  }\n  return [];\n}\n")],
        want: &[(APP, "GRAPH_ID", "warning")] },
    Row { shape: "a second local used at once (twin)", files: &[(APP, "const { GRAPH_KEY } = process.env;\nexport function f(input?: { id?: string }) {\n  const id = input?.id ?? GRAPH_KEY;\n  return id.trim();\n}\n")],
        want: &[(APP, "GRAPH_KEY", "error")] },
    Row { shape: "a function called only under the test (umami's getClient)", files: &[(APP, "const enabled = Boolean(process.env.CH_URL);\nfunction getClient() {\n  return new URL(process.env.CH_URL);\n}\nexport function connect() {\n  return enabled ? getClient() : null;\n}\n")],
        want: &[(APP, "CH_URL", "warning"), (APP, "CH_URL", "warning")] },
    Row { shape: "an exported function: other files call it (twin)", files: &[(APP, "const enabled = Boolean(process.env.KF_URL);\nexport function getClient() {\n  return new URL(process.env.KF_URL);\n}\nexport function connect() {\n  return enabled ? getClient() : null;\n}\n")],
        want: &[(APP, "KF_URL", "warning"), (APP, "KF_URL", "error")] },
    Row { shape: "`this.x ??=` then tested (fresh's GA4 id)", files: &[(APP, "export class GA {\n  id?: string;\n  send() {\n    this.id ??= process.env.GA_ID;\n    if (!this.id) return;\n    return this.id;\n  }\n}\n")],
        want: &[(APP, "GA_ID", "warning")] },
    Row { shape: "`this.x ??=` then used (twin)", files: &[(APP, "export class GA {\n  id?: string;\n  send() {\n    this.id ??= process.env.GA_KEY;\n    return this.id.trim();\n  }\n}\n")],
        want: &[(APP, "GA_KEY", "error")] },
    Row { shape: "an `if` that throws when it is set forbids a value", files: &[(APP, "if (process.env.STRICT_MODE === 'yes') {\n  throw new Error('strict mode is not supported');\n}\n")],
        want: &[(APP, "STRICT_MODE", "warning")] },
    Row { shape: "an `if` that throws when it is unset (twin)", files: &[(APP, "if (process.env.REGION === undefined) {\n  throw new Error('REGION');\n}\n")],
        want: &[(APP, "REGION", "error")] },
    Row { shape: "passed to a function of the file whose parameter takes undefined (fresh's PREACT_PATH)", files: &[(APP, "const PREACT = process.env.PREACT_PATH;\nexport function bundle() {\n  return debuggerPlugin(PREACT);\n}\nfunction debuggerPlugin(p: string | undefined) {\n  return p === undefined ? null : p.trim();\n}\n")],
        want: &[(APP, "PREACT_PATH", "warning")] },
    Row { shape: "a parameter typed string (twin)", files: &[(APP, "const PREACT = process.env.PREACT_DIR;\nexport function bundle() {\n  return debuggerPlugin(PREACT);\n}\nfunction debuggerPlugin(p: string) {\n  return p.trim();\n}\n")],
        want: &[(APP, "PREACT_DIR", "error")] },
    // ---- the value goes only to a dependency, in a file that tests the name as on/off ----
    Row { shape: "a class of the file hands it to a package's client, the file tests it (umami's REDIS_URL)", files: &[("package.json", r#"{"name":"app","dependencies":{"redis":"4"}}"#), (APP, "import { createClient } from 'redis';
class Client {
  url: string;
  constructor(url: string) {
    createClient({ url });
    this.url = url;
  }
}
const enabled = !!process.env.REDIS_URL;
function getClient() {
  return new Client(process.env.REDIS_URL);
}
export default { client: getClient(), enabled };
")],
        want: &[(APP, "REDIS_URL", "warning"), (APP, "REDIS_URL", "warning")] },
    Row { shape: "the same file, `new URL` instead (twin)", files: &[("package.json", r#"{"name":"app","dependencies":{"redis":"4"}}"#), (APP, "import { createClient } from 'redis';
const enabled = !!process.env.REDIS_URI;
function getClient() {
  createClient();
  return new URL(process.env.REDIS_URI);
}
export default { client: getClient(), enabled };
")],
        want: &[(APP, "REDIS_URI", "warning"), (APP, "REDIS_URI", "error")] },
    Row { shape: "a package's client, the file never tests the name (twin)", files: &[("package.json", r#"{"name":"app","dependencies":{"redis":"4"}}"#), (APP, "import { createClient } from 'redis';
export const client = createClient({ url: process.env.REDIS_ADDR });
")],
        want: &[(APP, "REDIS_ADDR", "error")] },
    // ---- a file only a CI workflow runs (ngrx's release script) ----
    Row { shape: "a script a CI workflow step runs", files: &[(".github/workflows/release.yml", "on: workflow_dispatch\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - name: Release\n        env:\n          RELEASE_TAG: ${{ inputs.tag }}\n        run: npx tsx ./build/publish-release.ts\n"), ("build/publish-release.ts", "export const tag = process.env.RELEASE_TAG.trim();\n")],
        want: &[("build/publish-release.ts", "RELEASE_TAG", "warning")] },
    Row { shape: "the same file, no workflow runs it (twin)", files: &[(".github/workflows/release.yml", "on: workflow_dispatch\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npx tsx ./build/other.ts\n"), ("build/publish-release.ts", "export const tag = process.env.RELEASE_TAG.trim();\n")],
        want: &[("build/publish-release.ts", "RELEASE_TAG", "error")] },
    // ---- only the build can set it ----
    Row { shape: "import.meta.env name without the Vite prefix, typed in ImportMetaEnv (excalidraw's PKG_VERSION)", files: &[("src/vite-env.d.ts", "interface ImportMetaEnv {\n  PKG_VERSION: string;\n  VITE_API: string;\n}\n"), (APP, "export const v = import.meta.env.PKG_VERSION.trim();\n")],
        want: &[(APP, "PKG_VERSION", "warning")] },
    Row { shape: "a prefixed name typed in ImportMetaEnv comes from the environment (twin)", files: &[("src/vite-env.d.ts", "interface ImportMetaEnv {\n  PKG_VERSION: string;\n  VITE_API: string;\n}\n"), (APP, "export const v = import.meta.env.VITE_API.trim();\n")],
        want: &[(APP, "VITE_API", "error")] },
    Row { shape: "t3-env optional/default", files: &[(APP, "import { createEnv } from '@t3-oss/env-nextjs';\nimport { z } from 'zod';\nexport const env = createEnv({\n  server: { DB: z.string().url(), MSG: z.string().optional(), N: z.coerce.number().default(3) },\n  runtimeEnv: { DB: process.env.DB, MSG: process.env.MSG, N: process.env.N },\n});\n"), ("package.json", r#"{"name":"app","dependencies":{"@t3-oss/env-nextjs":"1","zod":"3"}}"#)],
        want: &[(APP, "DB", "error"), (APP, "MSG", "warning"), (APP, "N", "warning")] },
    // ---- test and script files ----
    Row { shape: "test file", files: &[("src/__tests__/a.test.ts", "export const u = new URL(process.env.E2E_BASE_URL);\n")],
        want: &[("src/__tests__/a.test.ts", "E2E_BASE_URL", "warning")] },
    Row { shape: "nested test folder", files: &[("packages/kit/package.json", r#"{"name":"kit"}"#), ("packages/kit/test/apps/utils.js", "export const u = new URL(process.env.DEPLOYMENT_URL);\n")],
        want: &[("packages/kit/test/apps/utils.js", "DEPLOYMENT_URL", "warning")] },
    Row { shape: "nested scripts folder", files: &[("packages/jobs/scripts/register.ts", "export const t = process.env.BANK_TEAM_ID.trim();\n")],
        want: &[("packages/jobs/scripts/register.ts", "BANK_TEAM_ID", "warning")] },
    Row { shape: "eslint config", files: &[("eslint.config.mjs", "export default { strict: process.env.LINT_FOR_PROD.length };\n")],
        want: &[("eslint.config.mjs", "LINT_FOR_PROD", "warning")] },
    Row { shape: "a file only a tool script of package.json runs (trpc's sponsors pull)", files: &[("package.json", r#"{"name":"app","scripts":{"build":"next build","sponsors":"tsx ./src/sponsors/pull.ts"}}"#), ("src/sponsors/pull.ts", "export const t = process.env.SPONSOR_TOKEN.trim();\n")],
        want: &[("src/sponsors/pull.ts", "SPONSOR_TOKEN", "warning")] },
    Row { shape: "the same file run by the build (twin)", files: &[("package.json", r#"{"name":"app","scripts":{"build":"npm run gen && next build","gen":"tsx ./src/sponsors/pull.ts"}}"#), ("src/sponsors/pull.ts", "export const t = process.env.SPONSOR_TOKEN.trim();\n")],
        want: &[("src/sponsors/pull.ts", "SPONSOR_TOKEN", "error")] },
    Row { shape: "the app's entry run by a dev server script (twin)", files: &[("package.json", r#"{"name":"app","scripts":{"build":"tsc","dev":"tsx watch src/server.ts","start":"node dist/server.js"}}"#), ("src/server.ts", "export const t = process.env.SESSION_SECRET.trim();\n")],
        want: &[("src/server.ts", "SESSION_SECRET", "error")] },
    Row { shape: "an msw mocks folder (indie-stack)", files: &[("mocks/index.js", "export const u = `${process.env.REMIX_DEV_HTTP_ORIGIN.trim()}/ping`;\n")],
        want: &[("mocks/index.js", "REMIX_DEV_HTTP_ORIGIN", "warning")] },
    Row { shape: "build config (twin)", files: &[("vite.config.ts", "export default { base: process.env.VITE_BASE.trim() };\n")],
        want: &[("vite.config.ts", "VITE_BASE", "error")] },
    // ---- declarations the corpus found unread ----
    Row { shape: "env-example-relational", files: &[("env-example-relational", "APPLE_APP_AUDIENCE=\n"), (APP, "export const a = process.env.APPLE_APP_AUDIENCE.trim();\n")],
        want: &[] },
    Row { shape: "example.env", files: &[("example.env", "SOME_KEY=\n"), (APP, "export const a = process.env.SOME_KEY.trim();\n")],
        want: &[] },
    Row { shape: "Dockerfile ENV", files: &[("Dockerfile", "FROM node:20\nENV DATABASE_URL=postgres://db/x\nARG PUBLIC_BACKEND\n"), (APP, "export const a = [process.env.DATABASE_URL.trim(), process.env.PUBLIC_BACKEND.trim()];\n")],
        want: &[] },
    Row { shape: "compose environment", files: &[("docker-compose.yml", "services:\n  app:\n    build: .\n    environment:\n      - LIST_FORM=1\n      - PASSED\n"), (APP, "export const a = process.env.LIST_FORM.trim();\n")],
        want: &[] },
    Row { shape: "compose map form", files: &[("compose.yaml", "services:\n  app:\n    environment:\n      MAP_FORM: x\n"), (APP, "export const a = process.env.MAP_FORM.trim();\n")],
        want: &[] },
    Row { shape: "app.json env", files: &[("app.json", r#"{"env":{"HEROKU_KEY":{"required":true}}}"#), (APP, "export const a = process.env.HEROKU_KEY.trim();\n")],
        want: &[] },
    Row { shape: "package.json script sets it", files: &[("package.json", r#"{"name":"app","scripts":{"build":"INPUT=invoice vite build"}}"#), ("vite.config.ts", "export default { input: process.env.INPUT.trim() };\n")],
        want: &[] },
    Row { shape: "a manifest in another folder (twin)", files: &[("apps/api/Dockerfile", "FROM node\nENV API_ONLY=1\n"), ("apps/web/src/a.ts", "export const a = process.env.API_ONLY.trim();\n")],
        want: &[("apps/web/src/a.ts", "API_ONLY", "error")] },
    Row { shape: ".env.test declares for tests only", files: &[(".env.test", "TEST_DB=x\n"), (APP, "export const a = process.env.TEST_DB.trim();\n"), ("src/a.test.ts", "export const b = process.env.TEST_DB.trim();\n")],
        want: &[(APP, "TEST_DB", "error")] },
    // ---- a package's option in a branch another env name switches on ----
    Row { shape: "a plugin's option under a switch of another name (epic-stack's Sentry plugin)", files: &[("vite.config.ts", "import { sentryVitePlugin } from \"@sentry/vite-plugin\";\nexport default { plugins: [process.env.SENTRY_AUTH_TOKEN\n  ? sentryVitePlugin({ authToken: process.env.SENTRY_AUTH_TOKEN, org: process.env.SENTRY_ORG })\n  : null] };\n")],
        want: &[("vite.config.ts", "SENTRY_AUTH_TOKEN", "warning"), ("vite.config.ts", "SENTRY_AUTH_TOKEN", "warning"), ("vite.config.ts", "SENTRY_ORG", "warning")] },
    Row { shape: "the same option, no switch (twin)", files: &[("vite.config.ts", "import { sentryVitePlugin } from \"@sentry/vite-plugin\";\nexport default { plugins: [sentryVitePlugin({ org: process.env.SENTRY_ORG })] };\n")],
        want: &[("vite.config.ts", "SENTRY_ORG", "error")] },
    Row { shape: "the same option under a comparison, set in every deploy (twin)", files: &[("vite.config.ts", "import { sentryVitePlugin } from \"@sentry/vite-plugin\";\nexport default { plugins: [process.env.NODE_ENV === \"production\" ? sentryVitePlugin({ org: process.env.SENTRY_ORG }) : null] };\n")],
        want: &[("vite.config.ts", "SENTRY_ORG", "error")] },
    Row { shape: "the switch's else branch (twin)", files: &[("vite.config.ts", "import { sentryVitePlugin } from \"@sentry/vite-plugin\";\nexport default { plugins: [process.env.SENTRY_OFF ? null : sentryVitePlugin({ org: process.env.SENTRY_ORG })] };\n")],
        want: &[("vite.config.ts", "SENTRY_OFF", "warning"), ("vite.config.ts", "SENTRY_ORG", "error")] },
    // ---- platform configs set names for the code they deploy (data/env-platforms.txt) ----
    Row { shape: "serverless.yml provider and function environment", files: &[("serverless.yml", "service: api\nprovider:\n  name: aws\n  environment:\n    tableName: ${self:custom.tableName}\nfunctions:\n  bill:\n    handler: billing.main\n    environment:\n      stripeSecretKey: ${env:STRIPE_SECRET_KEY}\n"), ("billing.js", "export const a = [process.env.tableName.trim(), process.env.stripeSecretKey.trim()];\n")],
        want: &[] },
    Row { shape: "serverless.yml (twin): a name it does not set still blocks", files: &[("serverless.yml", "service: api\nprovider:\n  environment:\n    tableName: x\n"), ("billing.js", "export const a = process.env.tableNme.trim();\n")],
        want: &[("billing.js", "tableNme", "error")] },
    Row { shape: "wrangler.toml vars and env.<name>.vars", files: &[("wrangler.toml", "name = \"w\"\n[vars]\nAPI_HOST = \"x\"\n[env.staging.vars]\nSTAGE_FLAG = \"y\"\n"), (APP, "export const a = [process.env.API_HOST.trim(), process.env.STAGE_FLAG.trim()];\n")],
        want: &[] },
    Row { shape: "render.yaml envVars keys; fly.toml [env]", files: &[("render.yaml", "services:\n  - type: web\n    envVars:\n      - key: DATABASE_URL\n        fromDatabase: {name: db}\n"), ("fly.toml", "app = \"x\"\n[env]\nPORT = \"8080\"\n"), (APP, "export const a = [process.env.DATABASE_URL.trim(), process.env.PORT.trim()];\n")],
        want: &[] },
    Row { shape: "fly.toml builds from other/Dockerfile: its ENV/ARG are set for the build context (epic-stack COMMIT_SHA)", files: &[("fly.toml", "app = \"x\"\n[build]\ndockerfile = \"/other/Dockerfile\"\n"), ("other/Dockerfile", "FROM node:20\nARG COMMIT_SHA\nENV COMMIT_SHA=$COMMIT_SHA\n"), (APP, "export const a = process.env.COMMIT_SHA.trim();\n")],
        want: &[] },
    Row { shape: "other/Dockerfile no platform config builds (twin): it declares for other/ only", files: &[("other/Dockerfile", "FROM node:20\nARG COMMIT_SHA\n"), (APP, "export const a = process.env.COMMIT_SHA.trim();\n")],
        want: &[(APP, "COMMIT_SHA", "error")] },
    // ---- built-ins narrowed to what platforms set ----
    Row { shape: "Vercel system variable", files: &[(APP, "export const a = [process.env.VERCEL_URL.trim(), process.env.NEXT_PUBLIC_VERCEL_ENV.trim()];\n")],
        want: &[] },
    Row { shape: "a user's Vercel token (twin)", files: &[(APP, "export const a = [process.env.VERCEL_TOKEN.trim(), process.env.GITHUB_CLIENT_SECRET.trim()];\n")],
        want: &[(APP, "VERCEL_TOKEN", "error"), (APP, "GITHUB_CLIENT_SECRET", "error")] },
    // ---- §4: one read, one finding: the same name twice on one line is one finding per rule ----
    Row { shape: "the same name read twice on one line", files: &[(APP, "export const u = new URL(process.env.TWICE_URL + '/' + process.env.TWICE_URL.trim());\n")],
        want: &[(APP, "TWICE_URL", "error")] },
    Row { shape: "the same name on two lines (twin): two findings", files: &[(APP, "export const u = new URL(process.env.TWICE_URL);\nexport const v = process.env.TWICE_URL.trim();\n")],
        want: &[(APP, "TWICE_URL", "error"), (APP, "TWICE_URL", "error")] },

    // h19b: RedwoodJS loads a committed `.env.defaults` under `.env` in every checkout.
    Row { shape: ".env.defaults declares (RedwoodJS DOMAIN_URL)", files: &[(".env.defaults", "DATABASE_URL=file:./dev.db\nDOMAIN_URL=http://localhost:8910/\n"), (APP, "export const a = process.env.DOMAIN_URL.trim();\n")],
        want: &[] },
    Row { shape: "a name .env.defaults lacks (twin)", files: &[(".env.defaults", "DATABASE_URL=file:./dev.db\n"), (APP, "export const a = process.env.DOMAIN_URL.trim();\n")],
        want: &[(APP, "DOMAIN_URL", "error")] },
];

#[test]
fn every_shape_and_its_twin() {
    let mut failures = Vec::new();
    for row in ROWS {
        let got: Vec<_> = env_findings(row.files)
            .into_iter()
            .filter(|f| f.0 == "env/undeclared")
            .collect();
        let want: Vec<_> = row.want.iter().map(|(p, n, s)| undeclared(p, n, s)).collect();
        let mut got_sorted = got.clone();
        got_sorted.sort();
        let mut want_sorted = want.clone();
        want_sorted.sort();
        if got_sorted != want_sorted {
            failures.push(format!("{}:\n  got  {got:?}\n  want {want:?}", row.shape));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `env/client-read` by the same certainty: a client read that is only tested, has a fallback
/// or is guarded takes the unset branch in the browser (a warning); a plain use stays an error.
#[test]
fn client_reads_by_certainty() {
    const NEXT: (&str, &str) = ("package.json", r#"{"name":"web","dependencies":{"next":"15"}}"#);
    const VITE: (&str, &str) = ("package.json", r#"{"name":"web","devDependencies":{"vite":"5"}}"#);
    type Files<'a> = &'a [(&'a str, &'a str)];
    let rows: &[(&str, Files, Files)] = &[
        (
            "next: a flag test (dub's cookie domain)",
            &[
                NEXT,
                (
                    "app/layout.tsx",
                    "\"use client\";\nexport const domain = process.env.VERCEL === \"1\" ? \".dub.co\" : \"localhost\";\n",
                ),
            ],
            &[("VERCEL", "warning")],
        ),
        (
            "next: a fallback",
            &[
                NEXT,
                (
                    "app/a.tsx",
                    "'use client';\nexport const u = process.env.API_BASE ?? '/api';\n",
                ),
            ],
            &[("API_BASE", "warning")],
        ),
        (
            "next: a plain use (twin)",
            &[
                NEXT,
                (
                    "app/a.tsx",
                    "'use client';\nexport const u = new URL(process.env.API_BASE);\n",
                ),
            ],
            &[("API_BASE", "error")],
        ),
        (
            "vite: a flag test",
            &[
                VITE,
                ("src/a.ts", "export const on = import.meta.env.BETA === 'true';\n"),
            ],
            &[("BETA", "warning")],
        ),
        (
            "vite: a plain use (twin)",
            &[
                VITE,
                ("src/a.ts", "export const u = new URL(import.meta.env.API_URL);\n"),
            ],
            &[("API_URL", "error")],
        ),
    ];
    let mut failures = Vec::new();
    for (shape, files, want) in rows {
        let got: Vec<(String, String)> = env_findings(files)
            .into_iter()
            .filter(|f| f.0 == "env/client-read")
            .map(|f| (f.2, f.3))
            .collect();
        let want: Vec<(String, String)> = want.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        if got != want {
            failures.push(format!("{shape}:\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `[env] fallback_reads = "error"` restores the old level; the default is a warning.
#[test]
fn fallback_reads_error_restores_errors() {
    let files: &[(&str, &str)] = &[(APP, "export const m = process.env.MSG ?? 'soon';\n")];
    assert_eq!(env_findings(files), [undeclared(APP, "MSG", "warning")]);
    let mut with_config = files.to_vec();
    with_config.push(("hookctl.toml", "[env]\nfallback_reads = \"error\"\n"));
    assert_eq!(env_findings(&with_config), [undeclared(APP, "MSG", "error")]);
    let bad: &[(&str, &str)] = &[("hookctl.toml", "[env]\nfallback_reads = \"maybe\"\n")];
    let r = Repo::new();
    for (p, t) in bad {
        r.write(p, t);
    }
    r.hookctl(&["check"]).code(2);
}

/// A fallback read is reported as a warning and does not block: what the user sees.
#[test]
fn fallback_read_warning_human_output() {
    let r = Repo::new();
    r.write("package.json", r#"{"name":"app","private":true}"#);
    r.write(".env.example", "DATABASE_URL=\n");
    r.write(
        "src/banner.ts",
        "export const message =\n  process.env.MAINTENANCE_MESSAGE ?? \"We'll be back soon\";\nexport const db = new URL(process.env.DATABASE_URL!);\n",
    );
    r.git(&["add", "-A"]).ok();
    let run = r.hookctl(&["check"]);
    run.code(0);
    snapshot!(r, "env_fallback_read_warning", run.stdout);
}

/// `env/required-by-package` only for a package the package's code imports.
#[test]
fn required_by_package_needs_an_import_outside_fixtures() {
    let base: &[(&str, &str)] = &[(
        "packages/integration/package.json",
        r#"{"name":"integration","dependencies":{"openai":"4"}}"#,
    )];
    let required = |extra: &[(&'static str, &'static str)]| -> Vec<(String, String)> {
        let mut files = base.to_vec();
        files.extend_from_slice(extra);
        env_findings(&files)
            .into_iter()
            .filter(|f| f.0 == "env/required-by-package")
            .map(|f| (f.2, f.3))
            .collect()
    };
    // Declared only.
    assert_eq!(required(&[]), []);
    // Imported only by a fixture.
    assert_eq!(
        required(&[(
            "packages/integration/fixtures/ai/index.ts",
            "import OpenAI from 'openai';\nexport const o = OpenAI;\n"
        )]),
        []
    );
    // Imported only as a type.
    assert_eq!(
        required(&[(
            "packages/integration/src/t.ts",
            "import type OpenAI from 'openai';\nexport type O = OpenAI;\n"
        )]),
        []
    );
    // Imported only by a test: a warning.
    assert_eq!(
        required(&[(
            "packages/integration/src/a.test.ts",
            "import OpenAI from 'openai';\nexport const o = OpenAI;\n"
        )]),
        [("OPENAI_API_KEY".to_string(), "warning".to_string())]
    );
    // Imported by its code: the error.
    assert_eq!(
        required(&[(
            "packages/integration/src/ai.ts",
            "import OpenAI from 'openai';\nexport const o = new OpenAI();\n"
        )]),
        [("OPENAI_API_KEY".to_string(), "error".to_string())]
    );
}

/// `secrets/env-file`: a committed `.env*.local` of placeholders only is a template, not a
/// secret; one with a real value still fires.
#[test]
fn local_env_file_of_placeholders_is_no_secret() {
    let secrets = |text: &'static str| -> Vec<String> {
        env_findings(&[(".env.local", text)])
            .into_iter()
            .filter(|f| f.0 == "secrets/env-file")
            .map(|f| f.3)
            .collect()
    };
    assert_eq!(
        secrets(
            "# GRAFANA_CLOUD_TOKEN=\nGRAFANA_CLOUD_TOKEN=GRAFANA_CLOUD_TOKEN\nAPI_KEY=<your-key>\nEMPTY=\nCONF_FARO_URL=GRAFANA_CLOUD_FARO_URL\n"
        ),
        Vec::<String>::new()
    );
    assert_eq!(secrets("API_KEY=3f9a8c1b7d2e4f60a5b9c8d7e6f5a4b3\n"), ["error"]);
    assert_eq!(secrets("FLAG=1\n"), ["error"]);
    assert_eq!(secrets("REGION=Eu_West_1\nSTACK=GRAFANA_STACK\n"), ["error"]);
    assert_eq!(
        secrets("STRIPE=sk_live_51HqLyjWDarjtT1zdp7dcXYZabc123456789\nOTHER=changeme\n"),
        ["error"]
    );
}

/// `env/turbo-filtered` (h19b, Cloudflare's React Router and Astro templates): Vite sets its own
/// `import.meta.env` built-ins (`MODE`, `BASE_URL`, ...) inside the build, so turbo's strict
/// env mode cannot remove them; another `import.meta.env` name the task does not pass still
/// blocks (the twin).
#[test]
fn vite_builtins_are_not_filtered_by_turbo() {
    let turbo = |read: &str| -> Vec<(String, String)> {
        let files: Vec<(&str, String)> = vec![
            (
                "package.json",
                r#"{"name":"web","private":true,"scripts":{"build":"vite build"},"devDependencies":{"vite":"5","turbo":"2"},"packageManager":"npm@10.0.0"}"#.into(),
            ),
            ("turbo.json", r#"{"tasks":{"build":{}}}"#.into()),
            ("src/app.ts", format!("export const m = {read};\n")),
        ];
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        env_findings(&files)
            .into_iter()
            .filter(|f| f.0 == "env/turbo-filtered")
            .map(|f| (f.2, f.3))
            .collect()
    };
    let rows: &[(&str, &[(&str, &str)])] = &[
        (
            "[import.meta.env.MODE, import.meta.env.BASE_URL, import.meta.env.DEV]",
            &[],
        ),
        ("import.meta.env.API_HOST.trim()", &[("API_HOST", "error")]),
    ];
    for (read, want) in rows {
        let want: Vec<(String, String)> = want.iter().map(|(n, s)| (n.to_string(), s.to_string())).collect();
        assert_eq!(turbo(read), want, "{read}");
    }
}
