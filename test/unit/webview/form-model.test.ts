import assert from 'node:assert/strict';
import { estimateJobCost } from '../../../common/training/cost-model.ts';
import { HYPERPARAMETER_LIMITS } from '../../../common/training/limits.ts';
import { normalizeJobConfig } from '../../../common/training/normalize-config.ts';
import { PRESETS } from '../../../common/training/presets.ts';
import {
  FIELD_SPECS,
  applyPreset,
  datasetLabel,
  fieldOfIssue,
  initialForm,
  localEstimate,
  matchingPreset,
  parseNumber,
  restoreForm,
  setField,
  toJobRequest,
  validateForm,
} from '../../../webview/src/configure/form-model.ts';
import { dataset } from './fixtures.ts';

const ds = dataset();

describe('configure form model', () => {
  it('has one field per hyperparameter of training.md §1 with its limits and an explanation', () => {
    assert.deepEqual(
      FIELD_SPECS.map((f) => [f.name, f.min, f.max, f.kind]),
      HYPERPARAMETER_LIMITS.map((l) => [l.name, l.min, l.max, l.kind]),
    );
    for (const f of FIELD_SPECS)
      assert.ok(f.explanation.length > 10 && !f.explanation.includes('\n'));
  });

  it('starts on the balanced preset and fills fields from a chosen preset', () => {
    const form = initialForm(ds.id);
    assert.equal(form.presetId, 'balanced');
    assert.equal(form.values.learning_rate, '0.0002');
    assert.equal(form.values.warmup_ratio, '0.1');
    const aggressive = applyPreset(form, 'aggressive');
    assert.equal(aggressive.values.epochs, String(PRESETS.aggressive.epochs));
    assert.equal(aggressive.values.lora_rank, '32');
    assert.equal(aggressive.values.lora_alpha, '64');
    // Custom keeps the values in place.
    assert.deepEqual(applyPreset(aggressive, 'custom').values, aggressive.values);
  });

  it('turns into custom when a preset value changes, and back when it matches again', () => {
    const form = setField(initialForm(ds.id), 'epochs', '7');
    assert.equal(form.presetId, 'custom');
    assert.equal(setField(form, 'epochs', '5').presetId, 'balanced');
    // A field no preset fixes does not change the preset.
    assert.equal(setField(initialForm(), 'warmup_ratio', '0.2').presetId, 'balanced');
    assert.equal(matchingPreset({ ...initialForm().values, learning_rate: '' }), 'custom');
  });

  it('checks every field against its limits with the API’s message', () => {
    for (const spec of FIELD_SPECS) {
      assert.equal(parseNumber(String(spec.min), spec).ok, true, `${spec.name} min`);
      assert.equal(parseNumber(String(spec.max), spec).ok, true, `${spec.name} max`);
      const below = parseNumber(
        String(spec.min - (spec.kind === 'integer' ? 1 : spec.min || 0.01)),
        spec,
      );
      const above = parseNumber(String(spec.max * 2), spec);
      for (const r of [below, above]) {
        assert.equal(r.ok, false, spec.name);
        if (!r.ok)
          assert.match(r.message, new RegExp(`^${spec.name} must be an? (integer|number) between`));
      }
    }
    const batch = FIELD_SPECS.find((f) => f.name === 'batch_size')!;
    assert.deepEqual(parseNumber('2.5', batch), {
      ok: false,
      message: 'batch_size must be an integer between 1 and 64',
    });
    assert.deepEqual(parseNumber('  ', batch), { ok: false, message: 'batch_size is required' });
    assert.deepEqual(parseNumber('abc', batch).ok, false);
    const lr = FIELD_SPECS.find((f) => f.name === 'learning_rate')!;
    assert.deepEqual(parseNumber('2e-4', lr), { ok: true, value: 0.0002 });
  });

  it('reports each invalid field, the dataset and the GPU count, and is valid otherwise', () => {
    assert.equal(validateForm(initialForm(ds.id), [ds]).valid, true);
    let form = setField(initialForm(ds.id), 'learning_rate', '0.5');
    form = { ...form, gpuCount: '9' };
    const v = validateForm(form, [ds]);
    assert.equal(v.valid, false);
    assert.deepEqual(Object.keys(v.errors).sort(), ['gpu_count', 'learning_rate']);
    assert.equal(v.errors.gpu_count, 'gpu_config.count must be an integer between 1 and 8');
    assert.equal(validateForm(initialForm(null), [ds]).errors.dataset, 'Choose a dataset');
    const notReady = dataset({ training_ready: false });
    assert.equal(
      validateForm(initialForm(ds.id), [notReady]).errors.dataset,
      'Dataset not ready for training',
    );
  });

  it('builds a request the shared normaliser (and so the API) accepts unchanged', () => {
    const form = {
      ...applyPreset(initialForm(ds.id), 'conservative'),
      jobName: ' nightly ',
      gpuType: 'H100' as const,
      gpuCount: '2',
    };
    const request = toJobRequest(form, validateForm(form, [ds]));
    assert.ok(request);
    assert.equal(request.name, 'nightly');
    const normalized = normalizeJobConfig({
      preset_id: request.preset_id,
      hyperparameters: request.hyperparameters,
      gpu_config: request.gpu_config,
    });
    assert.ok(normalized.ok, JSON.stringify(normalized));
    assert.equal(normalized.config.preset_id, 'conservative');
    assert.deepEqual(normalized.config.hyperparameters, request.hyperparameters);
    assert.deepEqual(normalized.config.gpu_config, { type: 'H100', count: 2 });
    assert.equal(toJobRequest(form, validateForm({ ...form, gpuCount: '0' }, [ds])), null);
  });

  it('estimates locally with the shared cost model, even while an unrelated field is invalid', () => {
    let form = { ...initialForm(ds.id), gpuCount: '2' };
    form = setField(form, 'gradient_accumulation_steps', '2');
    form = setField(form, 'epochs', '3');
    const expected = estimateJobCost({
      gpu_config: { type: 'A100-80GB', count: 2 },
      hyperparameters: {
        batch_size: 8,
        gradient_accumulation_steps: 2,
        epochs: 3,
        validation_split: 0.1,
      },
      dataset: { ...ds, total_training_pairs: 1000, total_tokens: 3_600_000 },
    });
    assert.deepEqual(localEstimate(form, [ds]), expected);
    assert.equal(localEstimate(form, [ds])?.estimated_cost, 9.83);
    assert.deepEqual(localEstimate(setField(form, 'learning_rate', '9'), [ds]), expected);
    assert.equal(localEstimate(setField(form, 'epochs', '0'), [ds]), null);
    assert.equal(localEstimate(form, []), null);
  });

  it("counts steps on the pairs left after the form's validation split and the dataset's conversations", () => {
    const form = setField(initialForm(ds.id), 'gradient_accumulation_steps', '2');
    const steps = (f: typeof form, conversations: number | null) =>
      localEstimate(f, [{ ...ds, total_conversations: conversations }])?.training_details
        .steps_per_epoch;
    // 1000 pairs, batch 8 × 2: 100 pairs held out → 57; one of 3 conversations → 667 pairs → 42.
    assert.equal(steps(form, 1000), 57);
    assert.equal(steps(form, 3), 42);
    assert.equal(steps(setField(form, 'validation_split', '0'), 3), 63);
    assert.equal(steps(setField(form, 'validation_split', '0.9'), 3), undefined);
  });

  it('restores a saved form field by field, dropping what does not fit', () => {
    const saved = {
      ...setField(initialForm(ds.id), 'epochs', '7'),
      gpuType: 'TPU',
      baseModel: 'x/y',
    };
    const form = restoreForm(saved);
    assert.ok(form);
    assert.equal(form.values.epochs, '7');
    assert.equal(form.presetId, 'custom');
    assert.equal(form.gpuType, 'A100-80GB');
    assert.equal(form.baseModel, 'mistralai/Mistral-7B-v0.1');
    assert.equal(restoreForm('junk'), null);
    assert.equal(restoreForm({ values: { epochs: 3 } })?.values.epochs, '5');
  });

  it('maps API issue fields to form fields and labels datasets', () => {
    assert.equal(fieldOfIssue('hyperparameters.learning_rate'), 'learning_rate');
    assert.equal(fieldOfIssue('gpu_config.count'), 'gpu_count');
    assert.equal(fieldOfIssue('dataset_id'), 'dataset');
    assert.equal(datasetLabel(ds), 'support-chats — 1,000 pairs · 3.6M tokens');
    assert.match(datasetLabel(dataset({ tokens_estimated: true })), /\(estimated\)$/);
  });
});
