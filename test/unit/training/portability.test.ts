import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('../../../', import.meta.url));

// common/training is imported by the webviews (instant estimate) and the Edge Functions as well
// as Node: it must bundle for a browser and run without Node globals.
describe('common/training portability', () => {
  it('bundles for the browser and estimates without Node built-ins', async () => {
    const built = await esbuild.build({
      stdin: {
        contents: `import { normalizeJobConfig, estimateJobCost } from './common/training/index.ts';
          const n = normalizeJobConfig({ gpu_config: { type: 'H100' } });
          globalThis.result = n.ok ? estimateJobCost({ ...n.config,
            dataset: { total_training_pairs: 10, total_tokens: 1000 } }).estimated_cost : -1;`,
        resolveDir: root,
        loader: 'ts',
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const context: { result?: number } = {};
    runInNewContext(built.outputFiles[0].text, context);
    assert.equal(typeof context.result, 'number');
    assert.ok((context.result ?? 0) > 0.5);
  });
});
