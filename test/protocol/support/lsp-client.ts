import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type {
  Diagnostic,
  InitializeParams,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';
import {
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';

import { DATASET_SUMMARY_NOTIFICATION, TIMING_NOTIFICATION } from '../../../common/protocol/lsp.ts';

const serverBundle = fileURLToPath(new URL('../../../dist/server/server.js', import.meta.url));

export interface StartOptions {
  /** The command line after `node` (default: the server bundle with --stdio). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  initializationOptions?: unknown;
  /** Advertise window.workDoneProgress (the server may then create progress tokens). */
  workDoneProgress?: boolean;
}

/** A diagnostic's message as text (LSP 3.18 also allows markup). */
export function messageText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

type Waiter<T> = { match: (value: T) => boolean; resolve: (value: T) => void };

/**
 * A real LSP client talking to the real server process over stdio. Tests wait for the
 * server's notifications (with a timeout), never for a fixed time.
 */
export class LspClient {
  readonly published: PublishDiagnosticsParams[] = [];
  readonly notifications: { method: string; params: unknown }[] = [];
  private readonly diagnosticWaiters: Waiter<PublishDiagnosticsParams>[] = [];
  private readonly notificationWaiters: Waiter<{ method: string; params: unknown }>[] = [];
  private stderr = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
  ) {}

  /** The settings the client answers `workspace/configuration` with; tests may change them. */
  settings: Record<string, unknown> = {};

  static async start(
    settings: Record<string, unknown> = {},
    options: StartOptions = {},
  ): Promise<LspClient> {
    const child = spawn(process.execPath, options.args ?? [serverBundle, '--stdio'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
    });
    const connection = createProtocolConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const client = new LspClient(child, connection);
    client.settings = settings;
    child.stderr.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      client.published.push(params);
      client.settle(client.diagnosticWaiters, params);
    });
    for (const method of [DATASET_SUMMARY_NOTIFICATION, TIMING_NOTIFICATION, '$/progress']) {
      connection.onNotification(method, (params: unknown) => {
        const event = { method, params };
        client.notifications.push(event);
        client.settle(client.notificationWaiters, event);
      });
    }
    connection.onRequest('workspace/configuration', (params: { items: unknown[] }) =>
      params.items.map(() => client.settings),
    );
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.listen();
    const init: InitializeParams = {
      processId: process.pid,
      rootUri: null,
      capabilities: {
        workspace: { configuration: true },
        window: { workDoneProgress: options.workDoneProgress === true },
      },
      initializationOptions: options.initializationOptions,
    };
    await connection.sendRequest(InitializeRequest.type, init);
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Exits with the server process's exit code (null when killed by a signal). */
  get exited(): Promise<number | null> {
    if (this.child.exitCode !== null) return Promise.resolve(this.child.exitCode);
    return new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification(DidCloseTextDocumentNotification.type, {
      textDocument: { uri },
    });
  }

  async changeConfiguration(settings: Record<string, unknown>): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, {
      settings: null,
    });
  }

  /**
   * Writes notifications to the server in a single write, as one burst: the server reads them
   * together, which is what a fast typist's editor does to it. Call only when nothing else is
   * being sent.
   */
  sendBurst(notifications: { method: string; params: unknown }[]): Promise<void> {
    const frames = notifications.map((n) => {
      const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...n }), 'utf8');
      return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
    });
    const stdin = this.child.stdin!;
    return new Promise((resolve, reject) =>
      stdin.write(Buffer.concat(frames), (err) => (err ? reject(err) : resolve())),
    );
  }

  /**
   * Resolves with the first publish (past or future) that `match` accepts; `match` also gets
   * the publish's position among all publishes, so a test can ask for one after a point.
   */
  publication(
    match: (p: PublishDiagnosticsParams, index: number) => boolean,
    timeoutMs = 10_000,
  ): Promise<PublishDiagnosticsParams> {
    const seen = this.published.findIndex((p, i) => match(p, i));
    if (seen >= 0) return Promise.resolve(this.published[seen]);
    return this.wait(
      this.diagnosticWaiters,
      (p) => match(p, this.published.indexOf(p)),
      timeoutMs,
      'a matching publish',
    );
  }

  /** Every publish for `uri` so far, in arrival order. */
  publishedFor(uri: string): PublishDiagnosticsParams[] {
    return this.published.filter((p) => p.uri === uri);
  }

  get serverStderr(): string {
    return this.stderr;
  }

  async open(uri: string, text: string, version = 1, languageId = 'jsonl'): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, {
      textDocument: { uri, languageId, version, text },
    });
  }

  async change(
    uri: string,
    version: number,
    contentChanges: TextDocumentContentChangeEvent[],
  ): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version },
      contentChanges,
    });
  }

  /** Resolves with the first publish for `uri` (and `version`, when given), past or future. */
  diagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<Diagnostic[]> {
    const match = (p: PublishDiagnosticsParams) =>
      p.uri === uri && (version === undefined || p.version === version);
    const seen = this.published.find(match);
    if (seen) return Promise.resolve(seen.diagnostics);
    return this.wait(this.diagnosticWaiters, match, timeoutMs, `diagnostics for ${uri}`).then(
      (p) => p.diagnostics,
    );
  }

  notification(method: string, match: (params: unknown) => boolean, timeoutMs = 10_000) {
    const test = (e: { method: string; params: unknown }) => e.method === method && match(e.params);
    const seen = this.notifications.find(test);
    if (seen) return Promise.resolve(seen.params);
    return this.wait(this.notificationWaiters, test, timeoutMs, method).then((e) => e.params);
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      this.child.kill();
    }
    await exited;
    this.connection.dispose();
  }

  private wait<T>(
    waiters: Waiter<T>[],
    match: (value: T) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.stderr}`));
      }, timeoutMs);
      waiters.push({
        match,
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
      });
    });
  }

  private settle<T>(waiters: Waiter<T>[], value: T): void {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i].match(value)) waiters.splice(i, 1)[0].resolve(value);
    }
  }
}
