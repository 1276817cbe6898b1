/** Hosts a model's details; downloads are delegated to the extension (PanelDeps.downloadModel). */
import * as vscode from 'vscode';
import {
  VIEW_TYPES,
  modelToHost,
  type ModelToHost,
  type ModelToWebview,
} from '../../../webview/src/shared/messages.ts';
import { describeApiError, type PanelDeps } from './deps.ts';
import { PanelHost, panelColumn, webviewOptions } from './panel-host.ts';

export type OpenMonitorFromModel = (jobId: string) => void;

export class ModelPanel extends PanelHost<ModelToWebview, ModelToHost> {
  private static readonly panels = new Map<string, ModelPanel>();
  private fileNames = new Set<string>();
  private retry: ReturnType<typeof setTimeout> | undefined;

  static createOrShow(
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openMonitor: OpenMonitorFromModel,
    modelId: string,
  ): ModelPanel {
    const existing = ModelPanel.panels.get(modelId);
    if (existing && !existing.isDisposed) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPES.model,
      'Model',
      panelColumn(),
      webviewOptions(context.extensionUri),
    );
    return new ModelPanel(panel, context, deps, openMonitor, modelId);
  }

  static restore(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    openMonitor: OpenMonitorFromModel,
    modelId: string,
  ): ModelPanel {
    ModelPanel.panels.get(modelId)?.dispose();
    return new ModelPanel(panel, context, deps, openMonitor, modelId);
  }

  private constructor(
    panel: vscode.WebviewPanel,
    context: vscode.ExtensionContext,
    deps: PanelDeps,
    private readonly openMonitor: OpenMonitorFromModel,
    readonly modelId: string,
  ) {
    super(panel, context, deps, 'model', modelToHost);
    ModelPanel.panels.set(modelId, this);
  }

  protected override onDispose(): void {
    if (this.retry !== undefined) clearTimeout(this.retry);
    if (ModelPanel.panels.get(this.modelId) === this) ModelPanel.panels.delete(this.modelId);
  }

  protected async handle(message: ModelToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        await this.sendModel();
        return;
      case 'download':
        await this.download(message.modelId, message.files);
        return;
      case 'openMonitor':
        this.openMonitor(message.jobId);
        return;
    }
  }

  private async sendModel(): Promise<void> {
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.retry = undefined;
    if (this.isDisposed) return;
    try {
      const { model, checkpoints } = await this.deps.api.getModel(this.modelId);
      this.fileNames = new Set(Object.keys(model.files));
      this.panel.title = `Model: ${model.name}`;
      this.post({ type: 'model', model, checkpoints });
      // Artifacts are still being copied: look again until they are ready (or failed).
      if (model.status === 'creating') this.retry = setTimeout(() => void this.sendModel(), 3000);
    } catch (error) {
      this.post({ type: 'error', message: describeApiError(error).message });
    }
  }

  private async download(modelId: string, files: string[]): Promise<void> {
    // Only this panel's model and files it listed: a webview cannot widen what gets written.
    const unknown = files.filter((f) => !this.fileNames.has(f));
    if (modelId !== this.modelId || unknown.length > 0 || files.length === 0) {
      this.log(`ignored a download request for ${modelId} (${files.join(', ')})`);
      return;
    }
    this.post({ type: 'download', state: 'started', files, message: 'Downloading…' });
    try {
      const outcome = await this.deps.downloadModel(modelId, files);
      if (!outcome) {
        this.post({ type: 'download', state: 'cancelled', files, message: 'Download cancelled' });
        return;
      }
      const where =
        outcome.written.length === 1 ? outcome.written[0] : `${outcome.written.length} files`;
      this.post({ type: 'download', state: 'done', files, message: `Saved ${where}` });
    } catch (error) {
      const { message } = describeApiError(error);
      this.post({ type: 'download', state: 'failed', files, message });
    }
  }
}
