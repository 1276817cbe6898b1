// The estimate counts steps on the pairs left after the trainer's validation split
// (common/training/validation-split.ts); these tests hold it to the trainer's real split
// (gpu-worker/trainer/dataset.py), run by Debian's Python.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateText } from '../../common/engine/dataset/dataset-validator.ts';
import { expectedTrainingPairs } from '../../common/training/validation-split.ts';

const root = join(import.meta.dirname, '../..');

interface SplitCase {
  conversations: number;
  pairsEach: number;
  split: number;
  seed: number;
}

/** How many samples the trainer keeps for training, per case. */
function trainerTrainingPairs(cases: SplitCase[]): number[] {
  const script = `
import json, sys
from trainer.dataset import split_validation
from trainer.render import Sample
out = []
for c in json.load(sys.stdin):
    samples = [Sample([], [], f"c{i // c['pairsEach']}")
               for i in range(c['conversations'] * c['pairsEach'])]
    out.append(len(split_validation(samples, c['split'], c['seed'])[0]))
print(json.dumps(out))`;
  const result = spawnSync('/usr/bin/python3', ['-c', script], {
    cwd: join(root, 'gpu-worker'),
    input: JSON.stringify(cases),
    encoding: 'utf8',
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as number[];
}

describe('validation split parity: estimate (TypeScript) vs trainer (Python)', function () {
  it('counts exactly the pairs the trainer trains on when conversations are of equal size', function () {
    const cases: SplitCase[] = [];
    for (const conversations of [1, 2, 3, 5, 7, 10, 17, 40, 101]) {
      for (const pairsEach of [1, 2, 3, 5]) {
        // 0.05 × 10, 0.15 × 10 and 0.25 × 10 are half-way ties: they must round up on both sides.
        for (const split of [0, 0.01, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5]) {
          cases.push({ conversations, pairsEach, split, seed: cases.length });
        }
      }
    }
    const trainer = trainerTrainingPairs(cases);
    cases.forEach((c, i) => {
      const pairs = c.conversations * c.pairsEach;
      assert.equal(
        expectedTrainingPairs(pairs, c.conversations, c.split),
        trainer[i],
        JSON.stringify(c),
      );
    });
    assert.ok(
      trainer.some((n, i) => n < cases[i].conversations * cases[i].pairsEach),
      'some case holds pairs out',
    );
  });

  it("counts the example dataset's 17 pairs in 5 unequal conversations as the trainer does", function () {
    const path = join(root, 'examples/financial-coaching.jsonl');
    const stats = validateText(readFileSync(path, 'utf8')).report.stats;
    const script = `
import sys
from trainer.dataset import parse_dataset, split_validation
samples = parse_dataset(open(sys.argv[1], 'rb').read())
print(len(split_validation(samples, 0.1, 42)[0]))`;
    const result = spawnSync('/usr/bin/python3', ['-c', script, path], {
      cwd: join(root, 'gpu-worker'),
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(stats.total_training_pairs, 17);
    assert.equal(
      expectedTrainingPairs(stats.total_training_pairs, stats.total_conversations, 0.1),
      Number(result.stdout.trim()),
    );
  });
});
