// The same in-host suite (test/extension/suite/*.host.ts) in desktop VS Code through
// @vscode/test-electron, for machines where VS Code can be downloaded (this project's machines
// cannot: there the extension tier runs it in code-server, run-in-code-server.test.ts).
// `npm run test:extension:electron`; exits non-zero when an in-host test fails.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { startStack } from '../../server/src/local/stack.ts';
import { createTestWorkspace } from './support/workspace.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const workspace = createTestWorkspace();
const scratch = mkdtempSync(join(tmpdir(), 'brightrun-electron-results-'));
const results = join(scratch, 'results.jsonl');
writeFileSync(results, '');
const stack = await startStack({ workspace, port: 0, dbPort: 0 });
let code = 1;
try {
  code = await runTests({
    version: '1.100.3',
    extensionDevelopmentPath: root,
    extensionTestsPath: join(root, 'dist', 'test', 'extension', 'index.cjs'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: {
      BRIGHTRUN_TEST_RESULTS: results,
      ...(process.env.BRIGHTRUN_TEST_GREP
        ? { BRIGHTRUN_TEST_GREP: process.env.BRIGHTRUN_TEST_GREP }
        : {}),
    },
  });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await stack.stop();
  process.stdout.write(readFileSync(results, 'utf8'));
  rmSync(scratch, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
}
process.exit(code);
