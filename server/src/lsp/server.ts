import type { CancellationToken, Connection, InitializeResult } from 'vscode-languageserver';
import type {
  DidChangeTextDocumentParams,
  WorkDoneProgressBegin,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageserver';
import {
  LSPErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  WorkDoneProgress,
} from 'vscode-languageserver';
import type {
  DatasetSummary,
  TimingReport,
  ValidateFileParams,
  ValidateFileResult,
} from '../../../common/protocol/lsp.ts';
import {
  DATASET_SUMMARY_NOTIFICATION,
  TIMING_NOTIFICATION,
  VALIDATE_FILE_REQUEST,
} from '../../../common/protocol/lsp.ts';
import { DatasetDocument } from './document/dataset-document.ts';
import { warmUp } from './document/line-analyzer.ts';
import { collectDiagnostics } from './diagnostics/collect.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { complete } from './features/completion.ts';
import { EditorFeatures } from './features/editor-features.ts';
import { hover } from './features/hover.ts';
import type { TokenTotals } from './features/token-service.ts';
import { TokenService } from './features/token-service.ts';
import type { FileProgress } from './features/validate-file.ts';
import { validateFile } from './features/validate-file.ts';
import { isCandidate, looksLikeDataset } from './settings/dataset-filter.ts';
import { SettingsCache } from './settings/settings-cache.ts';
import { LineStore } from '../documents/line-store.ts';
import type { IncomingMessage } from './transport.ts';
import { cpuMs, encodedAt, withSerializedDiagnostics } from './transport.ts';
import { takeOpenedLines } from './stdio-reader.ts';

/** What the transport learnt about messages before they were dispatched (see transport.ts). */
export interface ServerTap {
  /** The newest document version the client has sent, per URI, dispatched or not. */
  latestVersion(uri: string): number | undefined;
  /** When the message being handled started decoding (0 when timing is off). */
  receivedAt(uri: string): number;
  /** The process's CPU time (ms) then. */
  receivedCpu(uri: string): number;
  timing: { on: boolean };
}

/** Tracks the messages the transport has read; feeds `ServerTap`. */
export function createTap(timingOn: boolean): ServerTap & { see(m: IncomingMessage): void } {
  const versions = new Map<string, number>();
  const received = new Map<string, { at: number; cpu: number }>();
  const timing = { on: timingOn };
  return {
    timing,
    latestVersion: (uri) => versions.get(uri),
    receivedAt: (uri) => received.get(uri)?.at ?? 0,
    receivedCpu: (uri) => received.get(uri)?.cpu ?? 0,
    see(m) {
      if (m.method !== 'textDocument/didChange' && m.method !== 'textDocument/didOpen') return;
      const doc = (m.params as { textDocument?: { uri?: unknown; version?: unknown } })
        .textDocument;
      if (typeof doc?.uri !== 'string' || typeof doc.version !== 'number') return;
      versions.set(doc.uri, doc.version);
      if (timing.on) received.set(doc.uri, { at: m.receivedAt, cpu: m.receivedCpu });
    },
  };
}

/**
 * Wires an LSP connection to the dataset engine. Handlers stay thin: they find the document,
 * hand the change to it, and publish what it says.
 */
export function startServer(connection: Connection, tap?: ServerTap): void {
  const documents = new Map<string, DatasetDocument>();
  let hasConfiguration = false;
  let hasProgress = false;
  const settings = new SettingsCache(connection, () => hasConfiguration);
  const tokens = new TokenService({ log: (m) => connection.console.warn(m) });
  const languages = new Map<string, string>();
  /**
   * Open documents that include/exclude leave out: only their text is kept (no analysis), so a
   * settings change that takes them in can validate them at once.
   */
  const ignored = new Map<string, { store: LineStore; version: number }>();
  const timing = tap?.timing ?? { on: false };
  const editorFeatures = new EditorFeatures(connection, {
    document: (uri) => documents.get(uri),
    settings: (uri) => settings.get(uri),
  });

  connection.onInitialize((params): InitializeResult => {
    hasConfiguration = params.capabilities.workspace?.configuration === true;
    hasProgress = params.capabilities.window?.workDoneProgress === true;
    const options = params.initializationOptions as { timing?: unknown } | undefined;
    if (options?.timing === true) timing.on = true;
    return {
      capabilities: {
        textDocumentSync: {
          openClose: true,
          change: TextDocumentSyncKind.Incremental,
        },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['"', ':', ','] },
        ...editorFeatures.capabilities(params),
      },
      serverInfo: { name: 'brightrun-language-server' },
    };
  });

  // Compile the line analysis while the client has nothing for us yet, in slices short enough
  // not to hold up a message that arrives meanwhile (its time counts from its first byte).
  connection.onInitialized(() => {
    let done = 0;
    const slice = () => {
      warmUp(done, WARM_UP_SLICE);
      done += WARM_UP_SLICE;
      if (done < WARM_UP_LINES) setImmediate(slice);
    };
    setImmediate(slice);
  });

  /** Changes that arrive while an open waits for the document's settings, applied after it. */
  const opening = new Map<string, DidChangeTextDocumentParams[]>();

  connection.onDidOpenTextDocument(async ({ textDocument }) => {
    const started = timing.on ? performance.now() : 0;
    const startCpu = timing.on ? cpuMs() : 0;
    const { uri, languageId, version, text } = textDocument;
    const content = takeOpenedLines(textDocument) ?? text;
    languages.set(uri, languageId);
    opening.set(uri, []);
    const config = await settings.get(uri);
    const queued = opening.get(uri) ?? [];
    opening.delete(uri);
    if (!isCandidate(uri, languageId, config)) {
      const other = { store: new LineStore(content), version };
      ignored.set(uri, other);
      for (const change of queued) applyToStore(other, change);
      return;
    }
    const document = new DatasetDocument(uri, version, content);
    documents.set(uri, document);
    for (const change of queued)
      document.applyChanges(change.contentChanges, change.textDocument.version);
    await publish(document, timing.on ? { event: 'open', started, cpu: startCpu } : undefined);
  });

  connection.onDidChangeTextDocument(async (params) => {
    const { textDocument, contentChanges } = params;
    const started = timing.on ? performance.now() : 0;
    const startCpu = timing.on ? cpuMs() : 0;
    const pending = opening.get(textDocument.uri);
    if (pending !== undefined) {
      pending.push(params);
      return;
    }
    const document = documents.get(textDocument.uri);
    if (document === undefined) {
      const other = ignored.get(textDocument.uri);
      if (other !== undefined) applyToStore(other, params);
      return;
    }
    document.applyChanges(contentChanges, textDocument.version);
    await publish(document, timing.on ? { event: 'change', started, cpu: startCpu } : undefined);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    ignored.delete(textDocument.uri);
    languages.delete(textDocument.uri);
    if (!documents.delete(textDocument.uri)) return;
    settings.forget(textDocument.uri);
    tokens.forget(textDocument.uri);
    editorFeatures.forget(textDocument.uri);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  });

  connection.onDidChangeConfiguration(async () => {
    settings.clear();
    // Include/exclude may take documents in or leave them out: those left out go quiet.
    for (const [uri, other] of [...ignored]) {
      const config = await settings.get(uri);
      if (ignored.get(uri) !== other || !isCandidate(uri, languages.get(uri) ?? '', config)) {
        continue;
      }
      ignored.delete(uri);
      const document = new DatasetDocument(uri, other.version, other.store.getText());
      documents.set(uri, document);
      await publish(document);
    }
    for (const document of [...documents.values()]) {
      const config = await settings.get(document.uri);
      if (documents.get(document.uri) !== document) continue;
      if (!isCandidate(document.uri, languages.get(document.uri) ?? '', config)) {
        documents.delete(document.uri);
        tokens.forget(document.uri);
        ignored.set(document.uri, {
          store: new LineStore(document.getText()),
          version: document.version,
        });
        await connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
        continue;
      }
      await publish(document);
    }
  });

  connection.onHover(async ({ textDocument, position }, token) => {
    const document = documents.get(textDocument.uri);
    if (document === undefined) return null;
    checkCancelled(token);
    const config = await settings.get(document.uri);
    const version = document.version;
    const { baseModel, maxSeqLength } = config.validation;
    const counted = await tokens.countLine(document, position.line, baseModel);
    checkCancelled(token);
    // Counted for a version the user has since edited: the counts may not fit the line now.
    if (document.version !== version) return null;
    return hover(document, position, counted, maxSeqLength);
  });

  editorFeatures.register();

  const ids = { hex: () => randomBytes(4).toString('hex'), uuid: () => randomUUID() };
  connection.onCompletion(({ textDocument, position }, token) => {
    checkCancelled(token);
    const document = documents.get(textDocument.uri);
    return document === undefined ? [] : complete(document, position, ids);
  });

  connection.onRequest(
    VALIDATE_FILE_REQUEST,
    async (params: ValidateFileParams, token: CancellationToken): Promise<ValidateFileResult> => {
      const config = await settings.get(params.uri);
      let progress: FileProgress = NO_PROGRESS;
      if (params.workDoneToken !== undefined) {
        progress = clientProgress(connection, params.workDoneToken);
      } else if (hasProgress) {
        progress = await connection.window.createWorkDoneProgress();
      }
      const result = await validateFile(params.uri, config, token, progress);
      await connection.sendDiagnostics({ uri: params.uri, diagnostics: result.diagnostics });
      await connection.sendNotification(DATASET_SUMMARY_NOTIFICATION, result.summary);
      return { summary: result.summary, totalDiagnostics: result.totalDiagnostics };
    },
  );

  connection.onShutdown(() => tokens.dispose());

  /**
   * Publishes the diagnostics of the document's current version, and its summary; never for a
   * version the client has already replaced (even one still waiting to be dispatched).
   */
  async function publish(
    document: DatasetDocument,
    timed?: { event: TimingReport['event']; started: number; cpu: number },
    afterTokens = false,
  ): Promise<void> {
    const version = document.version;
    const config = await settings.get(document.uri);
    if (isStale(document, version)) return;
    if (!looksLikeDataset(document.lines())) {
      await connection.sendDiagnostics({ uri: document.uri, version, diagnostics: [] });
      return;
    }
    const { validation } = config;
    const collected = collectDiagnostics(document, {
      overrides: validation.severity,
      maxProblems: validation.maxProblems,
      maxSeqLength: validation.maxSeqLength,
    });
    await connection.sendDiagnostics(
      withSerializedDiagnostics(
        { uri: document.uri, version, diagnostics: collected.diagnostics },
        collected.body,
      ),
    );
    if (timed !== undefined) {
      const flushed = performance.now();
      const encoded = encodedAt.get(document.uri);
      const end = encoded?.at ?? flushed;
      const received = tap?.receivedAt(document.uri) || timed.started;
      const report: TimingReport = {
        uri: document.uri,
        version,
        event: timed.event,
        serverMs: end - Math.min(received, timed.started),
        handlerMs: end - timed.started,
        flushedMs: flushed - Math.min(received, timed.started),
        cpuMs: (encoded?.cpu ?? cpuMs()) - (tap?.receivedCpu(document.uri) || timed.cpu),
        diagnostics: collected.diagnostics.length,
      };
      void connection.sendNotification(TIMING_NOTIFICATION, report);
    }
    const summary: DatasetSummary = {
      uri: document.uri,
      version,
      shape: document.fileShape,
      pairs: collected.trainingPairs,
      errors: collected.counts.error,
      warnings: collected.counts.warning,
      trainingReady: collected.counts.error === 0 && collected.trainingPairs > 0,
    };
    await connection.sendNotification(DATASET_SUMMARY_NOTIFICATION, summary);
    if (afterTokens) return;
    tokens.schedule(
      document,
      validation.baseModel,
      validation.maxSeqLength,
      (v, totals) => void tokensCounted(document, v, summary, totals),
    );
  }

  /** Background token counts are in: the summary gains them; BRL040 shows where they bite. */
  async function tokensCounted(
    document: DatasetDocument,
    version: number,
    summary: DatasetSummary,
    totals: TokenTotals,
  ): Promise<void> {
    if (isStale(document, version)) return;
    if (totals.overMaxSeqLength > 0) await publish(document, undefined, true);
    if (isStale(document, version)) return;
    editorFeatures.tokensCounted(document.uri, { name: totals.tokenizer, exact: totals.exact });
    await connection.sendNotification(DATASET_SUMMARY_NOTIFICATION, {
      ...summary,
      tokens: { total: totals.total, exact: totals.exact, tokenizer: totals.tokenizer },
    } satisfies DatasetSummary);
  }

  function isStale(document: DatasetDocument, version: number): boolean {
    if (document.version !== version || documents.get(document.uri) !== document) return true;
    const latest = tap?.latestVersion(document.uri);
    return latest !== undefined && latest > version;
  }

  connection.listen();
}

/**
 * Lines analysed to warm up, and per slice. The scanner reaches full speed after a few thousand
 * lines; warmed up, the 45k-line benchmark document opens about 60 ms sooner (6,000 lines did
 * no better than 3,000).
 */
const WARM_UP_LINES = 3000;
const WARM_UP_SLICE = 200;

const NO_PROGRESS: FileProgress = { begin() {}, report() {}, done() {} };

/** `$/progress` reports on a token the client made (the request's `workDoneToken`). */
function clientProgress(connection: Connection, token: string | number): FileProgress {
  const send = (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) =>
    void connection.sendProgress(WorkDoneProgress.type, token, value);
  return {
    begin: (title, percentage, message, cancellable) =>
      send({ kind: 'begin', title, percentage, message, cancellable }),
    report: (percentage, message) => send({ kind: 'report', percentage, message }),
    done: () => send({ kind: 'end' }),
  };
}

/** Applies a change to a document kept as text only. */
function applyToStore(
  document: { store: LineStore; version: number },
  { textDocument, contentChanges }: DidChangeTextDocumentParams,
): void {
  for (const change of contentChanges) {
    if ('range' in change) document.store.applyEdit(change.range, change.text);
    else document.store.replaceAll(change.text);
  }
  document.version = textDocument.version;
}

/** Requests cancelled before or while they run answer RequestCancelled, as LSP asks. */
function checkCancelled(token: CancellationToken): void {
  if (token.isCancellationRequested) {
    throw new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
  }
}
