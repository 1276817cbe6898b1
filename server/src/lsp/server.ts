import type { Connection, InitializeResult } from 'vscode-languageserver';
import { TextDocumentSyncKind } from 'vscode-languageserver';
import type { DatasetSummary } from '../../../common/protocol/lsp.ts';
import { DATASET_SUMMARY_NOTIFICATION } from '../../../common/protocol/lsp.ts';
import { DatasetDocument } from './document/dataset-document.ts';
import { collectDiagnostics } from './diagnostics/collect.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { complete } from './features/completion.ts';
import { hover } from './features/hover.ts';
import { TokenService } from './features/token-service.ts';
import { isCandidate, looksLikeDataset } from './settings/dataset-filter.ts';
import { SettingsCache } from './settings/settings-cache.ts';

/**
 * Wires an LSP connection to the dataset engine. Handlers stay thin: they find the document,
 * hand the change to it, and publish what it says.
 */
export function startServer(connection: Connection): void {
  const documents = new Map<string, DatasetDocument>();
  let hasConfiguration = false;
  const settings = new SettingsCache(connection, () => hasConfiguration);
  const tokens = new TokenService();

  connection.onInitialize((params): InitializeResult => {
    hasConfiguration = params.capabilities.workspace?.configuration === true;
    return {
      capabilities: {
        textDocumentSync: {
          openClose: true,
          change: TextDocumentSyncKind.Incremental,
        },
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['"', ':', ','] },
      },
      serverInfo: { name: 'brightrun-language-server' },
    };
  });

  connection.onDidOpenTextDocument(async ({ textDocument }) => {
    const { uri, languageId, version, text } = textDocument;
    const config = await settings.get(uri);
    if (!isCandidate(uri, languageId, config)) return;
    const document = new DatasetDocument(uri, version, text);
    documents.set(uri, document);
    await publish(document);
  });

  connection.onDidChangeTextDocument(async ({ textDocument, contentChanges }) => {
    const document = documents.get(textDocument.uri);
    if (document === undefined) return;
    document.applyChanges(contentChanges, textDocument.version);
    await publish(document);
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    documents.delete(textDocument.uri);
    settings.forget(textDocument.uri);
    void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
  });

  connection.onDidChangeConfiguration(async () => {
    settings.clear();
    for (const document of documents.values()) await publish(document);
  });

  connection.onHover(async ({ textDocument, position }) => {
    const document = documents.get(textDocument.uri);
    if (document === undefined) return null;
    const config = await settings.get(document.uri);
    const counter = await tokens.counter(config.validation.baseModel);
    return hover(document, position, counter, config.validation.maxSeqLength);
  });

  const ids = { hex: () => randomBytes(4).toString('hex'), uuid: () => randomUUID() };
  connection.onCompletion(({ textDocument, position }) => {
    const document = documents.get(textDocument.uri);
    return document === undefined ? [] : complete(document, position, ids);
  });

  /** Publishes the diagnostics of the document's current version, and its summary. */
  async function publish(document: DatasetDocument): Promise<void> {
    const version = document.version;
    const config = await settings.get(document.uri);
    // A newer change arrived while the settings were being read: its own publish follows.
    if (document.version !== version || documents.get(document.uri) !== document) return;
    const facts = document.allFacts();
    if (!looksLikeDataset(facts)) {
      await connection.sendDiagnostics({ uri: document.uri, version, diagnostics: [] });
      return;
    }
    const collected = collectDiagnostics(
      document.uri,
      facts,
      [],
      config.validation.severity,
      config.validation.maxProblems,
    );
    await connection.sendDiagnostics({
      uri: document.uri,
      version,
      diagnostics: collected.diagnostics,
    });
    let pairs = 0;
    for (const f of facts) if (f.valid) pairs += f.pairs;
    const summary: DatasetSummary = {
      uri: document.uri,
      version,
      shape: document.fileShape,
      pairs,
      errors: collected.counts.error,
      warnings: collected.counts.warning,
      trainingReady: collected.counts.error === 0 && pairs > 0,
    };
    await connection.sendNotification(DATASET_SUMMARY_NOTIFICATION, summary);
  }

  connection.listen();
}
