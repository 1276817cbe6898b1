// The dataset authors' guide stays in step with the engine: every rule code has a section, and
// every JSON example in it is a line the engine accepts without an error.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { validateText } from '../../../common/engine/dataset/dataset-validator.ts';
import { RULES } from '../../../common/engine/rule-codes.ts';

const guide = readFileSync(
  fileURLToPath(new URL('../../../docs/dataset-format.md', import.meta.url)),
  'utf8',
);

describe('docs/dataset-format.md', () => {
  it('has a section for every rule code with its default severity', () => {
    for (const [code, rule] of Object.entries(RULES)) {
      const heading = new RegExp(`^#### ${code} — .*\\((\\w+)\\)$`, 'm').exec(guide);
      assert.ok(heading, `${code} has no "#### ${code} — …" section`);
      assert.equal(heading[1], rule.severity, `${code}: documented severity`);
    }
  });

  it('shows only examples the engine accepts without errors', () => {
    const examples = [...guide.matchAll(/```jsonl\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(examples.length >= 2, 'the guide shows a pair line and a header');
    for (const example of examples) {
      const { diagnostics } = validateText(example);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(errors, [], example.slice(0, 80));
    }
  });
});
