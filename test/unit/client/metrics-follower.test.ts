import assert from 'node:assert/strict';
import type {
  JobDetailResponse,
  JobMetricsParams,
  JobMetricsResponse,
  JobStatus,
  MetricPoint,
  RecordedJobCost,
} from '../../../common/api/types.ts';
import { MetricsFollower } from '../../../client/src/panels/metrics-follower.ts';
import { job, point } from '../webview/fixtures.ts';

/** A job on the server side: its status, points, artifact and cost records, changed by the test. */
class ServerJob {
  status: JobStatus = 'running';
  points: MetricPoint[] = [];
  artifactId: string | null = null;
  recorded: RecordedJobCost | null = null;
  jobReads = 0;

  getJob(): Promise<JobDetailResponse> {
    this.jobReads++;
    return Promise.resolve({
      job: job({
        status: this.status,
        current_step: this.points.length,
        recorded_cost: this.recorded,
      }),
      recent_metrics: [],
      artifact_id: this.artifactId,
    });
  }

  getMetrics(_id: string, params: JobMetricsParams = {}): Promise<JobMetricsResponse> {
    const after = params.after_step ?? -1;
    const points = this.points.filter((p) => p.step > after);
    const j = job({ status: this.status, current_step: this.points.length });
    return Promise.resolve({
      points,
      next_after_step: points.at(-1)?.step ?? after,
      has_more: false,
      job: {
        id: j.id,
        status: j.status,
        current_stage: j.current_stage,
        progress: j.progress,
        current_step: j.current_step,
        total_steps: j.total_steps,
      },
    });
  }
}

function follow(server: ServerJob) {
  const details: JobDetailResponse[] = [];
  const steps: number[] = [];
  let finished = 0;
  let resolveFinished: () => void = () => {};
  const done = new Promise<void>((resolve) => (resolveFinished = resolve));
  const follower = new MetricsFollower(
    server,
    'j',
    {
      onJob: (d) => details.push(d),
      onPoints: (points) => steps.push(...points.map((p) => p.step)),
      onError: (e) => assert.fail(String(e)),
      onFinished: () => {
        finished++;
        resolveFinished();
      },
    },
    2,
  );
  follower.start();
  return { follower, details, steps, done, finished: () => finished };
}

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) assert.fail('timed out waiting for the follower');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('MetricsFollower', () => {
  it('keeps reading a completed job until its artifact and costs are recorded, then stops', async () => {
    const server = new ServerJob();
    server.points = [point(1, 3), point(2, 2.5)];
    const f = follow(server);
    await until(() => f.steps.length === 2);
    server.points.push(point(3, 2.2));
    server.status = 'completed';
    const readsAtCompletion = server.jobReads;
    // create-model-artifacts has not run yet: the follower must not stop here.
    await until(() => server.jobReads >= readsAtCompletion + 3);
    assert.equal(f.finished(), 0);
    assert.equal(f.details.at(-1)?.artifact_id, null);
    server.artifactId = 'm1';
    server.recorded = { training_compute: 0.01, storage: 0.5, total: 0.51 };
    await f.done;
    assert.deepEqual(f.steps, [1, 2, 3]);
    assert.equal(f.details.at(-1)?.artifact_id, 'm1');
    assert.equal(f.details.at(-1)?.job.recorded_cost?.total, 0.51);
    const reads = server.jobReads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.jobReads, reads, 'no reads after it finished');
    assert.equal(f.finished(), 1);
  });

  it('stops at once for a failed job, which has no artifact to wait for', async () => {
    const server = new ServerJob();
    server.points = [point(1, 3)];
    server.status = 'failed';
    const f = follow(server);
    await f.done;
    assert.deepEqual(f.steps, [1]);
    assert.equal(f.details.at(-1)?.job.status, 'failed');
  });

  it('stops waiting when the panel closes', async () => {
    const server = new ServerJob();
    server.status = 'completed';
    const f = follow(server);
    await until(() => server.jobReads >= 2);
    f.follower.stop();
    const reads = server.jobReads;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(server.jobReads, reads);
    assert.equal(f.finished(), 0);
  });
});
