// The GPU cluster guide's request example is one the cluster accepts, and it lists every status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TERMINAL_STATUSES } from '../../../common/gpu-cluster/contract.ts';
import { parseRunRequest } from '../../../gpu-worker/cluster/run-request.ts';

const guide = readFileSync(
  fileURLToPath(new URL('../../../docs/gpu-cluster-api.md', import.meta.url)),
  'utf8',
);

describe('docs/gpu-cluster-api.md', () => {
  it('shows a POST /run body the local cluster accepts', () => {
    const block = /```http\nPOST \/run\n[\s\S]*?\n\n([\s\S]*?)```/.exec(guide);
    assert.ok(block, 'the guide has a POST /run example');
    const parsed = parseRunRequest(JSON.parse(block[1]));
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.message);
  });

  it('names every final status', () => {
    for (const status of TERMINAL_STATUSES) assert.match(guide, new RegExp(`\`${status}\``));
  });
});
