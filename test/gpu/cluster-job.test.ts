// How trainer events and the process's end become the contract's status (no processes here).
import assert from 'node:assert/strict';
import type { RunRequest } from '../../common/gpu-cluster/contract.ts';
import { ClusterJob } from '../../gpu-worker/cluster/cluster-job.ts';
import { LineSplitter, parseTrainerEvent } from '../../gpu-worker/cluster/trainer-events.ts';

const request: RunRequest = {
  input: { job_id: 'j', dataset_url: 'file:///d', hyperparameters: {} },
};

function job(): ClusterJob {
  return new ClusterJob('id-1', request, (name) => `http://cluster/files/id-1/${name}`);
}

describe('ClusterJob', function () {
  it('folds progress, metrics and the artifact into the output', function () {
    const j = job();
    j.apply({ type: 'stage', stage: 'training' });
    j.apply({ type: 'progress', progress: 50, current_epoch: 1, current_step: 2, total_steps: 4 });
    j.apply({ type: 'metric', epoch: 0.5, step: 2, training_loss: 5, learning_rate: 0.001 });
    j.apply({
      type: 'artifact',
      files: { 'checkpoints/epoch-1/adapter_model.safetensors': '/o/c' },
      metadata: { r: 8 },
    });
    assert.deepEqual(j.output.metrics, [
      { epoch: 0.5, step: 2, training_loss: 5, learning_rate: 0.001 },
    ]);
    assert.equal(j.output.current_step, 2);
    assert.deepEqual(j.output.model_files, {
      'checkpoints/epoch-1/adapter_model.safetensors':
        'http://cluster/files/id-1/checkpoints/epoch-1/adapter_model.safetensors',
    });
    j.settle(0, null, 1000);
    assert.equal(j.status, 'COMPLETED');
  });

  it('streams each metric point once', function () {
    const j = job();
    j.apply({ type: 'metric', epoch: 1, step: 1, training_loss: 5, learning_rate: 0.001 });
    assert.equal(j.takeStream().length, 1);
    assert.equal(j.takeStream().length, 0);
    j.apply({ type: 'metric', epoch: 1, step: 2, training_loss: 4, learning_rate: 0.001 });
    assert.deepEqual(
      j.takeStream().map((p) => p.step),
      [2],
    );
  });

  it('decides FAILED, CANCELLED and TIMED_OUT from how the process ended', function () {
    const failed = job();
    failed.apply({
      type: 'error',
      code: 'oom',
      message: 'Out of memory: lower batch_size or lora_rank',
    });
    failed.settle(1, null, 1000);
    assert.equal(failed.status, 'FAILED');
    assert.equal(failed.error, 'Out of memory: lower batch_size or lora_rank');

    const crashed = job();
    crashed.noteStderr('[trainer] Segmentation fault');
    crashed.settle(null, 'SIGSEGV', 1000);
    assert.equal(
      crashed.error,
      'The trainer exited unexpectedly (signal SIGSEGV): Segmentation fault; retry the job',
    );

    const cancelled = job();
    cancelled.cancelRequested = true;
    cancelled.settle(3, null, 1000);
    assert.equal(cancelled.status, 'CANCELLED');

    const late = job();
    late.timedOut = true;
    late.settle(null, 'SIGTERM', 90_000);
    assert.equal(late.status, 'TIMED_OUT');
    assert.match(late.error ?? '', /90 s/);

    const finishedFirst = job();
    finishedFirst.cancelRequested = true;
    finishedFirst.apply({ type: 'artifact', files: {}, metadata: {} });
    finishedFirst.settle(0, null, 1000);
    assert.equal(finishedFirst.status, 'COMPLETED', 'files that were written are real');
  });
});

describe('trainer event lines', function () {
  it('parses events and ignores anything else', function () {
    assert.deepEqual(parseTrainerEvent('{"type":"stage","stage":"saving"}'), {
      type: 'stage',
      stage: 'saving',
    });
    assert.equal(parseTrainerEvent('Some library printed this'), undefined);
    assert.equal(parseTrainerEvent('{"type":"unknown"}'), undefined);
    assert.equal(parseTrainerEvent('{broken'), undefined);
  });

  it('keeps a partial line until its newline arrives', function () {
    const splitter = new LineSplitter();
    assert.deepEqual(splitter.push('{"a":1}\n{"b"'), ['{"a":1}']);
    assert.deepEqual(splitter.push(':2}\n'), ['{"b":2}']);
    assert.deepEqual(splitter.push('tail'), []);
    assert.deepEqual(splitter.flush(), ['tail']);
  });
});
