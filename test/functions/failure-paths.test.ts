// The failure paths of process-training-jobs (training.md §4) under real Deno, real Postgres and
// the real local GPU cluster: a cluster that is down at submit, a trainer whose loss turns NaN,
// a stalled trainer, cancels while queued and while running, a processor killed in the middle
// of a run, and two processors at once.
import assert from 'node:assert/strict';
import type { GpuJobStatus, StatusResponse } from '../../common/gpu-cluster/contract.ts';
import { asUser } from '../support/postgres/index.ts';
import { startPipelineStack, type JobRow, type PipelineStack } from './support/pipeline-stack.ts';

const NAN_MESSAGE = 'Training diverged (NaN loss): lower the learning rate';
const STALL_MS = 3000;

/** Polls `check` until it returns a value (not undefined) or the timeout passes. */
async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 60_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

describe('process-training-jobs failure paths', function () {
  let stack: PipelineStack;
  let user: string;
  let datasetId: string;

  async function gpuStatus(externalId: string): Promise<StatusResponse> {
    const response = await fetch(`${stack.proxy.url}/status/${externalId}`, {
      headers: { authorization: `Bearer ${stack.gatewayEnv.GPU_CLUSTER_API_KEY}` },
    });
    return (await response.json()) as StatusResponse;
  }

  async function waitForGpu(externalId: string, statuses: GpuJobStatus[]): Promise<StatusResponse> {
    return await waitFor(`GPU job ${externalId} to be ${statuses.join('|')}`, async () => {
      const status = await gpuStatus(externalId);
      return statuses.includes(status.status) ? status : undefined;
    });
  }

  async function notificationTypes(jobId: string): Promise<string[]> {
    const rows = await stack.db.sql<{ type: string }[]>`
      select type from public.notifications where metadata ->> 'job_id' = ${jobId}
       order by created_at`;
    return rows.map((r) => r.type);
  }

  async function metricSteps(jobId: string): Promise<number[]> {
    const rows = await stack.db.sql<{ step: number }[]>`
      select step from public.metrics_points where job_id = ${jobId} order by step`;
    return rows.map((r) => r.step);
  }

  const requestCancel = (jobId: string) =>
    asUser(stack.db.sql, user, (tx) => tx`select public.request_job_cancel(${jobId})`);

  before(async function () {
    this.timeout(180_000);
    stack = await startPipelineStack();
    user = await stack.newUser();
    datasetId = await stack.readyDataset(user);
  });

  after(async function () {
    this.timeout(60_000);
    await stack?.stop();
  });

  it('GPU cluster down at submit: retried with backoff, then failed with a message', async function () {
    await stack.proxy.down();
    try {
      const jobId = await stack.createJob(user, datasetId);
      const first = await stack.invoke('process-training-jobs');
      assert.equal(first.status, 200);
      const afterFirst = await stack.job(jobId);
      assert.equal(afterFirst.status, 'queued');
      assert.equal(afterFirst.attempt, 1);
      assert.match(afterFirst.error_message ?? '', /could not be reached .*retrying/);
      assert.ok(afterFirst.next_attempt_at.getTime() > Date.now() - 1000, 'no backoff');

      const { job } = await stack.processUntil(jobId, (j) => j.status === 'failed', {
        what: 'failed',
        timeoutMs: 30_000,
      });
      assert.equal(job.attempt, 3);
      assert.match(job.error_message ?? '', /GPU cluster could not be reached after 3 attempts/);
      assert.equal(job.external_id, null);
      assert.ok(job.completed_at);
      assert.equal(stack.proxy.runCalls(jobId), 0);
      assert.deepEqual(await notificationTypes(jobId), ['job_queued', 'job_failed']);
    } finally {
      await stack.proxy.up();
    }
  });

  it('trainer NaN: the job fails at once with the message that says what to change', async function () {
    const jobId = await stack.createJob(user, datasetId, undefined, { inject_nan_at_step: 3 });
    const { job } = await stack.processUntil(jobId, (j) => j.status === 'failed', {
      what: 'failed',
    });
    assert.equal(job.error_message, NAN_MESSAGE);
    assert.equal(job.attempt, 1, 'a diverged run must not be retried');
    assert.equal(stack.proxy.runCalls(jobId), 1);
    // Points before the divergence are kept; none at or after it.
    const steps = await metricSteps(jobId);
    assert.ok(
      steps.every((s) => s < 3),
      steps.join(','),
    );
    assert.deepEqual(await notificationTypes(jobId), ['job_queued', 'job_started', 'job_failed']);
  });

  it('trainer out of memory: fails at once, saying to lower batch_size or lora_rank', async function () {
    const jobId = await stack.createJob(user, datasetId, undefined, { oom_at_step: 2 });
    const { job } = await stack.processUntil(jobId, (j) => j.status === 'failed', {
      what: 'failed',
    });
    assert.match(job.error_message ?? '', /Out of memory: lower batch_size or lora_rank/);
    assert.equal(job.attempt, 1);
    assert.equal(stack.proxy.runCalls(jobId), 1);
  });

  it('a request the GPU cluster rejects fails at once, with its reason', async function () {
    // The cluster refuses an unknown debug hook with 400: retrying the same request is useless.
    const jobId = await stack.createJob(user, datasetId, undefined, { no_such_hook: 1 });
    const run = await stack.invoke('process-training-jobs');
    assert.equal(run.status, 200);
    const job = await stack.job(jobId);
    assert.equal(job.status, 'failed');
    assert.equal(job.attempt, 1);
    assert.match(job.error_message ?? '', /GPU cluster refused the job: .*no_such_hook/);
    assert.deepEqual(await notificationTypes(jobId), ['job_queued', 'job_failed']);
  });

  it('trainer crash: retried with a new submission per attempt, then failed after 3', async function () {
    const jobId = await stack.createJob(user, datasetId, undefined, { exit_at_step: 2 });
    const attempts = new Set<number>();
    const { job } = await stack.processUntil(
      jobId,
      (j) => {
        attempts.add(j.attempt);
        return j.status === 'failed';
      },
      { what: 'failed' },
    );
    assert.match(job.error_message ?? '', /The trainer exited unexpectedly/);
    assert.equal(job.attempt, 3);
    assert.ok(attempts.has(1) && attempts.has(2) && attempts.has(3));
    // One POST /run per attempt, each a new GPU job.
    assert.equal(stack.proxy.runCalls(jobId), 3);
    assert.equal(new Set(stack.proxy.externalIds(jobId)).size, 3);
    // The points are the last attempt's, once per step.
    const steps = await metricSteps(jobId);
    assert.deepEqual(
      steps,
      [...new Set(steps)].sort((a, b) => a - b),
    );
    assert.ok(
      steps.every((s) => s <= 2),
      steps.join(','),
    );
    assert.deepEqual(await notificationTypes(jobId), ['job_queued', 'job_started', 'job_failed']);
  });

  it('stall: a running job without progress fails and its GPU job is stopped', async function () {
    // A processor whose stall window is seconds instead of 30 minutes.
    const impatient = await stack.startGateway({ BRIGHTRUN_STALL_TIMEOUT_MS: String(STALL_MS) });
    const jobId = await stack.createJob(user, datasetId, undefined, { stall_after_step: 2 });
    let job: JobRow;
    try {
      ({ job } = await stack.processUntil(jobId, (j) => j.status === 'failed', {
        what: 'failed',
        timeoutMs: 60_000,
        via: impatient,
      }));
    } finally {
      await impatient.stop();
    }
    assert.match(job.error_message ?? '', /Training stalled: no progress for 3 seconds/);
    assert.equal(job.attempt, 1);
    await waitForGpu(job.external_id!, ['CANCELLED']);
    assert.deepEqual(await notificationTypes(jobId), ['job_queued', 'job_started', 'job_failed']);
  });

  it('cancel while queued: cancelled without reaching the GPU cluster', async function () {
    // Nobody holds the job: the database cancels it at once.
    const idle = await stack.createJob(user, datasetId);
    await requestCancel(idle);
    assert.equal((await stack.job(idle)).status, 'cancelled');

    // A processor holds the job (its lease is live): the cancel is only requested, and the
    // processor that next claims it confirms it instead of submitting.
    const held = await stack.createJob(user, datasetId);
    await stack.db.sql`select * from public.claim_training_jobs('another-processor', 100, 60)`;
    await requestCancel(held);
    const requested = await stack.job(held);
    assert.equal(requested.status, 'queued');
    assert.ok(requested.cancel_requested_at);
    // The other processor went away: its lease runs out (moved forward here, not waited for).
    await stack.db.sql`
      update public.training_jobs set lease_expires_at = now() - interval '1 second'
       where claimed_by = 'another-processor'`;
    const { job } = await stack.processUntil(held, (j) => j.status === 'cancelled', {
      what: 'cancelled',
    });
    assert.equal(job.external_id, null);
    for (const id of [idle, held]) {
      assert.equal(stack.proxy.runCalls(id), 0);
      assert.deepEqual(await notificationTypes(id), ['job_queued', 'job_cancelled']);
    }
  });

  it('cancel while running: the GPU job is stopped, then the job is cancelled', async function () {
    const jobId = await stack.createJob(user, datasetId, undefined, { step_delay_ms: 300 });
    await stack.processUntil(jobId, (j) => j.status === 'running' && j.current_step >= 2, {
      what: 'running',
    });
    await requestCancel(jobId);
    const { job } = await stack.processUntil(jobId, (j) => j.status === 'cancelled', {
      what: 'cancelled',
    });
    const gpu = await gpuStatus(job.external_id!);
    assert.equal(gpu.status, 'CANCELLED');
    assert.ok(job.completed_at);
    assert.ok(job.total_steps !== null && job.current_step < job.total_steps);
    assert.deepEqual(await notificationTypes(jobId), [
      'job_queued',
      'job_started',
      'job_cancelled',
    ]);
    // It ran, so its compute time is billed once.
    const costs = await stack.db.sql<{ cost_type: string }[]>`
      select cost_type from public.cost_records where job_id = ${jobId}`;
    assert.deepEqual(
      costs.map((c) => c.cost_type),
      ['training_compute'],
    );
  });

  it('processor killed mid-run: the lease expires and the job resumes without a second submission', async function () {
    const doomed = await stack.startGateway();
    const jobId = await stack.createJob(user, datasetId, undefined, { step_delay_ms: 200 });
    // Run the processor in the doomed gateway until one run is caught holding the running job
    // with points stored, then kill the whole process (SIGKILL: no cleanup, the lease stays).
    let killedWith: JobRow | undefined;
    while (killedWith === undefined) {
      let settled = false;
      const run = stack.invoke('process-training-jobs', doomed).then(
        () => (settled = true),
        () => (settled = true),
      );
      killedWith = await waitFor('a run holding the job', async () => {
        const job = await stack.job(jobId);
        const steps = await metricSteps(jobId);
        if (job.status === 'running' && job.claimed_by !== null && steps.length >= 2) return job;
        if (!['queued', 'initializing', 'running'].includes(job.status)) {
          throw new Error(`the job ended before the kill: ${job.status} ${job.error_message}`);
        }
        if (settled) return null;
        return undefined;
      }).then((job) => job ?? undefined);
      if (killedWith !== undefined) process.kill(-doomed.pid, 'SIGKILL');
      await run;
    }
    assert.equal(killedWith.status, 'running');
    const worker = killedWith.claimed_by;

    // While the dead run's lease is live, nobody else touches the job.
    const meanwhile = await stack.invoke('process-training-jobs');
    assert.equal(meanwhile.status, 200);
    assert.equal((meanwhile.body.data?.claimed as number) ?? 0, 0);
    assert.equal((await stack.job(jobId)).claimed_by, worker);

    // The lease runs out (moved forward here rather than waited for); a new run picks it up.
    await stack.db.sql`
      update public.training_jobs set lease_expires_at = now() - interval '1 second'
       where id = ${jobId}`;
    const { job } = await stack.processUntil(jobId, (j) => j.status === 'completed', {
      what: 'completed',
    });
    assert.equal(job.attempt, 1);
    assert.equal(job.external_id, killedWith.external_id);
    assert.equal(stack.proxy.runCalls(jobId), 1, 'submitted twice');
    // Every point of the trainer once: none lost with the dead run, none twice.
    const trainer = (await gpuStatus(job.external_id!)).output!.metrics.map((p) => p.step);
    assert.deepEqual(await metricSteps(jobId), trainer);
    assert.deepEqual(await notificationTypes(jobId), [
      'job_queued',
      'job_started',
      'job_completed',
    ]);
  });

  it('two processors at once never claim the same job', async function () {
    const second = await stack.startGateway();
    try {
      const jobs = await Promise.all([1, 2, 3, 4].map(() => stack.createJob(user, datasetId)));
      const runs = await Promise.all([
        stack.invoke('process-training-jobs'),
        stack.invoke('process-training-jobs', second),
        stack.invoke('process-training-jobs'),
        stack.invoke('process-training-jobs', second),
      ]);
      const submitted = runs.flatMap((r) => {
        assert.equal(r.status, 200, JSON.stringify(r.body));
        return (r.body.data?.submitted as string[]) ?? [];
      });
      assert.equal(new Set(submitted).size, submitted.length, 'a job was submitted by two runs');
      assert.deepEqual([...submitted].sort(), [...jobs].sort());
      for (const id of jobs) {
        assert.equal(stack.proxy.runCalls(id), 1);
        assert.equal((await stack.job(id)).attempt, 1);
      }
      // Leave the cluster idle for whatever runs next.
      for (const id of jobs) await requestCancel(id);
      for (const id of jobs) {
        await stack.processUntil(id, (j) => j.status === 'cancelled' || j.status === 'completed', {
          what: 'stopped',
        });
      }
    } finally {
      await second.stop();
    }
  });
});
