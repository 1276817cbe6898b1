// Connects the webview panels (client/src/panels/, issue 7) to the extension: their API client
// is ours under the names the panels use, downloads go through the Download Model flow, and
// logs go to the BrightRun output channel.
import type * as vscode from 'vscode';
import type { ApiClient } from './api/api-client.ts';
import {
  openConfigurePanel,
  openCostPanel,
  openModelPanel,
  openMonitorPanel,
  registerPanelSerializers,
  type PanelApiClient,
  type PanelDeps,
} from './panels/index.ts';

export interface PanelOpeners {
  openConfigure(datasetId?: string): Promise<void>;
  openMonitor(jobId: string): Promise<void>;
  openModel(modelId: string): Promise<void>;
  openCost(): Promise<void>;
}

export function panelApi(api: ApiClient): PanelApiClient {
  return {
    listDatasets: (params) => api.listDatasets(params),
    estimate: (request) => api.estimate(request),
    createJob: (request) => api.call('POST /jobs', { body: request }),
    getJob: (jobId) => api.getJob(jobId),
    listJobs: (params) => api.listJobs(params),
    getMetrics: (jobId, params) => api.jobMetrics(jobId, params),
    cancelJob: (jobId) => api.call('POST /jobs/:id/cancel', { id: jobId }),
    getModel: (modelId) => api.getModel(modelId),
    getCostDashboard: (params) => api.costDashboard(params),
  };
}

export function createPanels(
  context: vscode.ExtensionContext,
  api: ApiClient,
  output: vscode.LogOutputChannel,
  download: (modelId: string, files: string[]) => Promise<{ written: string[] } | undefined>,
  onJobCreated: () => void,
): PanelOpeners {
  const base = panelApi(api);
  const deps: PanelDeps = {
    api: {
      ...base,
      createJob: async (request) => {
        const created = await base.createJob(request);
        onJobCreated();
        return created;
      },
      cancelJob: async (jobId) => {
        const cancelled = await base.cancelJob(jobId);
        onJobCreated();
        return cancelled;
      },
    },
    downloadModel: (modelId, files) => download(modelId, files),
    log: (message) => output.appendLine(message),
  };
  registerPanelSerializers(context, deps);
  return {
    openConfigure: (datasetId) => {
      openConfigurePanel(context, deps, datasetId);
      return Promise.resolve();
    },
    openMonitor: (jobId) => {
      openMonitorPanel(context, deps, jobId);
      return Promise.resolve();
    },
    openModel: (modelId) => {
      openModelPanel(context, deps, modelId);
      return Promise.resolve();
    },
    openCost: () => {
      openCostPanel(context, deps);
      return Promise.resolve();
    },
  };
}
