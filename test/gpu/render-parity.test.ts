// The trainer must train on exactly the chat the validator checked (dataset-format.md §2): the
// same fixture lines are rendered by the TypeScript engine and by gpu-worker/trainer/render.py.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeLine } from '../../common/engine/line/analyze-line.ts';
import type { Sample } from '../../common/engine/shape.ts';
import { createTinyGptCounter } from '../../common/tokenizers/tiny-gpt.ts';

const root = join(import.meta.dirname, '../..');
const FIXTURES = [
  'test/fixtures/gpu/render-parity.jsonl',
  'test/fixtures/gpu/pairs-20.jsonl',
  'test/fixtures/valid/v4-plain.jsonl',
  'test/fixtures/valid/v4-meta-repeated-user.jsonl',
  'test/fixtures/valid/chat-messages.jsonl',
  'test/fixtures/valid/conversations.jsonl',
  'test/fixtures/valid/turns.jsonl',
];

/** The Python side: one JSON value per non-blank line, from `python -m <module> FILE`. */
function runPython<T>(module: string, file: string): (T | null)[] {
  const result = spawnSync('/usr/bin/python3', ['-m', module, file], {
    cwd: join(root, 'gpu-worker'),
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T | null);
}

function renderWithPython(file: string): (Sample[] | null)[] {
  return runPython<Sample[]>('trainer.render', file);
}

describe('render parity: trainer (Python) vs engine (TypeScript)', function () {
  for (const fixture of FIXTURES) {
    it(`renders ${fixture} the same way`, function () {
      const path = join(root, fixture);
      const lines = readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '');
      const python = renderWithPython(path);
      assert.equal(python.length, lines.length);
      let compared = 0;
      lines.forEach((text, i) => {
        const facts = analyzeLine(text, 0, { expectedShape: undefined });
        if (facts.kind !== 'data') return;
        assert.ok(facts.valid, `${fixture}:${i + 1} is not a valid line`);
        assert.deepEqual(python[i], facts.samples, `${fixture}:${i + 1}`);
        compared++;
      });
      assert.ok(compared > 0, 'no data line was compared');
    });
  }

  it('counts tiny-gpt tokens as the engine does (the counts jobs are estimated with)', function () {
    const counter = createTinyGptCounter();
    for (const fixture of FIXTURES) {
      const path = join(root, fixture);
      const lines = readFileSync(path, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '');
      const python = runPython<number[]>('trainer.tokenizer', path);
      lines.forEach((text, i) => {
        const facts = analyzeLine(text, 0, { expectedShape: undefined });
        if (facts.kind !== 'data') return;
        const expected = facts.samples.map((s) => counter.countSample(s.messages));
        assert.deepEqual(python[i], expected, `${fixture}:${i + 1}`);
      });
    }
  });

  it('does not repeat a user input that ends the history, and keeps one that differs', function () {
    const python = renderWithPython(join(root, 'test/fixtures/gpu/render-parity.jsonl'));
    const roles = (s: Sample[] | null) => s![0].messages.map((m) => m.role).join(',');
    assert.equal(roles(python[1]), 'system,user,assistant,user,assistant');
    assert.equal(roles(python[2]), 'system,user,assistant,user,user,assistant');
  });
});
