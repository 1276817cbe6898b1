/**
 * The panels' entry points for the rest of the extension: open each panel, and register the
 * serializers that bring panels back after a window reload. The extension calls
 * `registerPanelSerializers` once on activation (package.json lists `onWebviewPanel:<viewType>`
 * activation events for the four VIEW_TYPES) and the open functions from its commands.
 */
import * as vscode from 'vscode';
import { validate } from '../../../webview/src/shared/validate.ts';
import {
  VIEW_TYPES,
  panelStateValidators,
  type PanelKind,
} from '../../../webview/src/shared/messages.ts';
import { ConfigurePanel } from './configure-panel.ts';
import { CostPanel } from './cost-panel.ts';
import type { PanelDeps } from './deps.ts';
import { ModelPanel } from './model-panel.ts';
import { MonitorPanel } from './monitor-panel.ts';
import { webviewOptions } from './panel-host.ts';

export type { DownloadOutcome, PanelApiClient, PanelApiError, PanelDeps } from './deps.ts';
export { VIEW_TYPES } from '../../../webview/src/shared/messages.ts';

export function openConfigurePanel(
  ctx: vscode.ExtensionContext,
  deps: PanelDeps,
  datasetId?: string,
): ConfigurePanel {
  return ConfigurePanel.createOrShow(
    ctx,
    deps,
    (jobId) => openMonitorPanel(ctx, deps, jobId),
    datasetId,
  );
}

export function openMonitorPanel(
  ctx: vscode.ExtensionContext,
  deps: PanelDeps,
  jobId: string,
): MonitorPanel {
  return MonitorPanel.createOrShow(
    ctx,
    deps,
    (modelId) => openModelPanel(ctx, deps, modelId),
    jobId,
  );
}

export function openModelPanel(
  ctx: vscode.ExtensionContext,
  deps: PanelDeps,
  modelId: string,
): ModelPanel {
  return ModelPanel.createOrShow(ctx, deps, (jobId) => openMonitorPanel(ctx, deps, jobId), modelId);
}

export function openCostPanel(ctx: vscode.ExtensionContext, deps: PanelDeps): CostPanel {
  return CostPanel.createOrShow(ctx, deps, (jobId) => openMonitorPanel(ctx, deps, jobId));
}

/**
 * Restores each kind of panel after a reload from the state its app saved (vscode.setState),
 * validated like any other message; a panel whose state is unusable is closed.
 */
export function registerPanelSerializers(ctx: vscode.ExtensionContext, deps: PanelDeps): void {
  const toMonitor = (jobId: string) => openMonitorPanel(ctx, deps, jobId);
  const toModel = (modelId: string) => openModelPanel(ctx, deps, modelId);
  const restore: Record<PanelKind, (panel: vscode.WebviewPanel, state: unknown) => boolean> = {
    configure: (panel, state) => {
      const s = validate(panelStateValidators.configure, state ?? {}, 'state');
      ConfigurePanel.restore(
        panel,
        ctx,
        deps,
        toMonitor,
        s.ok ? (s.value.datasetId ?? null) : null,
      );
      return true;
    },
    monitor: (panel, state) => {
      const s = validate(panelStateValidators.monitor, state, 'state');
      if (!s.ok) return false;
      MonitorPanel.restore(panel, ctx, deps, toModel, s.value.jobId);
      return true;
    },
    model: (panel, state) => {
      const s = validate(panelStateValidators.model, state, 'state');
      if (!s.ok) return false;
      ModelPanel.restore(panel, ctx, deps, toMonitor, s.value.modelId);
      return true;
    },
    cost: (panel) => {
      CostPanel.restore(panel, ctx, deps, toMonitor);
      return true;
    },
  };
  for (const kind of Object.keys(VIEW_TYPES) as PanelKind[]) {
    ctx.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(VIEW_TYPES[kind], {
        deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
          // The restored panel keeps its old options until the host sets them again.
          panel.webview.options = webviewOptions(ctx.extensionUri);
          if (!restore[kind](panel, state)) {
            deps.log(`[${kind} panel] could not restore a panel: its saved state is unusable`);
            panel.dispose();
          }
          return Promise.resolve();
        },
      }),
    );
  }
}
