// Starts the BrightRun language server (dist/server/server.js) over Node IPC and keeps it
// running: restarts on demand, reports its state, and says clearly when it cannot start.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  DATASET_SUMMARY_NOTIFICATION,
  VALIDATE_FILE_REQUEST,
  type DatasetSummary,
  type ValidateFileParams,
  type ValidateFileResult,
} from '../../../common/protocol/lsp.ts';
import serverNodeFlags from '../../../common/protocol/server-node-flags.json' with { type: 'json' };

export type ServerState = 'starting' | 'running' | 'stopped' | 'failed';

/**
 * The node flags of the server (common/protocol/server-node-flags.json, which the benches read
 * too). V8's default young generation (16 MB semispaces) lets a large open keep ~25 MB more
 * resident than it needs; with 4 MB semispaces a 54 MB file opens in the same time (within the
 * noise of `node bench/lsp-open.mjs --tokens`) and the peak RSS with its background token count
 * stays under 4x the file. 1 MB semispaces slow the open by a tenth.
 */
const SERVER_NODE_FLAGS: string[] = serverNodeFlags;

export class LanguageServer implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly stateChanges = new vscode.EventEmitter<ServerState>();
  readonly onDidChangeState = this.stateChanges.event;
  private readonly summaryChanges = new vscode.EventEmitter<DatasetSummary>();
  readonly onDidReceiveSummary = this.summaryChanges.event;
  private readonly summaries = new Map<string, DatasetSummary>();
  private stateValue: ServerState = 'stopped';
  /** Why the server is not running, for the status bar's tooltip. */
  failure: string | undefined;

  constructor(
    private readonly serverModule: string,
    readonly output: vscode.LogOutputChannel,
  ) {}

  get state(): ServerState {
    return this.stateValue;
  }

  /** The latest summary the server published for a document. */
  summary(uri: vscode.Uri): DatasetSummary | undefined {
    return this.summaries.get(uri.toString());
  }

  async start(): Promise<void> {
    if (this.client) return;
    const serverOptions: ServerOptions = {
      run: {
        module: this.serverModule,
        transport: TransportKind.ipc,
        options: { execArgv: SERVER_NODE_FLAGS },
      },
      debug: {
        module: this.serverModule,
        transport: TransportKind.ipc,
        options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6019'] },
      },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'jsonl' },
        { scheme: 'untitled', language: 'jsonl' },
      ],
      synchronize: { configurationSection: 'brightrun' },
      outputChannel: this.output,
      initializationFailedHandler: (error) => {
        this.fail(`the server failed to initialise: ${messageOf(error)}`);
        return false;
      },
      errorHandler: this.errorHandler(() => this.client),
    };
    const client = new LanguageClient(
      'brightrun',
      'BrightRun Language Server',
      serverOptions,
      clientOptions,
    );
    this.client = client;
    client.onDidChangeState(({ newState }) => {
      if (newState === State.Running) this.setState('running');
      else if (newState === State.Starting) this.setState('starting');
      else if (newState === State.StartFailed) this.setState('failed');
      else if (this.stateValue !== 'failed') this.setState('stopped');
    });
    client.onNotification(DATASET_SUMMARY_NOTIFICATION, (summary: DatasetSummary) => {
      this.summaries.set(summary.uri, summary);
      this.summaryChanges.fire(summary);
    });
    this.failure = undefined;
    this.setState('starting');
    try {
      await client.start();
    } catch (error) {
      this.client = undefined;
      this.fail(messageOf(error));
      await client.dispose().catch(() => undefined);
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    this.summaries.clear();
    await this.start();
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        if (client.needsStop()) await client.stop(5000);
      } catch {
        // A server that died already cannot be stopped; it is gone either way.
      }
      await client.dispose().catch(() => undefined);
    }
    if (this.stateValue !== 'failed') this.setState('stopped');
  }

  /**
   * Streams a file from disk through the server (for files VS Code will not hand over); the
   * server publishes its diagnostics and shows its own cancellable progress (it creates a
   * work-done progress with `window/workDoneProgress/create`, which the language client shows).
   */
  async validateFile(
    uri: vscode.Uri,
    token?: vscode.CancellationToken,
  ): Promise<ValidateFileResult> {
    const client = this.client;
    if (!client || this.stateValue !== 'running') {
      throw new Error(
        'The BrightRun language server is not running: run "BrightRun: Restart Language Server".',
      );
    }
    const params: ValidateFileParams = { uri: uri.toString() };
    // An explicit `undefined` token would be sent as a second positional parameter.
    return token
      ? client.sendRequest<ValidateFileResult>(VALIDATE_FILE_REQUEST, params, token)
      : client.sendRequest<ValidateFileResult>(VALIDATE_FILE_REQUEST, params);
  }

  private errorHandler(client: () => LanguageClient | undefined): ErrorHandler {
    let fallback: ErrorHandler | undefined;
    const delegate = (): ErrorHandler | undefined => {
      const c = client();
      if (c && !fallback) fallback = c.createDefaultErrorHandler(4);
      return fallback;
    };
    return {
      error: (error, message, count): ErrorHandlerResult | Promise<ErrorHandlerResult> =>
        delegate()?.error(error, message, count) ?? { action: ErrorAction.Continue },
      closed: async (): Promise<CloseHandlerResult> => {
        const result = (await delegate()?.closed()) ?? { action: CloseAction.DoNotRestart };
        if (result.action === CloseAction.DoNotRestart) {
          this.fail('the server crashed 5 times in the last 3 minutes and was not restarted again');
          return { action: CloseAction.DoNotRestart, handled: true };
        }
        this.output.appendLine('BrightRun language server stopped unexpectedly; restarting it.');
        return { action: CloseAction.Restart, handled: true };
      },
    };
  }

  private fail(reason: string): void {
    this.failure = reason;
    this.setState('failed');
    this.output.appendLine(`BrightRun language server cannot run: ${reason}`);
    void vscode.window
      .showErrorMessage(
        `The BrightRun language server could not start (${reason}). Dataset diagnostics are unavailable until it runs.`,
        'Restart Language Server',
        'Show Output',
      )
      .then((choice) => {
        if (choice === 'Restart Language Server') {
          void vscode.commands.executeCommand('brightrun.restartLanguageServer');
        } else if (choice === 'Show Output') {
          this.output.show(true);
        }
      });
  }

  private setState(state: ServerState): void {
    if (state === this.stateValue) return;
    this.stateValue = state;
    void vscode.commands.executeCommand(
      'setContext',
      'brightrun.serverRunning',
      state === 'running',
    );
    this.stateChanges.fire(state);
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.stateChanges.dispose();
    this.summaryChanges.dispose();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
