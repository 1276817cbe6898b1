/**
 * What every panel host shares: the webview's options (scripts on, resources only from the built
 * webview folder), the HTML with a fresh nonce per load, incoming messages validated before use
 * (anything unknown or malformed is logged and dropped), typed outgoing messages, and disposal.
 */
import * as vscode from 'vscode';
import type { PanelKind } from '../../../webview/src/shared/messages.ts';
import type { ValidationResult } from '../../../webview/src/shared/validate.ts';
import { createNonce, renderPanelHtml } from './csp.ts';
import type { PanelDeps } from './deps.ts';

/** The folder esbuild writes the panel bundles to, relative to the extension root. */
export const WEBVIEW_DIST = ['dist', 'webview'] as const;

export function webviewRoot(extensionUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(extensionUri, ...WEBVIEW_DIST);
}

export function webviewOptions(
  extensionUri: vscode.Uri,
): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [webviewRoot(extensionUri)],
    // The apps keep their own state (vscode.setState) and rebuild from messages; keeping
    // hidden panels alive would cost memory for nothing.
    retainContextWhenHidden: false,
  };
}

/** A message set's parser (webview/src/shared/messages.ts) for the messages a host accepts. */
export interface IncomingMessages<T> {
  parse(raw: unknown): ValidationResult<T>;
}

export abstract class PanelHost<
  ToWebview extends { type: string },
  ToHost extends { type: string },
> {
  protected readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly context: vscode.ExtensionContext,
    protected readonly deps: PanelDeps,
    readonly kind: PanelKind,
    private readonly incoming: IncomingMessages<ToHost>,
  ) {
    const webview = panel.webview;
    webview.options = webviewOptions(context.extensionUri);
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
    this.render();
  }

  /** Loads (or reloads) the app with a fresh nonce. */
  protected render(): void {
    const webview = this.panel.webview;
    const root = webviewRoot(this.context.extensionUri);
    webview.html = renderPanelHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      title: this.panel.title,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${this.kind}.js`)).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(root, `${this.kind}.css`)).toString(),
    });
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  protected post(message: ToWebview): void {
    if (this.disposed) return;
    // postMessage resolves false when the webview is gone; nothing to do then.
    void this.panel.webview.postMessage(message);
  }

  protected log(text: string): void {
    this.deps.log(`[${this.kind} panel] ${text}`);
  }

  private receive(raw: unknown): void {
    const parsed = this.incoming.parse(raw);
    if (!parsed.ok) {
      this.log(`rejected a message from the webview: ${parsed.error}`);
      return;
    }
    const message = parsed.value;
    this.handle(message).catch((error: unknown) => {
      this.log(`handling "${message.type}" failed: ${String(error)}`);
    });
  }

  protected abstract handle(message: ToHost): Promise<void>;

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.onDispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  /** Stops timers and removes the panel from its registry. */
  protected onDispose(): void {}
}

/** Column for a new panel: beside the editor when one is open. */
export function panelColumn(): vscode.ViewColumn {
  return vscode.window.activeTextEditor ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active;
}
