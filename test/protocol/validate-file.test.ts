import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  LSPErrorCodes,
  ResponseError,
} from 'vscode-languageserver-protocol';
import type { ValidateFileResult } from '../../common/protocol/lsp.ts';
import { VALIDATE_FILE_REQUEST } from '../../common/protocol/lsp.ts';
import { LspClient, messageText } from './support/lsp-client.ts';
import { cleanPairs, pair } from './support/pairs.ts';

interface ProgressEvent {
  token: string | number;
  value: { kind: string; percentage?: number; message?: string };
}

describe('language server: brightrun/validateFile', function () {
  let client: LspClient;
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'brightrun-validate-file-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(async () => {
    await client.stop();
  });

  it('streams a file from disk with progress and publishes its capped diagnostics', async () => {
    client = await LspClient.start({ validation: { maxProblems: 20 } });
    // About 6 MB: many chunks of progress. Every 100th line breaks (errors), every 50th repeats
    // an id, and the short system prompt of 1 line in 10 is a warning.
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      if (i % 100 === 7) lines.push(`{"id": "broken${i}",, }`);
      else if (i % 50 === 3) lines.push(pair({ id: `p${i - 1}`, conversation: `x${i}`, turn: 1 }));
      else
        lines.push(pair({ id: `p${i}`, conversation: `c${i}`, turn: 1, input: 'x'.repeat(200) }));
    }
    const path = join(dir, 'big.jsonl');
    writeFileSync(path, lines.join('\n') + '\n');
    const uri = pathToFileURL(path).href;

    const token = 'validate-1';
    const result: ValidateFileResult = await client.connection.sendRequest(VALIDATE_FILE_REQUEST, {
      uri,
      workDoneToken: token,
    });
    assert.equal(result.summary.uri, uri);
    assert.equal(result.summary.shape, 'brightrun_lora_v4');
    assert.equal(result.summary.errors, 200 + 400);
    assert.equal(result.summary.trainingReady, false);
    assert.equal(result.totalDiagnostics, 600);

    const diagnostics = await client.diagnostics(uri);
    assert.equal(diagnostics.length, 20);
    assert.ok(diagnostics.slice(0, 19).every((d) => d.severity === 1));
    assert.match(messageText(diagnostics[19]), /^581 more problems are not shown/);
    const ids = diagnostics.filter((d) => d.code === 'BRL030');
    assert.ok(ids.length > 0 && ids.every((d) => d.relatedInformation?.[0] !== undefined));

    const progress = client.notifications
      .filter((n) => n.method === '$/progress')
      .map((n) => n.params as ProgressEvent)
      .filter((p) => p.token === token);
    assert.equal(progress[0].value.kind, 'begin');
    assert.equal(progress[progress.length - 1].value.kind, 'end');
    const reports = progress.filter((p) => p.value.kind === 'report');
    assert.ok(reports.length >= 3, `${reports.length} reports`);
    assert.equal(reports[reports.length - 1].value.percentage, 100);
  });

  it('honours cancellation', async () => {
    client = await LspClient.start();
    const lines = Array.from({ length: 60_000 }, (_, i) =>
      pair({ id: `p${i}`, conversation: `c${i}`, turn: 1, input: 'y'.repeat(300) }),
    );
    const path = join(dir, 'cancel.jsonl');
    writeFileSync(path, lines.join('\n'));
    const uri = pathToFileURL(path).href;
    const source = new CancellationTokenSource();
    const request = client.connection.sendRequest(
      VALIDATE_FILE_REQUEST,
      { uri, workDoneToken: 'cancel-me' },
      source.token,
    );
    // Cancel once the server has reported progress: it is then reading the file.
    await client.notification(
      '$/progress',
      (p) =>
        (p as ProgressEvent).token === 'cancel-me' && (p as ProgressEvent).value.kind === 'report',
    );
    source.cancel();
    await assert.rejects(request, (err: unknown) => {
      assert.ok(err instanceof ResponseError);
      assert.equal(err.code, LSPErrorCodes.RequestCancelled);
      return true;
    });
    assert.equal(client.publishedFor(uri).length, 0);
  });

  it('answers an error for a file that cannot be read', async () => {
    client = await LspClient.start();
    const uri = pathToFileURL(join(dir, 'missing.jsonl')).href;
    await assert.rejects(
      client.connection.sendRequest(VALIDATE_FILE_REQUEST, { uri }),
      /cannot read/,
    );
    // The server is still serving.
    const ok = join(dir, 'ok.jsonl');
    writeFileSync(ok, cleanPairs(10).join('\n'));
    const result: ValidateFileResult = await client.connection.sendRequest(VALIDATE_FILE_REQUEST, {
      uri: pathToFileURL(ok).href,
    });
    assert.equal(result.summary.trainingReady, true);
    assert.equal(result.summary.pairs, 10);
  });
});
