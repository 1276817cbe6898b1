import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CancellationToken, Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { ErrorCodes, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import { DatasetValidator } from '../../../../common/engine/dataset/dataset-validator.ts';
import type { Diagnostic, Severity } from '../../../../common/engine/diagnostic.ts';
import { Utf8LineReader } from '../../../../common/engine/json/utf8-line-reader.ts';
import type { BrightRunSettings, DatasetSummary } from '../../../../common/protocol/lsp.ts';
import { overflowDiagnostic } from '../diagnostics/collect.ts';
import { toLspDiagnostic } from '../diagnostics/to-lsp.ts';

/** Bytes read from disk per step; progress and cancellation are checked between steps. */
const CHUNK_BYTES = 1024 * 1024;

export interface FileProgress {
  begin(title: string, percentage?: number, message?: string, cancellable?: boolean): void;
  report(percentage: number, message?: string): void;
  done(): void;
}

export interface ValidatedFile {
  summary: DatasetSummary;
  diagnostics: LspDiagnostic[];
  totalDiagnostics: number;
}

const ORDER: Severity[] = ['error', 'warning', 'info', 'hint'];

/**
 * Validates a file from disk by streaming it through the engine (the CLI's path: bytes →
 * Utf8LineReader → DatasetValidator), for files too large for the editor to synchronise. Memory
 * stays bounded: at most `maxProblems` diagnostics per severity are kept while all are counted,
 * and only the errors-first selection is returned. Throws ResponseError for a bad URI or an
 * unreadable file, and RequestCancelled when `token` is cancelled.
 */
export async function validateFile(
  uri: string,
  settings: BrightRunSettings,
  token: CancellationToken,
  progress: FileProgress,
): Promise<ValidatedFile> {
  let path: string;
  try {
    path = fileURLToPath(uri);
  } catch {
    throw new ResponseError(ErrorCodes.InvalidParams, `not a file URI: ${uri}`);
  }
  const { maxProblems } = settings.validation;
  const kept: Record<Severity, Diagnostic[]> = { error: [], warning: [], info: [], hint: [] };
  const validator = new DatasetValidator(
    {
      baseModel: settings.validation.baseModel,
      maxSeqLength: settings.validation.maxSeqLength,
      // Token statistics of a file this size are the CLI's job (`brightrun stats`): the
      // editor needs the problems now.
      tokens: false,
      severityOverrides: settings.validation.severity,
    },
    {
      onDiagnostic: (d) => {
        const bucket = kept[d.severity];
        if (bucket.length < maxProblems) bucket.push(d);
      },
    },
  );
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw new ResponseError(ErrorCodes.InvalidParams, `cannot read ${path}: ${errorText(err)}`);
  }
  try {
    const size = (await file.stat()).size;
    progress.begin('Validating dataset', 0, path, true);
    let bomReported = false;
    const reader = new Utf8LineReader((line) => {
      if (!bomReported && reader.hadBom) {
        bomReported = true;
        validator.setBom();
      }
      validator.pushLine(line.text, line.invalidUtf8?.column);
    });
    const buffer = new Uint8Array(CHUNK_BYTES);
    let read = 0;
    let lastPercent = -1;
    for (;;) {
      if (token.isCancellationRequested) {
        throw new ResponseError(LSPErrorCodes.RequestCancelled, 'validation cancelled');
      }
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      reader.push(buffer.subarray(0, bytesRead));
      read += bytesRead;
      const percent = size > 0 ? Math.min(100, Math.floor((read / size) * 100)) : 100;
      if (percent !== lastPercent) {
        lastPercent = percent;
        progress.report(percent, `${(read / 1e6).toFixed(0)} of ${(size / 1e6).toFixed(0)} MB`);
      }
    }
    reader.end();
    const report = validator.finish();
    const counts = report.counts;
    const total = counts.error + counts.warning + counts.info + counts.hint;
    const room = total > maxProblems ? Math.max(0, maxProblems - 1) : total;
    const diagnostics: LspDiagnostic[] = [];
    for (const severity of ORDER) {
      for (const d of kept[severity]) {
        if (diagnostics.length >= room) break;
        diagnostics.push(toLspDiagnostic(d, uri, d.range.startLine, d.severity, true));
      }
    }
    if (room < total) diagnostics.push(overflowDiagnostic(total - room, counts, maxProblems));
    const summary: DatasetSummary = {
      uri,
      version: 0,
      shape: report.shape,
      pairs: report.stats.total_training_pairs,
      errors: counts.error,
      warnings: counts.warning,
      trainingReady: report.trainingReady,
    };
    return { summary, diagnostics, totalDiagnostics: total };
  } finally {
    progress.done();
    await file.close().catch(() => undefined);
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
