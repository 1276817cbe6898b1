/** Hosts a training monitor: one panel per job, fed by a MetricsFollower; cancel, export, overlay. */
import * as vscode from 'vscode';
import type { MetricPoint, TrainingJob } from '../../../common/api/types.ts';
import { MAX_METRICS_LIMIT } from '../../../common/api/types.ts';
import {
  VIEW_TYPES,
  monitorToHost,
  type MonitorToHost,
  type MonitorToWebview,
  type RunOption,
} from '../../../webview/src/shared/messages.ts';
import { describeApiError, type PanelDeps } from './deps.ts';
import { MetricsFollower } from './metrics-follower.ts';
import { PanelHost, panelColumn, webviewOptions } from './panel-host.ts';

/** Other runs of the same dataset offered for the overlay. */
const OVERLAY_RUNS = 20;

export type OpenModel = (modelId: string) => void;

export class MonitorPanel extends PanelHost<MonitorToWebview, MonitorToHost> {
  private static readonly panels = new Map<string, MonitorPanel>();
  private follower: MetricsFollower | undefined;
  private job: TrainingJob | undefined;
  private runsSent = false;

  static createOrShow(
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openModel: OpenModel,
    jobId: string,
  ): MonitorPanel {
    const existing = MonitorPanel.panels.get(jobId);
    if (existing && !existing.isDisposed) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPES.monitor,
      'Training Monitor',
      panelColumn(),
      webviewOptions(context.extensionUri),
    );
    return new MonitorPanel(panel, context, deps, openModel, jobId);
  }

  static restore(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openModel: OpenModel,
    jobId: string,
  ): MonitorPanel {
    MonitorPanel.panels.get(jobId)?.dispose();
    return new MonitorPanel(panel, context, deps, openModel, jobId);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    private readonly openModel: OpenModel,
    readonly jobId: string,
  ) {
    super(panel, context, deps, 'monitor', monitorToHost);
    MonitorPanel.panels.set(jobId, this);
    // A hidden panel's app is unloaded (no retained context): stop polling until it is shown
    // again and its app says `ready`, which reloads the history and resumes following.
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.follower?.stop();
      }),
    );
  }

  protected override onDispose(): void {
    this.follower?.stop();
    if (MonitorPanel.panels.get(this.jobId) === this) MonitorPanel.panels.delete(this.jobId);
  }

  protected async handle(message: MonitorToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        // A (re)loaded app has no series: start over from step -1.
        this.runsSent = false;
        this.follow();
        return;
      case 'cancel':
        await this.cancel(message.jobId);
        return;
      case 'exportCsv':
        await this.exportCsv(message.fileName, message.csv);
        return;
      case 'loadOverlay':
        await this.loadOverlay(message.jobId);
        return;
      case 'openModel':
        this.openModel(message.modelId);
        return;
    }
  }

  private follow(): void {
    this.follower?.stop();
    this.follower = new MetricsFollower(this.deps.api, this.jobId, {
      onJob: (detail) => {
        this.job = detail.job;
        this.panel.title = `Monitor: ${detail.job.name ?? this.jobId.slice(0, 8)}`;
        this.post({ type: 'job', job: detail.job, artifactId: detail.artifact_id });
        if (!this.runsSent) {
          this.runsSent = true;
          void this.sendRuns(detail.job.dataset_id);
        }
      },
      onPoints: (points, reset) => this.post({ type: 'metrics', jobId: this.jobId, points, reset }),
      onError: (error) => {
        const { message } = describeApiError(error);
        this.log(`following job ${this.jobId}: ${message}`);
        this.post({ type: 'error', message });
      },
    });
    this.follower.start();
  }

  private async sendRuns(datasetId: string): Promise<void> {
    try {
      const page = await this.deps.api.listJobs({ dataset_id: datasetId, limit: OVERLAY_RUNS + 1 });
      const runs: RunOption[] = page.items
        .filter((j) => j.id !== this.jobId)
        .slice(0, OVERLAY_RUNS)
        .map((j) => ({
          jobId: j.id,
          label: j.name ?? `Job ${j.id.slice(0, 8)}`,
          status: j.status,
          createdAt: j.created_at,
        }));
      this.post({ type: 'runs', runs });
    } catch (error) {
      this.log(`listing other runs: ${describeApiError(error).message}`);
    }
  }

  private async loadOverlay(jobId: string): Promise<void> {
    try {
      const points: MetricPoint[] = [];
      let after = -1;
      for (;;) {
        const page = await this.deps.api.getMetrics(jobId, {
          after_step: after,
          limit: MAX_METRICS_LIMIT,
        });
        points.push(...page.points);
        if (!page.has_more || page.points.length === 0) break;
        after = page.next_after_step;
      }
      const { job } = await this.deps.api.getJob(jobId);
      this.post({
        type: 'overlay',
        jobId,
        label: job.name ?? `Job ${jobId.slice(0, 8)}`,
        points,
      });
    } catch (error) {
      this.post({ type: 'error', message: describeApiError(error).message });
    }
  }

  private async cancel(jobId: string): Promise<void> {
    if (jobId !== this.jobId) {
      this.log(`ignored a cancel for job ${jobId} from the monitor of ${this.jobId}`);
      return;
    }
    const name = this.job?.name ?? jobId.slice(0, 8);
    const choice = await vscode.window.showWarningMessage(
      `Cancel training job "${name}"? The GPU stops and the cost so far is charged.`,
      { modal: true },
      'Cancel Job',
    );
    if (choice !== 'Cancel Job') {
      this.post({ type: 'cancelState', state: 'declined', message: '' });
      return;
    }
    try {
      await this.deps.api.cancelJob(jobId);
      // The follower is still polling the active job and reports the cancellation when the
      // GPU side confirms it.
      this.post({ type: 'cancelState', state: 'requested', message: 'Cancellation requested' });
    } catch (error) {
      this.post({ type: 'cancelState', state: 'failed', message: describeApiError(error).message });
    }
  }

  private async exportCsv(fileName: string, csv: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const safeName = fileName.replace(/[\\/:*?"<>|]+/g, '-');
    const target = await vscode.window.showSaveDialog({
      title: 'Export metrics as CSV',
      defaultUri: folder ? vscode.Uri.joinPath(folder, safeName) : undefined,
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(csv));
    void vscode.window.showInformationMessage(`Metrics exported to ${target.fsPath}`);
  }
}
