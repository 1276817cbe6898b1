// The extension against the local stack the harness started for this workspace: backend
// detection, upload → Datasets view, estimate, submit → Training Jobs and Models views,
// notifications, download, cancel, delete, the panels, and idle polling. Real Postgres, real
// Deno functions, the real local GPU cluster with the tiny trainer.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type {
  Dataset,
  EstimateResponse,
  ModelArtifact,
  TrainingJob,
} from '../../../common/api/types.ts';
import type { BrightRunExtensionApi } from '../../../client/src/extension.ts';
import { brightrun, waitFor, workspaceFile, workspaceRoot } from './support/host.ts';

type Trees = BrightRunExtensionApi['trees'];

/** The tree items of a view as the user sees them: label, description, icon, context. */
function rows(tree: Trees[keyof Trees]) {
  return tree.nodes().map((n) => ({
    label: typeof n.item.label === 'string' ? n.item.label : (n.item.label?.label ?? ''),
    description: typeof n.item.description === 'string' ? n.item.description : '',
    icon: n.item.iconPath instanceof vscode.ThemeIcon ? n.item.iconPath.id : '',
    context: n.item.contextValue ?? '',
    id: (n.value as { id?: string } | undefined)?.id,
  }));
}

const TINY_JOB = {
  preset: 'conservative' as const,
  gpuType: 'A100-40GB',
  gpuCount: 1,
  hyperparameters: { base_model: 'builtin/tiny-gpt', epochs: 1 },
};

describe('local backend', function () {
  this.timeout(180_000);
  let api: BrightRunExtensionApi;
  let dataset: Dataset;
  let job: TrainingJob;
  let model: ModelArtifact;

  /** Resolves when a row of `tree` matches; each data change re-checks. */
  function waitForRow(
    what: string,
    tree: Trees[keyof Trees],
    match: (row: ReturnType<typeof rows>[number]) => boolean,
    ms = 60_000,
  ) {
    return waitFor(
      `${what} (rows now: ${JSON.stringify(rows(tree))})`,
      () => rows(tree).find(match),
      [api.services.data.onDidChange],
      ms,
    );
  }

  before(async () => {
    api = await brightrun();
    await api.services.backend.update();
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('finds the local stack of the workspace and needs no sign-in', async () => {
    const state = api.services.backend.state;
    assert.equal(state.kind, 'local');
    assert.equal(state.configured, true);
    assert.equal(state.signedIn, true);
    const health = await api.services.api.health();
    assert.equal(health.status, 'ok');
    assert.equal(health.storage_backend, 'local');
  });

  it('Sign In and Sign Out explain that the local backend has no session', async () => {
    assert.equal(await vscode.commands.executeCommand('brightrun.signIn'), undefined);
    assert.equal(await vscode.commands.executeCommand('brightrun.signOut'), false);
    // The authentication provider is registered and has no Supabase session.
    const session = await vscode.authentication.getSession('brightrun', [], { silent: true });
    assert.equal(session, undefined);
  });

  it('Upload Dataset sends the file and the Datasets view shows it validated', async () => {
    const uploaded = await vscode.commands.executeCommand<Dataset | undefined>(
      'brightrun.uploadDataset',
      workspaceFile('datasets/valid.jsonl'),
      { name: 'ext-valid' },
    );
    assert.ok(uploaded, `the command returns the dataset (${JSON.stringify(api.lastFailure)})`);
    assert.equal(uploaded.file_name, 'valid.jsonl');
    assert.ok(['validating', 'ready'].includes(uploaded.status), uploaded.status);
    assert.match(uploaded.sha256 ?? '', /^[0-9a-f]{64}$/);
    const row = await waitForRow(
      'ext-valid to be validated in the Datasets view',
      api.trees.datasets,
      (r) => r.label === 'ext-valid' && r.context.startsWith('dataset.ready'),
    );
    assert.match(row.description, /^10 pairs · /);
    assert.equal(row.icon, 'pass-filled');
    assert.equal(row.context, 'dataset.ready.trainable');
    dataset = await api.services.api.getDataset(row.id!);
    assert.equal(dataset.total_training_pairs, 10);
  });

  it('Estimate Cost returns the server estimate for the chosen preset and GPU', async () => {
    const estimate = await vscode.commands.executeCommand<EstimateResponse | undefined>(
      'brightrun.estimateCost',
      {
        datasetId: dataset.id,
        ...TINY_JOB,
      },
    );
    assert.ok(estimate, JSON.stringify(api.lastFailure));
    assert.equal(estimate.hourly_rate, 2.8);
    assert.ok(estimate.estimated_cost > 0);
    assert.equal(estimate.dataset.id, dataset.id);
  });

  it('Submit Training Job queues a job the Training Jobs view follows to completion', async () => {
    const submitted = await vscode.commands.executeCommand<TrainingJob | undefined>(
      'brightrun.submitTrainingJob',
      {
        datasetId: dataset.id,
        name: 'ext-job',
        confirmed: true,
        ...TINY_JOB,
      },
    );
    assert.ok(submitted, `the command returns the job (${JSON.stringify(api.lastFailure)})`);
    assert.equal(submitted.status, 'queued');
    assert.equal(submitted.gpu_type, 'A100-40GB');
    job = submitted;
    await waitForRow('ext-job to appear', api.trees.jobs, (r) => r.label === 'ext-job');
    const done = await waitForRow(
      'ext-job to complete',
      api.trees.jobs,
      (r) => r.label === 'ext-job' && /^(completed|failed)/.test(r.description),
      150_000,
    );
    assert.match(done.description, /^completed · \$\d+\.\d\d$/);
    assert.equal(done.icon, 'pass-filled');
    assert.equal(done.context, 'job.finished.completed');
  });

  it('the Models view lists the trained model with its quality score', async () => {
    const row = await waitForRow(
      "ext-job's model to be ready",
      api.trees.models,
      (r) => r.context === 'model.ready',
      60_000,
    );
    model = (await api.services.api.getModel(row.id!)).model;
    assert.equal(model.job_id, job.id);
    assert.match(row.description, /score|no score/);
    assert.ok(Object.keys(model.files).length > 0);
    // With its model, the job's cost records exist: the job row shows what it cost in all.
    const recorded = (await api.services.api.getJob(job.id)).job.recorded_cost;
    assert.ok(recorded, 'the finished job has cost records');
    assert.equal(recorded.storage, 0.5);
    await waitForRow(
      "ext-job's recorded cost",
      api.trees.jobs,
      (r) => r.label === 'ext-job' && r.description === `completed · $${recorded.total.toFixed(2)}`,
      30_000,
    );
  });

  it('raises a VS Code notification for the finished job and lists it unread first', async () => {
    await waitFor(
      'a notification about the completed job',
      () => api.services.notifier.shown.find((t) => /complet|ready/i.test(t)),
      [api.services.data.onDidChange],
      60_000,
    );
    const list = rows(api.trees.notifications);
    assert.ok(list.length > 0);
    const firstRead = list.findIndex((r) => r.context === 'notification.read');
    const lastUnread = list.map((r) => r.context).lastIndexOf('notification.unread');
    assert.ok(firstRead === -1 || lastUnread < firstRead, JSON.stringify(list));
  });

  it('Download Model writes the chosen files and checks their sizes', async () => {
    const folder = mkdtempSync(join(workspaceRoot().fsPath, 'download-'));
    const files = Object.keys(model.files);
    const outcome = await vscode.commands.executeCommand<{ written: string[] } | undefined>(
      'brightrun.downloadModel',
      model.id,
      {
        files,
        folder,
      },
    );
    assert.ok(outcome, `the command returns what it wrote (${JSON.stringify(api.lastFailure)})`);
    assert.equal(outcome.written.length, files.length);
    for (const name of files) {
      const path = join(folder, name);
      assert.ok(existsSync(path), path);
      assert.equal(statSync(path).size, model.files[name].size, name);
      assert.ok(!existsSync(`${path}.part`));
    }
  });

  it('Mark All Notifications Read empties the unread count', async () => {
    const updated = await vscode.commands.executeCommand('brightrun.markAllNotificationsRead');
    assert.equal(typeof updated, 'number');
    assert.equal(api.services.data.snapshot.unread, 0);
    assert.ok(rows(api.trees.notifications).every((r) => r.context === 'notification.read'));
  });

  it('Cancel Training Job cancels a queued job', async () => {
    const second = await vscode.commands.executeCommand<TrainingJob | undefined>(
      'brightrun.submitTrainingJob',
      {
        datasetId: dataset.id,
        name: 'ext-cancel',
        confirmed: true,
        ...TINY_JOB,
        hyperparameters: { base_model: 'builtin/tiny-gpt', epochs: 20 },
      },
    );
    assert.ok(second, JSON.stringify(api.lastFailure));
    const cancelled = await vscode.commands.executeCommand<TrainingJob | undefined>(
      'brightrun.cancelTrainingJob',
      second.id,
      true,
    );
    assert.ok(cancelled, `the command returns the job (${JSON.stringify(api.lastFailure)})`);
    assert.ok(cancelled.cancel_requested_at !== null || cancelled.status === 'cancelled');
    await waitForRow(
      'ext-cancel to be cancelled',
      api.trees.jobs,
      (r) => r.label === 'ext-cancel' && r.description.startsWith('cancelled'),
      90_000,
    );
  });

  it('Show Dataset Errors lists the server-side problems of an uploaded file', async () => {
    const uploaded = await vscode.commands.executeCommand<Dataset | undefined>(
      'brightrun.uploadDataset',
      workspaceFile('datasets/bad-json.jsonl'),
      { name: 'ext-bad', ignoreErrors: true },
    );
    assert.ok(uploaded, JSON.stringify(api.lastFailure));
    await waitForRow(
      'ext-bad to be validated',
      api.trees.datasets,
      (r) => r.label === 'ext-bad' && !/uploading|validating/.test(r.description),
    );
    const detail = await vscode.commands.executeCommand<Dataset | undefined>(
      'brightrun.showDatasetErrors',
      uploaded.id,
    );
    assert.ok(detail, JSON.stringify(api.lastFailure));
    assert.ok(
      detail.validation_errors.some((e) => e.line === 6),
      JSON.stringify(detail.validation_errors),
    );
    const text = vscode.window.activeTextEditor?.document.getText() ?? '';
    assert.match(text, /\| 6 \|/);
  });

  it('opening an unread notification marks it read and runs its action', async () => {
    // The cancelled job and the second upload have raised notifications since Mark All Read.
    const unread = await waitForRow(
      'an unread notification',
      api.trees.notifications,
      (r) => r.context === 'notification.unread',
    );
    await vscode.commands.executeCommand('brightrun.openNotification', unread.id);
    await waitFor(
      'the notification to be read',
      () =>
        rows(api.trees.notifications).find((r) => r.id === unread.id)?.context ===
        'notification.read'
          ? true
          : undefined,
      [api.services.data.onDidChange],
    );
  });

  it('Mark Notification Read marks one notification read from its context menu', async () => {
    await vscode.commands.executeCommand('brightrun.refreshViews');
    const target = rows(api.trees.notifications)[0];
    assert.ok(target);
    // The tree passes its node: the command takes the notification from it.
    const node = api.trees.notifications.nodes().find((n) => n.value?.id === target.id);
    await vscode.commands.executeCommand('brightrun.markNotificationRead', node);
    assert.equal(
      rows(api.trees.notifications).find((r) => r.id === target.id)?.context,
      'notification.read',
    );
  });

  it('Delete Dataset removes it from the Datasets view', async () => {
    const target = rows(api.trees.datasets).find((r) => r.label === 'ext-bad');
    assert.ok(target);
    const deleted = await vscode.commands.executeCommand(
      'brightrun.deleteDataset',
      target.id,
      true,
    );
    assert.equal(deleted, true);
    await waitFor(
      'ext-bad to leave the Datasets view',
      () => (rows(api.trees.datasets).some((r) => r.label === 'ext-bad') ? undefined : true),
      [api.services.data.onDidChange],
    );
  });

  for (const [command, viewType, arg] of [
    ['brightrun.openTrainingMonitor', 'brightrun.monitorPanel', () => job.id],
    ['brightrun.configureTrainingJob', 'brightrun.configurePanel', () => dataset.id],
    ['brightrun.openModelDetails', 'brightrun.modelPanel', () => model.id],
    ['brightrun.openCostDashboard', 'brightrun.costPanel', () => undefined],
  ] as const) {
    it(`${command} opens the ${viewType} webview`, async () => {
      await vscode.commands.executeCommand(command, arg());
      await waitFor(
        `a ${viewType} tab`,
        () =>
          vscode.window.tabGroups.all
            .flatMap((g) => g.tabs)
            .find(
              (t) =>
                t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType),
            ),
        [vscode.window.tabGroups.onDidChangeTabs],
        15_000,
      );
    });
  }

  it('stops polling once nothing is active', async () => {
    await vscode.commands.executeCommand('brightrun.refreshViews');
    await waitFor(
      'polling to stop',
      () => (!api.services.data.active && !api.services.refresher.polling ? true : undefined),
      [api.services.data.onDidChange],
      60_000,
    );
    const polls = api.services.refresher.polls;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.equal(api.services.refresher.polls, polls);
  });

  it('a command that needs a backend explains how to configure one when there is none', async () => {
    await vscode.commands.executeCommand('brightrun.selectBackend', 'supabase');
    try {
      const state = api.services.backend.state;
      assert.equal(state.kind, 'supabase');
      assert.equal(state.configured, false);
      assert.match(state.problem ?? '', /brightrun\.supabase\.url/);
      const result = await vscode.commands.executeCommand(
        'brightrun.uploadDataset',
        workspaceFile('datasets/valid.jsonl'),
        { name: 'never' },
      );
      assert.equal(result, undefined);
      assert.equal(api.services.data.state, 'no-backend');
      assert.deepEqual(rows(api.trees.datasets), []);
    } finally {
      await vscode.commands.executeCommand('brightrun.selectBackend', 'auto');
    }
    assert.equal(api.services.backend.state.kind, 'local');
  });
});
