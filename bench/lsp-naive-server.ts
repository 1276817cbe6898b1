// The baseline for bench/lsp.mjs: the language server anyone would write first. It keeps each
// document as a TextDocument (`TextDocument.update` rebuilds the whole text on every change)
// and revalidates the whole text with the same engine on every version, then publishes the
// capped, errors-first diagnostics. Same transport and timing report as the real server, so the
// two are measured the same way. Bundled by bench/lsp.mjs into bench/data/.
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver/node';
import {
  createConnection,
  ProposedFeatures,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { validateText } from '../common/engine/dataset/dataset-validator.ts';
import type { Severity } from '../common/engine/diagnostic.ts';
import type { TimingReport } from '../common/protocol/lsp.ts';
import { TIMING_NOTIFICATION } from '../common/protocol/lsp.ts';
import { toLspDiagnostic } from '../server/src/lsp/diagnostics/to-lsp.ts';
import { createTap } from '../server/src/lsp/server.ts';
import { cpuMs, createTransport, encodedAt } from '../server/src/lsp/transport.ts';

const MAX_PROBLEMS = 1000;
const ORDER: Severity[] = ['error', 'warning', 'info', 'hint'];

const tap = createTap(true);
const transport = createTransport(process.argv.slice(2), (m) => tap.see(m), tap.timing, {
  plainReader: true,
});
if (transport === undefined) throw new Error('run with --stdio');
const connection = createConnection(ProposedFeatures.all, transport.reader, transport.writer);
transport.onInputClosed(() => process.exit(0));
const documents = new Map<string, TextDocument>();

connection.onInitialize(() => ({
  capabilities: { textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental } },
}));

connection.onDidOpenTextDocument(async ({ textDocument: t }) => {
  const started = performance.now();
  const startCpu = cpuMs();
  const document = TextDocument.create(t.uri, t.languageId, t.version, t.text);
  documents.set(t.uri, document);
  await publish(document, 'open', started, startCpu);
});

connection.onDidChangeTextDocument(async ({ textDocument, contentChanges }) => {
  const started = performance.now();
  const startCpu = cpuMs();
  const document = documents.get(textDocument.uri);
  if (document === undefined) return;
  TextDocument.update(document, contentChanges, textDocument.version);
  await publish(document, 'change', started, startCpu);
});

async function publish(
  document: TextDocument,
  event: TimingReport['event'],
  started: number,
  startCpu: number,
): Promise<void> {
  const { diagnostics } = validateText(document.getText());
  const buckets: Record<Severity, LspDiagnostic[]> = { error: [], warning: [], info: [], hint: [] };
  for (const d of diagnostics) {
    buckets[d.severity].push(toLspDiagnostic(d, document.uri, d.range.startLine, d.severity, true));
  }
  const list = ORDER.flatMap((s) => buckets[s]).slice(0, MAX_PROBLEMS);
  await connection.sendDiagnostics({
    uri: document.uri,
    version: document.version,
    diagnostics: list,
  });
  const flushed = performance.now();
  const encoded = encodedAt.get(document.uri);
  const end = encoded?.at ?? flushed;
  const received = tap.receivedAt(document.uri) || started;
  const report: TimingReport = {
    uri: document.uri,
    version: document.version,
    event,
    serverMs: end - Math.min(received, started),
    handlerMs: end - started,
    flushedMs: flushed - Math.min(received, started),
    cpuMs: (encoded?.cpu ?? cpuMs()) - (tap.receivedCpu(document.uri) || startCpu),
    diagnostics: list.length,
  };
  void connection.sendNotification(TIMING_NOTIFICATION, report);
}

connection.listen();
