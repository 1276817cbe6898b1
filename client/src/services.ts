// Everything a command needs, built once in activate() and handed to each command module.
import type * as vscode from 'vscode';
import type { ApiClient } from './api/api-client.ts';
import type { BackendManager } from './backend/backend-manager.ts';
import type { SignedInUser } from './backend/supabase-auth.ts';
import type { LanguageServer } from './language/language-server.ts';
import type { Notifier } from './notifications/notifier.ts';
import type { PanelOpeners } from './panel-bridge.ts';
import type { BackendData } from './views/backend-data.ts';
import type { Refresher } from './views/refresher.ts';

export interface Services {
  context: vscode.ExtensionContext;
  output: vscode.LogOutputChannel;
  api: ApiClient;
  backend: BackendManager;
  server: LanguageServer;
  data: BackendData;
  refresher: Refresher;
  notifier: Notifier;
  panels: PanelOpeners;
  /** The bundled CLI launcher (bin/brightrun.mjs). */
  cliModule: string;
  /** The interactive Supabase sign-in (quick inputs). */
  signIn(): Promise<SignedInUser | undefined>;
}
