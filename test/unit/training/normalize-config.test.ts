import assert from 'node:assert/strict';
import { HYPERPARAMETER_LIMITS } from '../../../common/training/limits.ts';
import { normalizeJobConfig, type JobConfig } from '../../../common/training/normalize-config.ts';

function config(input: unknown): JobConfig {
  const result = normalizeJobConfig(input);
  if (!result.ok) assert.fail(JSON.stringify(result.details));
  return result.config;
}

function problems(input: unknown) {
  const result = normalizeJobConfig(input);
  assert.equal(result.ok, false, 'expected the configuration to be rejected');
  return result.ok ? [] : result.details;
}

describe('normalizeJobConfig', () => {
  it('fills an empty configuration from the balanced preset and the defaults', () => {
    assert.deepEqual(config({}), {
      preset_id: 'balanced',
      hyperparameters: {
        base_model: 'mistralai/Mistral-7B-v0.1',
        learning_rate: 0.0002,
        batch_size: 8,
        epochs: 5,
        lora_rank: 16,
        lora_alpha: 32,
        lora_dropout: 0.1,
        warmup_ratio: 0.1,
        max_seq_length: 2048,
        gradient_accumulation_steps: 1,
        validation_split: 0.1,
      },
      gpu_config: { type: 'A100-80GB', count: 1 },
    });
  });

  it('applies a preset and keeps its id when the user changes nothing it fixes', () => {
    const c = config({ preset_id: 'conservative', hyperparameters: { max_seq_length: 4096 } });
    assert.equal(c.preset_id, 'conservative');
    assert.equal(c.hyperparameters.learning_rate, 0.0001);
    assert.equal(c.hyperparameters.lora_alpha, 16);
    assert.equal(c.hyperparameters.max_seq_length, 4096);
  });

  it('records a preset the user changed as custom', () => {
    const c = config({ preset_id: 'aggressive', hyperparameters: { epochs: 2 } });
    assert.equal(c.preset_id, 'custom');
    assert.equal(c.hyperparameters.epochs, 2);
    assert.equal(c.hyperparameters.batch_size, 16);
  });

  it('renames aliases and derives alpha as twice the rank', () => {
    const c = config({
      preset_id: 'custom',
      hyperparameters: { num_epochs: 7, rank: 64, dropout: 0.2 },
      gpu_config: { gpu_type: 'H100', num_gpus: 4 },
    });
    assert.equal(c.hyperparameters.epochs, 7);
    assert.equal(c.hyperparameters.lora_rank, 64);
    assert.equal(c.hyperparameters.lora_alpha, 128);
    assert.equal(c.hyperparameters.lora_dropout, 0.2);
    assert.deepEqual(c.gpu_config, { type: 'H100', count: 4 });
    assert.equal(config({ hyperparameters: { alpha: 8 } }).hyperparameters.lora_alpha, 8);
  });

  it('ignores client-sent prices and memory sizes', () => {
    const c = config({ gpu_config: { type: 'V100-32GB', price_per_hour: 0.01, memory_gb: 999 } });
    assert.deepEqual(c.gpu_config, { type: 'V100-32GB', count: 1 });
  });

  it('matches base models case-insensitively and stores the catalog spelling', () => {
    const c = config({ hyperparameters: { base_model: 'BUILTIN/tiny-gpt' } });
    assert.equal(c.hyperparameters.base_model, 'builtin/tiny-gpt');
  });

  it('names an unknown key at every level', () => {
    assert.deepEqual(problems({ foo: 1 }), [
      { field: 'foo', message: 'Unknown configuration key "foo"' },
    ]);
    assert.deepEqual(problems({ hyperparameters: { lr: 0.1 } }), [
      { field: 'hyperparameters.lr', message: 'Unknown hyperparameter "lr"' },
    ]);
    assert.deepEqual(problems({ gpu_config: { zone: 'eu' } }), [
      { field: 'gpu_config.zone', message: 'Unknown gpu_config key "zone"' },
    ]);
  });

  it('rejects a value given under its name and an alias', () => {
    assert.deepEqual(problems({ hyperparameters: { epochs: 2, num_epochs: 3 } }), [
      { field: 'hyperparameters.epochs', message: 'epochs given twice (as epochs and num_epochs)' },
    ]);
  });

  it('accepts every bound and rejects just outside it, naming the field and range', () => {
    for (const limit of HYPERPARAMETER_LIMITS) {
      for (const bound of [limit.min, limit.max]) {
        const c = config({ preset_id: 'custom', hyperparameters: { [limit.name]: bound } });
        assert.equal(c.hyperparameters[limit.name], bound, limit.name);
      }
      const step = limit.kind === 'integer' ? 1 : Math.max(limit.max * 1e-6, 1e-9);
      for (const outside of [limit.min - step, limit.max + step]) {
        const details = problems({ hyperparameters: { [limit.name]: outside } });
        assert.equal(details.length, 1);
        assert.equal(details[0].field, `hyperparameters.${limit.name}`);
        assert.match(details[0].message, new RegExp(`^${limit.name} must be .* between `));
        assert.ok(details[0].message.endsWith(`${limit.min} and ${limit.max}`));
      }
    }
  });

  it('rejects non-integers, strings, unknown presets, GPUs and counts', () => {
    assert.equal(
      problems({ hyperparameters: { batch_size: 2.5 } })[0].message,
      'batch_size must be an integer between 1 and 64',
    );
    assert.equal(problems({ hyperparameters: { learning_rate: '0.0002' } }).length, 1);
    assert.equal(problems({ preset_id: 'turbo' })[0].field, 'preset_id');
    assert.equal(problems({ gpu_config: { type: 'RTX' } })[0].field, 'gpu_config.type');
    assert.equal(
      problems({ gpu_config: { count: 9 } })[0].message,
      'gpu_config.count must be an integer between 1 and 8',
    );
    assert.equal(
      problems({ hyperparameters: { base_model: 'gpt-5' } })[0].field,
      'hyperparameters.base_model',
    );
    assert.equal(problems([1, 2])[0].message, 'configuration must be an object');
  });

  it('reports every problem at once', () => {
    const details = problems({ x: 1, hyperparameters: { epochs: 0, batch_size: 0 } });
    assert.deepEqual(
      details.map((d) => d.field),
      ['x', 'hyperparameters.batch_size', 'hyperparameters.epochs'],
    );
  });
});
