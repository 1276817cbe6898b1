/** Hosts the configure panel: datasets in, estimates from the server, submit, then the monitor. */
import * as vscode from 'vscode';
import type { DatasetSummary } from '../../../common/api/types.ts';
import {
  VIEW_TYPES,
  configureToHost,
  type ConfigureToHost,
  type ConfigureToWebview,
} from '../../../webview/src/shared/messages.ts';
import { describeApiError, type PanelDeps } from './deps.ts';
import { PanelHost, panelColumn, webviewOptions } from './panel-host.ts';

/** Ready datasets are listed a page at a time; a user with more sees the newest. */
const DATASET_PAGE = 100;

export type OpenMonitor = (jobId: string) => void;

export class ConfigurePanel extends PanelHost<ConfigureToWebview, ConfigureToHost> {
  private static current: ConfigurePanel | undefined;
  private selectedDatasetId: string | null;

  static createOrShow(
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openMonitor: OpenMonitor,
    datasetId?: string,
  ): ConfigurePanel {
    const existing = ConfigurePanel.current;
    if (existing && !existing.isDisposed) {
      existing.panel.reveal();
      if (datasetId) {
        existing.selectedDatasetId = datasetId;
        void existing.sendDatasets();
      }
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPES.configure,
      'Configure Training Job',
      panelColumn(),
      webviewOptions(context.extensionUri),
    );
    return new ConfigurePanel(panel, context, deps, openMonitor, datasetId ?? null);
  }

  /** Used by the serializer with a restored panel. */
  static restore(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openMonitor: OpenMonitor,
    datasetId: string | null,
  ): ConfigurePanel {
    ConfigurePanel.current?.dispose();
    return new ConfigurePanel(panel, context, deps, openMonitor, datasetId);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    private readonly openMonitor: OpenMonitor,
    datasetId: string | null,
  ) {
    super(panel, context, deps, 'configure', configureToHost);
    this.selectedDatasetId = datasetId;
    ConfigurePanel.current = this;
  }

  protected override onDispose(): void {
    if (ConfigurePanel.current === this) ConfigurePanel.current = undefined;
  }

  protected async handle(message: ConfigureToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
      case 'refreshDatasets':
        await this.sendDatasets();
        return;
      case 'requestEstimate':
        try {
          const estimate = await this.deps.api.estimate(message.request);
          this.post({ type: 'estimate', requestId: message.requestId, estimate });
        } catch (error) {
          const { message: text, issues } = describeApiError(error);
          this.post({
            type: 'estimateFailed',
            requestId: message.requestId,
            message: text,
            issues,
          });
        }
        return;
      case 'submit':
        await this.submit(message.request);
        return;
    }
  }

  private async submit(request: Extract<ConfigureToHost, { type: 'submit' }>['request']) {
    try {
      // The server recomputes the estimate and checks the configuration again; the job row
      // carries its authoritative figure.
      const { job } = await this.deps.api.createJob(request);
      this.selectedDatasetId = request.dataset_id;
      this.post({
        type: 'submitted',
        jobId: job.id,
        label: job.name ?? `Job ${job.id.slice(0, 8)}`,
      });
      this.openMonitor(job.id);
    } catch (error) {
      const { message, issues } = describeApiError(error);
      this.post({ type: 'submitFailed', message, issues });
    }
  }

  private async sendDatasets(): Promise<void> {
    try {
      const page = await this.deps.api.listDatasets({ status: 'ready', limit: DATASET_PAGE });
      const datasets: DatasetSummary[] = page.items.filter((d) => d.training_ready);
      this.post({ type: 'datasets', datasets, selectedDatasetId: this.selectedDatasetId });
    } catch (error) {
      this.post({ type: 'error', message: describeApiError(error).message });
    }
  }
}
