// The BrightRun extension's entry point: builds the services (language server, backend and API
// client, side bar data, notifications, panels), registers every command and view, and returns
// an API that the extension-host tests read (the same objects the UI shows).
import * as vscode from 'vscode';
import { ApiClient } from './api/api-client.ts';
import {
  AUTH_PROVIDER_ID,
  AUTH_PROVIDER_LABEL,
  BrightRunAuthProvider,
} from './backend/auth-provider.ts';
import { BackendManager } from './backend/backend-manager.ts';
import { backendCommands, interactiveSignIn } from './commands/backend-commands.ts';
import { datasetCommands } from './commands/dataset-commands.ts';
import { jobCommands } from './commands/job-commands.ts';
import { languageCommands } from './commands/language-commands.ts';
import { downloadModel, modelCommands } from './commands/model-commands.ts';
import { lastFailure, registerCommands } from './commands/registry.ts';
import { LanguageServer } from './language/language-server.ts';
import { DatasetStatusBar } from './language/status-bar.ts';
import { Notifier } from './notifications/notifier.ts';
import { createPanels } from './panel-bridge.ts';
import type { Services } from './services.ts';
import { BackendData } from './views/backend-data.ts';
import { Refresher } from './views/refresher.ts';
import { DatasetsTree, JobsTree, ModelsTree, NotificationsTree } from './views/trees.ts';
import { openWalkthroughOnFirstRun } from './walkthrough.ts';

export interface BrightRunExtensionApi {
  services: Services;
  statusBar: DatasetStatusBar;
  /** The latest command failure, for diagnosis. */
  lastFailure: { command?: string; message?: string };
  trees: {
    datasets: DatasetsTree;
    jobs: JobsTree;
    models: ModelsTree;
    notifications: NotificationsTree;
  };
}

let services: Services | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<BrightRunExtensionApi> {
  const output = vscode.window.createOutputChannel('BrightRun', { log: true });
  context.subscriptions.push(output);

  // Backend, sign-in and the API client.
  // The provider and the backend refer to each other; both closures run only after activation.
  const authProvider: BrightRunAuthProvider = new BrightRunAuthProvider(
    () => backend.supabaseAuth(),
    () => all.signIn(),
  );
  const backend = new BackendManager(context.secrets, (user) => authProvider.notify(user));
  context.subscriptions.push(backend);
  const api = new ApiClient({ access: () => backend.access(), refresh: () => backend.refresh() });

  // The side bar's data, its polling and the notifications it raises.
  const data = new BackendData(api);
  const refresher = new Refresher(data, () => {
    const config = vscode.workspace.getConfiguration('brightrun');
    return {
      minIntervalMs: Math.max(500, config.get<number>('views.pollIntervalSeconds', 2) * 1000),
      maxIntervalMs: Math.max(1000, config.get<number>('views.maxPollIntervalSeconds', 30) * 1000),
      factor: 1.5,
    };
  });
  const notifier = new Notifier(data, api, () => void refresher.poke());
  context.subscriptions.push(data, refresher, notifier);

  // The language server and its status bar item.
  const server = new LanguageServer(context.asAbsolutePath('dist/server/server.js'), output);
  const statusBar = new DatasetStatusBar(server);
  context.subscriptions.push(statusBar, { dispose: () => void server.dispose() });

  const partial: Omit<Services, 'panels'> = {
    context,
    output,
    api,
    backend,
    server,
    data,
    refresher,
    notifier,
    cliModule: context.asAbsolutePath('bin/brightrun.mjs'),
    signIn: () => interactiveSignIn({ backend }),
  };
  const panels = createPanels(
    context,
    api,
    output,
    (modelId, files) => downloadModel(all, modelId, { files }),
    () => void refresher.poke(),
  );
  const all: Services = { ...partial, panels };
  services = all;

  context.subscriptions.push(
    authProvider,
    vscode.authentication.registerAuthenticationProvider(
      AUTH_PROVIDER_ID,
      AUTH_PROVIDER_LABEL,
      authProvider,
      {
        supportsMultipleAccounts: false,
      },
    ),
  );

  registerCommands(all, [
    ...datasetCommands(all),
    ...jobCommands(all),
    ...modelCommands(all),
    ...languageCommands(),
    ...backendCommands(all),
  ]);

  const trees = {
    datasets: new DatasetsTree(data),
    jobs: new JobsTree(data),
    models: new ModelsTree(data),
    notifications: new NotificationsTree(data),
  };
  const notificationsView = vscode.window.createTreeView('brightrun.notifications', {
    treeDataProvider: trees.notifications,
  });
  context.subscriptions.push(
    ...Object.values(trees),
    vscode.window.createTreeView('brightrun.datasets', {
      treeDataProvider: trees.datasets,
      showCollapseAll: false,
    }),
    vscode.window.createTreeView('brightrun.jobs', { treeDataProvider: trees.jobs }),
    vscode.window.createTreeView('brightrun.models', { treeDataProvider: trees.models }),
    notificationsView,
    data.onDidChange(() => {
      const unread = data.snapshot.unread;
      notificationsView.badge =
        unread > 0
          ? { value: unread, tooltip: `${unread} unread BrightRun notifications` }
          : undefined;
    }),
    backend.onDidChange((state) => {
      notifier.reset();
      if (state.configured && state.signedIn) void refresher.poke();
      else data.clear();
    }),
  );

  await backend.update();
  // Neither the server's start nor the first load may hold up activation.
  void server.start();
  if (backend.state.configured && backend.state.signedIn) void refresher.poke();
  else data.clear();
  void openWalkthroughOnFirstRun(context).catch((error: unknown) =>
    output.warn(`could not open the Getting Started walkthrough: ${String(error)}`),
  );

  return { services: all, statusBar, trees, lastFailure };
}

export async function deactivate(): Promise<void> {
  await services?.server.stop();
  services = undefined;
}
