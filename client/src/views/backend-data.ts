// The latest lists of datasets, jobs, models and notifications, shared by the four tree views
// and the notifier. Loads never throw: a failure is kept as `error` for the views to show.
import * as vscode from 'vscode';
import {
  ACTIVE_JOB_STATUSES,
  type DatasetSummary,
  type ModelArtifact,
  type Notification,
  type TrainingJob,
} from '../../../common/api/types.ts';
import type { ApiClient } from '../api/api-client.ts';
import { BrightRunError, messageOf } from '../api/api-error.ts';

export type DataState = 'idle' | 'loading' | 'ready' | 'error' | 'no-backend';

export interface Snapshot {
  datasets: DatasetSummary[];
  jobs: TrainingJob[];
  models: ModelArtifact[];
  notifications: Notification[];
  unread: number;
}

/** How long after a job completes its model is expected to appear. */
const ARTIFACT_GRACE_MS = 5 * 60_000;

const EMPTY: Snapshot = { datasets: [], jobs: [], models: [], notifications: [], unread: 0 };

export class BackendData implements vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<Snapshot>();
  readonly onDidChange = this.changes.event;
  state: DataState = 'idle';
  error: string | undefined;
  snapshot: Snapshot = EMPTY;
  private loading: Promise<boolean> | undefined;
  private fingerprint = '';

  constructor(private readonly api: ApiClient) {}

  /** Anything still moving: an upload or validation, a job, an artifact being created. */
  get active(): boolean {
    const s = this.snapshot;
    // A job that completed recently but has no model yet: create-model-artifacts is about to
    // add it, so keep following until it appears.
    const awaitingModel = (j: TrainingJob): boolean =>
      j.status === 'completed' &&
      Date.now() - Date.parse(j.completed_at ?? j.updated_at) < ARTIFACT_GRACE_MS &&
      !s.models.some((m) => m.job_id === j.id);
    return (
      s.datasets.some((d) => d.status === 'uploading' || d.status === 'validating') ||
      s.jobs.some((j) => ACTIVE_JOB_STATUSES.includes(j.status) || awaitingModel(j)) ||
      s.models.some((m) => m.status === 'creating')
    );
  }

  /** Loads every list; resolves true when anything changed. Concurrent calls share one load. */
  load(): Promise<boolean> {
    this.loading ??= this.doLoad().finally(() => (this.loading = undefined));
    return this.loading;
  }

  clear(state: DataState = 'no-backend'): void {
    this.state = state;
    this.snapshot = EMPTY;
    this.fingerprint = '';
    this.changes.fire(this.snapshot);
  }

  private async doLoad(): Promise<boolean> {
    if (this.state === 'idle' || this.state === 'no-backend') this.state = 'loading';
    try {
      const [datasets, jobs, models, notifications] = await Promise.all([
        this.api.listDatasets({ limit: 100 }),
        this.api.listJobs({ limit: 100 }),
        this.api.listModels({ limit: 100 }),
        this.api.listNotifications({ limit: 50 }),
      ]);
      const snapshot: Snapshot = {
        datasets: datasets.items,
        jobs: jobs.items,
        models: models.items,
        notifications: notifications.items,
        unread: notifications.unread_count,
      };
      const fingerprint = JSON.stringify(snapshot);
      const changed = fingerprint !== this.fingerprint || this.state !== 'ready';
      this.snapshot = snapshot;
      this.fingerprint = fingerprint;
      this.state = 'ready';
      this.error = undefined;
      if (changed) this.changes.fire(snapshot);
      return changed;
    } catch (error) {
      const kind = error instanceof BrightRunError ? error.kind : undefined;
      const state: DataState =
        kind === 'not-configured' || kind === 'not-signed-in' ? 'no-backend' : 'error';
      const message = messageOf(error);
      const changed = state !== this.state || message !== this.error;
      this.state = state;
      this.error = message;
      if (state === 'no-backend') this.snapshot = EMPTY;
      if (changed) this.changes.fire(this.snapshot);
      return changed;
    }
  }

  dispose(): void {
    this.changes.dispose();
  }
}
