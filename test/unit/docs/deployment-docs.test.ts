// The operator docs stay in step with the code: every environment variable the Edge Functions read
// is in the deployment checklist's table (and nothing in the table is read by nobody), every
// function is deployed by the checklist and described by the architecture page, every migration,
// Vault secret and cron job the checklist relies on exists, and every repository path either page
// names is really there.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

const checklist = read('docs/deployment-checklist.md');
const architecture = read('docs/architecture.md');
const functionsDir = join(root, 'supabase', 'functions');

/** Every TypeScript source of the functions, without dependencies and Deno tests. */
function functionSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === 'node_modules' || entry.name === 'tests' ? [] : functionSources(path);
    }
    return entry.name.endsWith('.ts') && !entry.name.endsWith('_test.ts') ? [path] : [];
  });
}

/**
 * Names the functions read: the first argument of `requireEnv`/`optionalEnv`/`numberSetting`
 * (_shared/env.ts) or `Deno.env.get` / an injected `env.get`, and any string literal that is a
 * whole variable name of ours (SUPABASE_, BRIGHTRUN_, GPU_CLUSTER_), so a new helper around
 * `optionalEnv` cannot hide a variable from this test.
 */
function variablesReadByFunctions(): Set<string> {
  const patterns = [
    /\b(?:requireEnv|optionalEnv|numberSetting|env\.get)\(\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
    /['"]((?:SUPABASE|BRIGHTRUN|GPU_CLUSTER)_[A-Z0-9_]+)['"]/g,
  ];
  const names = new Set<string>();
  for (const file of functionSources(functionsDir)) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) names.add(match[1]);
    }
  }
  return names;
}

/** The `| \`NAME\` | … |` rows of the checklist's variable table. */
function documentedVariables(): Set<string> {
  return new Set([...checklist.matchAll(/^\| `([A-Z][A-Z0-9_]*)` +\|/gm)].map((m) => m[1]));
}

function functionNames(): string[] {
  return readdirSync(functionsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('_') && e.name !== 'node_modules')
    .filter((e) => existsSync(join(functionsDir, e.name, 'index.ts')))
    .map((e) => e.name)
    .sort();
}

/**
 * Repository paths a page names in backticks: folders (`common/`) and files with a source
 * extension (`gpu-worker/runpod/handler.py`). Placeholders (`<id>`, `…`, `*`), URLs, absolute and
 * hidden paths are not repository paths.
 */
function namedPaths(page: string): string[] {
  const paths = new Set<string>();
  for (const [, token] of page.matchAll(/`([^`\s]+)`/g)) {
    if (!token.includes('/') || /[<>*…${}:|]/.test(token) || /^[/.]/.test(token)) continue;
    if (token.endsWith('/') || /\.(ts|mjs|sql|py|md|json|jsonl)$/.test(token)) paths.add(token);
  }
  return [...paths];
}

describe('docs/deployment-checklist.md and docs/architecture.md', () => {
  it('documents every environment variable the functions read', () => {
    const used = variablesReadByFunctions();
    // The scan itself must work: one variable read each way (requireEnv, env.get, a wrapper).
    for (const name of [
      'SUPABASE_DB_URL',
      'GPU_CLUSTER_TIMEOUT_MS',
      'BRIGHTRUN_JOB_LEASE_SECONDS',
    ]) {
      assert.ok(used.has(name), `the scan found no read of ${name}`);
    }
    const documented = documentedVariables();
    const missing = [...used].filter((name) => !documented.has(name));
    assert.deepEqual(missing, [], 'variables read by supabase/functions but not in the table');
  });

  it('lists no variable the functions do not read (except the anon key, said to be unused)', () => {
    const used = variablesReadByFunctions();
    const stale = [...documentedVariables()].filter(
      (name) => !used.has(name) && name !== 'SUPABASE_ANON_KEY',
    );
    assert.deepEqual(stale, [], 'documented variables no function reads');
  });

  it('deploys and describes every function', () => {
    const names = functionNames();
    for (const expected of [
      'api',
      'validate-datasets',
      'process-training-jobs',
      'create-model-artifacts',
    ]) {
      assert.ok(names.includes(expected), `supabase/functions/${expected}/index.ts exists`);
    }
    for (const name of names) {
      assert.match(checklist, new RegExp(`supabase functions deploy ${name}\\b`), name);
      assert.ok(architecture.includes(`\`${name}\``), `architecture.md names \`${name}\``);
    }
  });

  it('names every migration in the order table', () => {
    const migrations = readdirSync(join(root, 'supabase', 'migrations')).filter((f) =>
      f.endsWith('.sql'),
    );
    assert.ok(migrations.length >= 7);
    for (const file of migrations) assert.ok(checklist.includes(`\`${file}\``), file);
  });

  it('names the Vault secrets, settings and cron jobs the schedules migration uses', () => {
    const schedules = read('supabase/migrations/20261125000600_schedules.sql');
    const secrets = [...schedules.matchAll(/brightrun_secret\('([\w.]+)',\s*'([\w.]+)'\)/g)];
    assert.ok(secrets.length > 0, 'the migration reads its secrets through brightrun_secret');
    for (const [, secret, setting] of secrets) {
      assert.ok(checklist.includes(`\`${secret}\``), `Vault secret ${secret}`);
      assert.ok(checklist.includes(`\`${setting}\``), `fallback setting ${setting}`);
    }
    const jobs = [...schedules.matchAll(/cron\.schedule\('([\w-]+)'/g)].map((m) => m[1]);
    assert.equal(jobs.length, 3);
    for (const job of jobs) assert.ok(checklist.includes(`\`${job}\``), `cron job ${job}`);
  });

  it('names only repository paths that exist', () => {
    for (const [page, text] of [
      ['architecture.md', architecture],
      ['deployment-checklist.md', checklist],
    ] as const) {
      const paths = namedPaths(text);
      assert.ok(paths.length >= 5, `${page} names repository paths`);
      const missing = paths.filter((path) => !existsSync(join(root, path)));
      assert.deepEqual(missing, [], `${page} names paths that do not exist`);
    }
  });

  it('describes every top-level folder of the repository', () => {
    const generated = new Set(['node_modules', 'dist', 'out', 'test-results']);
    const folders = readdirSync(root).filter(
      (name) =>
        !name.startsWith('.') && !generated.has(name) && statSync(join(root, name)).isDirectory(),
    );
    for (const folder of folders) {
      assert.ok(
        architecture.includes(`| \`${folder}/`),
        `architecture.md has a row for ${folder}/`,
      );
    }
  });
});
