// Runs every test tier (or the ones named on the command line) and ends with one plain line
// "N passed, N failed" summing all of them, which CI reads.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const mochaBin = join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');

/** A check that is one test: passes when the command exits 0. */
function check(name, command, args) {
  return { name, kind: 'check', command, args };
}

/** A mocha suite: counts come from mocha's own summary. */
function mocha(name, pattern, extra = []) {
  return { name, kind: 'mocha', pattern, extra };
}

const tiers = {
  lint: [
    check('typecheck (tsc --noEmit)', 'npx', ['tsc', '--noEmit', '-p', '.']),
    check('eslint', 'npx', ['eslint', '--max-warnings', '0', '.']),
    check('prettier', 'npx', ['prettier', '--check', '.']),
  ],
  unit: [mocha('unit', 'test/unit/**/*.test.ts')],
  protocol: [mocha('protocol', 'test/protocol/**/*.test.ts', ['--timeout', '60000'])],
  cli: [mocha('cli', 'test/cli/**/*.test.ts', ['--timeout', '60000'])],
  gpu: [mocha('gpu', 'test/gpu/**/*.test.ts', ['--timeout', '120000'])],
  db: [mocha('db', 'test/db/**/*.test.ts', ['--timeout', '60000'])],
  functions: [mocha('functions', 'test/functions/**/*.test.ts', ['--timeout', '180000'])],
  extension: [mocha('extension', 'test/extension/**/*.test.ts', ['--timeout', '600000'])],
  e2e: [mocha('e2e', 'test/e2e/**/*.test.ts', ['--timeout', '900000'])],
};

/** Tiers that run the built bundles rather than the sources. */
const needsBuild = new Set(['protocol', 'cli', 'functions', 'extension', 'e2e']);
let built = false;

function runCheck(step) {
  console.log(`\n== ${step.name}`);
  const result = spawnSync(step.command, step.args, { cwd: root, stdio: 'inherit' });
  const ok = result.status === 0;
  console.log(ok ? `ok: ${step.name}` : `FAILED: ${step.name}`);
  return { passed: ok ? 1 : 0, failed: ok ? 0 : 1 };
}

function runMocha(step) {
  console.log(`\n== mocha: ${step.name}`);
  const args = [
    mochaBin,
    '--extension',
    'ts',
    '--reporter',
    'spec',
    '--timeout',
    '20000',
    ...step.extra,
    step.pattern,
  ];
  const result = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import tsx`.trim() },
    maxBuffer: 256 * 1024 * 1024,
  });
  process.stdout.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  const passed = Number(/(\d+) passing/.exec(result.stdout ?? '')?.[1] ?? 0);
  let failed = Number(/(\d+) failing/.exec(result.stdout ?? '')?.[1] ?? 0);
  // A tier whose folder holds no tests yet counts nothing; any other crash before mocha
  // reported counts as one failure, never as a pass.
  if (/No test files found/.test(result.stderr ?? '')) return { passed, failed };
  if (result.status !== 0 && failed === 0) failed = 1;
  return { passed, failed };
}

function build() {
  console.log('\n== build (esbuild)');
  const result = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });
  return result.status === 0;
}

const requested = process.argv.slice(2);
const names = requested.length > 0 ? requested : Object.keys(tiers);
let passed = 0;
let failed = 0;
for (const name of names) {
  const steps = tiers[name];
  if (!steps) {
    console.error(`unknown tier "${name}"; tiers: ${Object.keys(tiers).join(', ')}`);
    process.exit(2);
  }
  if (needsBuild.has(name) && !built) {
    built = build();
    if (!built) {
      failed += 1;
      continue;
    }
  }
  for (const step of steps) {
    const r = step.kind === 'check' ? runCheck(step) : runMocha(step);
    passed += r.passed;
    failed += r.failed;
  }
}

const summary = `${passed} passed, ${failed} failed`;
mkdirSync(join(root, 'test-results'), { recursive: true });
writeFileSync(join(root, 'test-results', 'summary.txt'), summary + '\n');
console.log(`\n${summary}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
