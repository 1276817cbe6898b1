import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv from 'ajv';
import { trainingConfigSchema } from '../../../client/src/schemas/training-config-schema.ts';

const file = new URL('../../../client/schemas/training-config.schema.json', import.meta.url);

describe('client: the training config JSON Schema', () => {
  it('client/schemas/training-config.schema.json is what common/training/ generates', () => {
    // Regenerate with the command in client/src/schemas/training-config-schema.ts.
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), trainingConfigSchema());
  });

  it('accepts a preset job and rejects values outside the limits', () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(trainingConfigSchema());
    assert.equal(
      validate({
        preset_id: 'balanced',
        hyperparameters: { base_model: 'builtin/tiny-gpt', epochs: 3, learning_rate: 0.0002 },
        gpu_config: { type: 'H100', count: 2 },
      }),
      true,
      JSON.stringify(validate.errors),
    );
    assert.equal(validate({ hyperparameters: { learning_rate: 0.5 } }), false);
    assert.equal(validate({ gpu_config: { type: 'TPU' } }), false);
    assert.equal(validate({ gpu_config: { count: 9 } }), false);
    assert.equal(validate({ hyperparameters: { lora_rank: 8.5 } }), false);
  });
});
