import assert from 'node:assert/strict';
import { estimateJobCost } from '../../../common/training/cost-model.ts';
import {
  configureToHost,
  configureToWebview,
  costToWebview,
  modelToHost,
  monitorToHost,
  monitorToWebview,
  panelStateValidators,
} from '../../../webview/src/shared/messages.ts';
import { validate } from '../../../webview/src/shared/validate.ts';
import { dataset, job, point } from './fixtures.ts';

function rejects(set: { parse(raw: unknown): { ok: boolean } }, raw: unknown, pattern: RegExp) {
  const r = set.parse(raw) as { ok: boolean; error?: string };
  assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)?.slice(0, 200)}`);
  assert.match(r.error ?? '', pattern);
}

const estimate = {
  ...estimateJobCost({
    gpu_config: { type: 'A100-80GB', count: 1 },
    hyperparameters: {
      batch_size: 8,
      gradient_accumulation_steps: 1,
      epochs: 5,
      validation_split: 0,
    },
    dataset: { total_training_pairs: 1000, total_tokens: 3_600_000, name: 'x' },
  }),
  config: job().config,
  dataset: { id: 'd', name: 'x', total_training_pairs: 1000, total_tokens: 3_600_000 },
};

describe('panel messages', () => {
  it('accepts each well-formed message the hosts send', () => {
    const ok = [
      configureToWebview.parse({
        type: 'datasets',
        datasets: [dataset()],
        selectedDatasetId: null,
      }),
      configureToWebview.parse({ type: 'estimate', requestId: 3, estimate }),
      configureToWebview.parse({
        type: 'submitFailed',
        message: 'Validation error',
        issues: [{ field: 'hyperparameters.epochs', message: 'epochs must be…' }],
      }),
      monitorToWebview.parse({ type: 'job', job: job(), artifactId: null }),
      monitorToWebview.parse({
        type: 'job',
        job: job({ recorded_cost: { training_compute: 1.25, storage: 0.5, total: 1.75 } }),
        artifactId: 'm',
      }),
      monitorToWebview.parse({ type: 'metrics', jobId: 'j', points: [point(1, 2)], reset: true }),
      costToWebview.parse({
        type: 'dashboard',
        fetchedAt: 1,
        running: [],
        dashboard: {
          currency: 'USD',
          current_month: { period: '2026-11-01', total: 1, compute: 0.5, storage: 0.5 },
          last_month: { period: '2026-10-01', total: 0, compute: 0, storage: 0 },
          change_percent: null,
          by_period: [],
          by_job: [{ job_id: null, job_name: null, gpu_type: null, total: 0.5 }],
          by_gpu_type: [],
          active: { jobs: 0, running_cost: 0 },
          total_in_window: 1,
        },
      }),
    ];
    for (const r of ok) assert.equal(r.ok, true, r.ok ? '' : r.error);
  });

  it('accepts each well-formed message the panel apps send', () => {
    const request = {
      dataset_id: 'd',
      preset_id: 'balanced',
      hyperparameters: { base_model: 'mistralai/Mistral-7B-v0.1', epochs: 3 },
      gpu_config: { type: 'H100', count: 2 },
    };
    for (const r of [
      configureToHost.parse({ type: 'ready' }),
      configureToHost.parse({ type: 'requestEstimate', requestId: 1, request }),
      configureToHost.parse({ type: 'submit', request: { ...request, name: 'run' } }),
      monitorToHost.parse({ type: 'cancel', jobId: 'j' }),
      monitorToHost.parse({ type: 'exportCsv', fileName: 'a.csv', csv: 'step\r\n' }),
      modelToHost.parse({ type: 'download', modelId: 'm', files: ['adapter_model.safetensors'] }),
    ]) {
      assert.equal(r.ok, true, r.ok ? '' : r.error);
    }
  });

  it('rejects unknown types and non-objects', () => {
    rejects(monitorToHost, { type: 'deleteEverything' }, /unknown message type "deleteEverything"/);
    rejects(monitorToHost, { jobId: 'x' }, /message.type must be a string/);
    rejects(monitorToHost, 'cancel', /must be an object/);
    rejects(monitorToHost, null, /must be an object/);
    rejects(monitorToHost, [{ type: 'ready' }], /must be an object/);
  });

  it('rejects malformed fields with the path of the first problem', () => {
    rejects(monitorToHost, { type: 'cancel' }, /^cancel\.jobId must be a string/);
    rejects(monitorToHost, { type: 'cancel', jobId: 42 }, /cancel\.jobId must be a string/);
    rejects(monitorToHost, { type: 'cancel', jobId: 'x'.repeat(201) }, /longer than 200/);
    rejects(
      modelToHost,
      { type: 'download', modelId: 'm', files: ['a', 7] },
      /download\.files\[1\] must be a string/,
    );
    rejects(
      configureToHost,
      { type: 'requestEstimate', requestId: 1.5, request: { dataset_id: 'd' } },
      /requestId must be an integer/,
    );
    rejects(
      configureToHost,
      { type: 'submit', request: { dataset_id: 'd', preset_id: 'yolo' } },
      /preset_id must be one of conservative, balanced, aggressive, custom/,
    );
    rejects(
      configureToHost,
      { type: 'submit', request: { dataset_id: 'd', hyperparameters: { epochs: { $gt: 1 } } } },
      /hyperparameters\.epochs must be a finite number/,
    );
    rejects(
      monitorToWebview,
      { type: 'metrics', jobId: 'j', reset: false, points: [point(1, Number.NaN)] },
      /points\[0\]\.training_loss must be a finite number/,
    );
    rejects(
      monitorToWebview,
      { type: 'job', job: { ...job(), status: 'exploded' }, artifactId: null },
      /job\.job\.status must be one of/,
    );
    rejects(
      monitorToWebview,
      { type: 'job', job: { ...job(), recorded_cost: { total: '3' } }, artifactId: null },
      /job\.job\.recorded_cost/,
    );
  });

  it('lets extra fields through (the API may grow) but never a wrong declared one', () => {
    const r = monitorToHost.parse({ type: 'cancel', jobId: 'j', extra: true });
    assert.equal(r.ok, true);
  });

  it('validates the state a panel saved before the serializer restores it', () => {
    assert.equal(validate(panelStateValidators.monitor, { jobId: 'j', smoothing: 0.6 }).ok, true);
    assert.equal(validate(panelStateValidators.monitor, {}).ok, false);
    assert.equal(validate(panelStateValidators.monitor, undefined).ok, false);
    assert.equal(validate(panelStateValidators.model, { modelId: 5 }).ok, false);
    assert.equal(validate(panelStateValidators.configure, { datasetId: null }).ok, true);
  });
});
