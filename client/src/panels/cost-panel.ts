/** Hosts the cost dashboard: recorded spend plus the running jobs' accruing cost. */
import * as vscode from 'vscode';
import { ACTIVE_JOB_STATUSES } from '../../../common/api/types.ts';
import {
  VIEW_TYPES,
  costToHost,
  type CostToHost,
  type CostToWebview,
  type RunningJobView,
} from '../../../webview/src/shared/messages.ts';
import { describeApiError, type PanelDeps } from './deps.ts';
import { PanelHost, panelColumn, webviewOptions } from './panel-host.ts';

/** While jobs run, re-read the recorded figures this often (the panel accrues in between). */
const REFRESH_WHILE_RUNNING_MS = 15_000;

export type OpenMonitorFromCosts = (jobId: string) => void;

export class CostPanel extends PanelHost<CostToWebview, CostToHost> {
  private static current: CostPanel | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  static createOrShow(
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openMonitor: OpenMonitorFromCosts,
  ): CostPanel {
    const existing = CostPanel.current;
    if (existing && !existing.isDisposed) {
      existing.panel.reveal();
      void existing.refresh();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPES.cost,
      'BrightRun Costs',
      panelColumn(),
      webviewOptions(context.extensionUri),
    );
    return new CostPanel(panel, context, deps, openMonitor);
  }

  static restore(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openMonitor: OpenMonitorFromCosts,
  ): CostPanel {
    CostPanel.current?.dispose();
    return new CostPanel(panel, context, deps, openMonitor);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    private readonly openMonitor: OpenMonitorFromCosts,
  ) {
    super(panel, context, deps, 'cost', costToHost);
    CostPanel.current = this;
    // No refreshes for a hidden panel; its app asks again (`ready`) when shown.
    this.disposables.push(
      panel.onDidChangeViewState(() => {
        if (!panel.visible && this.timer !== undefined) clearTimeout(this.timer);
      }),
    );
  }

  protected override onDispose(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (CostPanel.current === this) CostPanel.current = undefined;
  }

  protected async handle(message: CostToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'refresh':
        await this.refresh();
        return;
      case 'openMonitor':
        this.openMonitor(message.jobId);
        return;
    }
  }

  private async refresh(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      const [dashboard, active] = await Promise.all([
        this.deps.api.getCostDashboard(),
        this.deps.api.listJobs({ status: ACTIVE_JOB_STATUSES.join(','), limit: 100 }),
      ]);
      const running: RunningJobView[] = active.items.map((j) => ({
        jobId: j.id,
        label: j.name ?? `Job ${j.id.slice(0, 8)}`,
        gpuType: j.gpu_type,
        gpuCount: j.gpu_count,
        // A queued job has a rate but accrues nothing until it starts.
        hourlyRate: j.started_at ? (j.hourly_rate ?? 0) : 0,
        runningCost: j.running_cost ?? 0,
        startedAt: j.started_at,
      }));
      this.post({ type: 'dashboard', dashboard, running, fetchedAt: Date.now() });
      if (running.length > 0 && !this.isDisposed) {
        this.timer = setTimeout(() => void this.refresh(), REFRESH_WHILE_RUNNING_MS);
      }
    } catch (error) {
      this.post({ type: 'error', message: describeApiError(error).message });
    }
  }
}
