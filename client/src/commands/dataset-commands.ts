// Dataset commands: validate a file from disk, show its statistics, convert it, upload it,
// delete a dataset and show a stored dataset's validation errors.
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { Dataset } from '../../../common/api/types.ts';
import type { DatasetSummary } from '../../../common/protocol/lsp.ts';
import { BrightRunError, messageOf } from '../api/api-error.ts';
import { runCli } from '../cli/cli-runner.ts';
import type { Services } from '../services.ts';
import { sha256File } from '../transfer/file-hash.ts';
import { uploadFile } from '../transfer/upload.ts';
import { formatBytes } from '../views/format.ts';
import { datasetNameFor, pickDataset, pickDatasetFile } from './pickers.ts';
import { idFrom, type CommandSpec } from './registry.ts';

/** Options a caller (a test, a keybinding) may pass to skip the prompts. */
export interface UploadOptions {
  name?: string;
  description?: string;
  /** Upload even when local validation finds errors, without asking. */
  ignoreErrors?: boolean;
}

export function datasetCommands(services: Services): CommandSpec[] {
  return [
    { id: 'brightrun.validateDatasetFile', run: (arg) => validateDatasetFile(services, arg) },
    { id: 'brightrun.showDatasetStatistics', run: (arg) => showStatistics(services, arg) },
    {
      id: 'brightrun.convertDataset',
      run: (arg, target, out) => convertDataset(services, arg, target, out),
    },
    {
      id: 'brightrun.uploadDataset',
      run: (arg, options) => uploadDataset(services, arg, (options ?? {}) as UploadOptions),
      needsBackend: true,
    },
    {
      id: 'brightrun.deleteDataset',
      run: (arg, confirmed) => deleteDataset(services, arg, confirmed === true),
      needsBackend: true,
    },
    {
      id: 'brightrun.showDatasetErrors',
      run: (arg) => showDatasetErrors(services, arg),
      needsBackend: true,
    },
  ];
}

export interface FileValidation {
  uri: string;
  pairs: number;
  errors: number;
  warnings: number;
  trainingReady: boolean;
  totalDiagnostics: number;
}

/** Validates a file from disk through the language server; its problems go to the Problems panel. */
async function validateDatasetFile(
  services: Services,
  arg: unknown,
): Promise<FileValidation | undefined> {
  const uri = await pickDatasetFile(arg, 'Validate a dataset file');
  if (!uri) return undefined;
  const result = await validateWithProgress(services, uri);
  const { summary } = result;
  const text = `${basename(uri.fsPath)}: ${summary.pairs} training pairs, ${summary.errors} errors, ${summary.warnings} warnings${summary.trainingReady ? ' — training-ready.' : ' — not training-ready.'}`;
  if (summary.errors > 0) {
    void vscode.window.showWarningMessage(text, 'Show Problems').then((c) => {
      if (c) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
  } else {
    void vscode.window.showInformationMessage(text);
  }
  return {
    uri: summary.uri,
    pairs: summary.pairs,
    errors: summary.errors,
    warnings: summary.warnings,
    trainingReady: summary.trainingReady,
    totalDiagnostics: result.totalDiagnostics,
  };
}

/** The server shows the progress (percent of the file read) and offers to cancel. */
function validateWithProgress(services: Services, uri: vscode.Uri) {
  return services.server.validateFile(uri);
}

interface StatsJson {
  file: string;
  shape: string | null;
  total_training_pairs: number;
  total_samples: number;
  total_conversations: number;
  total_tokens: number | null;
  avg_turns_per_conversation: number;
  avg_tokens_per_turn: number | null;
  token_distribution: Record<string, number> | null;
  tokenizer: { name?: string; exact?: boolean } | string | null;
}

/** Dataset statistics (dataset-format.md §4) in a Markdown document beside the editor. */
async function showStatistics(services: Services, arg: unknown): Promise<StatsJson | undefined> {
  const uri = await pickDatasetFile(arg, 'Show statistics of a dataset file');
  if (!uri) return undefined;
  const config = vscode.workspace.getConfiguration('brightrun', uri);
  const args = [
    'stats',
    '--format',
    'json',
    '--base-model',
    config.get<string>('validation.baseModel', 'mistralai/Mistral-7B-v0.1'),
    '--max-seq-length',
    String(config.get<number>('validation.maxSeqLength', 2048)),
    uri.fsPath,
  ];
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Counting ${basename(uri.fsPath)}`,
      cancellable: true,
    },
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runCli(services.cliModule, args, abort.signal);
    },
  );
  if (result.code !== 0) {
    throw new Error(`Statistics failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
  }
  const stats = JSON.parse(result.stdout) as StatsJson;
  const doc = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: statsMarkdown(uri, stats),
  });
  await vscode.window.showTextDocument(doc, {
    viewColumn: vscode.ViewColumn.Beside,
    preview: true,
  });
  return stats;
}

export function statsMarkdown(uri: vscode.Uri, s: StatsJson): string {
  const rows: [string, string][] = [
    ['Shape', s.shape ?? '(no data lines)'],
    ['Training pairs', String(s.total_training_pairs)],
    ['Samples', String(s.total_samples)],
    ['Conversations', String(s.total_conversations)],
    ['Average turns per conversation', String(s.avg_turns_per_conversation)],
    ['Tokens', s.total_tokens === null ? 'not counted' : String(s.total_tokens)],
    [
      'Average tokens per turn',
      s.avg_tokens_per_turn === null ? '—' : String(s.avg_tokens_per_turn),
    ],
  ];
  if (s.tokenizer) {
    rows.push([
      'Tokenizer',
      typeof s.tokenizer === 'string'
        ? s.tokenizer
        : `${s.tokenizer.name ?? ''}${s.tokenizer.exact === false ? ' (estimate)' : ''}`,
    ]);
  }
  const lines = [
    `# Statistics of ${basename(uri.fsPath)}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
  ];
  if (s.token_distribution) {
    lines.push('', '## Tokens per sample', '', '| | |', '|---|---|');
    for (const [k, v] of Object.entries(s.token_distribution)) lines.push(`| ${k} | ${v} |`);
  }
  return lines.join('\n') + '\n';
}

const TARGETS = [
  {
    label: 'brightrun_lora_v4',
    description: 'pairs with conversation history (the training format)',
  },
  { label: 'chat_messages', description: 'one {"messages": [...]} conversation per line' },
];

/** Converts a file between line shapes with the CLI's streaming converter; opens the result. */
async function convertDataset(
  services: Services,
  arg: unknown,
  target?: unknown,
  out?: unknown,
): Promise<vscode.Uri | undefined> {
  const uri = await pickDatasetFile(arg, 'Convert a dataset file');
  if (!uri) return undefined;
  const to =
    typeof target === 'string'
      ? target
      : (
          await vscode.window.showQuickPick(TARGETS, {
            title: `Convert ${basename(uri.fsPath)} to…`,
          })
        )?.label;
  if (!to) return undefined;
  const suggested = vscode.Uri.file(uri.fsPath.replace(/(\.[^./]+)?$/, `.${to}.jsonl`));
  const output =
    out instanceof vscode.Uri
      ? out
      : await vscode.window.showSaveDialog({
          defaultUri: suggested,
          filters: { 'JSON Lines': ['jsonl'] },
          title: 'Save the converted dataset',
        });
  if (!output) return undefined;
  const result = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Converting ${basename(uri.fsPath)} to ${to}`,
      cancellable: true,
    },
    (_progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runCli(
        services.cliModule,
        ['convert', '--to', to, uri.fsPath, output.fsPath],
        abort.signal,
      );
    },
  );
  if (result.code !== 0) {
    throw new Error(`Conversion failed: ${result.stderr.trim() || `exit code ${result.code}`}`);
  }
  await vscode.window.showTextDocument(output, { preview: false });
  return output;
}

/**
 * Upload: validate locally first (offering to fix or continue), then create the dataset, stream
 * the file to the signed URL with a cancellable progress notification, and mark it complete so
 * the server validates it. Sends the file's size and sha256.
 */
async function uploadDataset(
  services: Services,
  arg: unknown,
  options: UploadOptions,
): Promise<Dataset | undefined> {
  const uri = await pickDatasetFile(arg, 'Upload a dataset file');
  if (!uri) return undefined;
  const size = statSync(uri.fsPath).size;
  if (size === 0)
    throw new BrightRunError(
      'validation',
      `${basename(uri.fsPath)} is empty: there is nothing to upload.`,
    );

  if (!options.ignoreErrors && services.server.state === 'running') {
    let summary: DatasetSummary | undefined;
    try {
      summary = (await validateWithProgress(services, uri)).summary;
    } catch (error) {
      // The server validates every upload too: a local check that fails is no reason to stop.
      services.output.warn(`Local validation of ${uri.fsPath} failed: ${messageOf(error)}`);
    }
    if (summary && (summary.errors > 0 || !summary.trainingReady)) {
      const problem =
        summary.errors > 0
          ? `${basename(uri.fsPath)} has ${summary.errors} validation ${summary.errors === 1 ? 'error' : 'errors'}; lines with errors are not used for training.`
          : `${basename(uri.fsPath)} is not training-ready (${summary.pairs} training pairs).`;
      const choice = await vscode.window.showWarningMessage(
        problem,
        { modal: true },
        'Show Problems',
        'Upload Anyway',
      );
      if (choice === 'Show Problems') {
        await vscode.window.showTextDocument(uri);
        await vscode.commands.executeCommand('workbench.actions.view.problems');
        return undefined;
      }
      if (choice !== 'Upload Anyway') return undefined;
    }
  }

  const name =
    options.name ??
    (await vscode.window.showInputBox({
      title: 'Upload dataset',
      prompt: 'A name for the dataset',
      value: datasetNameFor(uri),
      validateInput: (v) =>
        v.trim() === '' ? 'Enter a name' : v.length > 200 ? 'At most 200 characters' : undefined,
    }));
  if (!name) return undefined;

  const dataset = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Uploading ${basename(uri.fsPath)} (${formatBytes(size)})`,
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      // Two passes over the file: hashing (first half of the bar), then sending.
      const step = (bytes: number) => progress.report({ increment: (bytes / size) * 50 });
      progress.report({ message: 'computing sha256…' });
      const sha256 = await sha256File(uri.fsPath, step, abort.signal);
      const created = await services.api.createDataset({
        name: name.trim(),
        file_name: basename(uri.fsPath),
        file_size: size,
        sha256,
        ...(options.description ? { description: options.description } : {}),
      });
      try {
        progress.report({ message: 'sending…' });
        await uploadFile(created.upload.url, uri.fsPath, {
          method: created.upload.method,
          headers: created.upload.headers,
          onBytes: step,
          signal: abort.signal,
        });
        progress.report({ message: 'starting server-side validation…' });
        return await services.api.completeDataset(created.dataset.id);
      } catch (error) {
        // Leave no half-uploaded dataset behind.
        await services.api.deleteDataset(created.dataset.id).catch(() => undefined);
        throw error;
      }
    },
  );
  void services.refresher.poke();
  void vscode.window
    .showInformationMessage(
      `Uploaded "${dataset.name}": the server is validating it now.`,
      'Show Datasets',
    )
    .then((c) => {
      if (c) void vscode.commands.executeCommand('brightrun.datasets.focus');
    });
  return dataset;
}

async function deleteDataset(
  services: Services,
  arg: unknown,
  confirmed: boolean,
): Promise<boolean> {
  const id = idFrom(arg) ?? (await pickDataset(services, { title: 'Delete a dataset' }))?.id;
  if (!id) return false;
  if (!confirmed) {
    const dataset = services.data.snapshot.datasets.find((d) => d.id === id);
    const choice = await vscode.window.showWarningMessage(
      `Delete the dataset "${dataset?.name ?? id}"? Its jobs and models stay.`,
      { modal: true },
      'Delete',
    );
    if (choice !== 'Delete') return false;
  }
  await services.api.deleteDataset(id);
  void services.refresher.poke();
  return true;
}

/** A stored dataset's validation errors in a Markdown document. */
async function showDatasetErrors(services: Services, arg: unknown): Promise<Dataset | undefined> {
  const id =
    idFrom(arg) ??
    (await pickDataset(services, { title: 'Show validation errors of a dataset' }))?.id;
  if (!id) return undefined;
  const dataset = await services.api.getDataset(id);
  const lines = [
    `# Validation of "${dataset.name}" (${dataset.file_name})`,
    '',
    `Status: ${dataset.status}${dataset.training_ready ? ', training-ready' : ''}`,
    '',
  ];
  if (dataset.error_message) lines.push(dataset.error_message, '');
  if (dataset.validation_errors.length === 0) lines.push('No validation errors were recorded.');
  else {
    lines.push('| line | code | problem |', '|---|---|---|');
    for (const e of dataset.validation_errors) {
      lines.push(
        `| ${e.line} | ${e.code ?? ''} | ${e.message.replace(/\|/g, '\\|')}${e.suggestion ? ` — ${e.suggestion.replace(/\|/g, '\\|')}` : ''} |`,
      );
    }
    if (dataset.validation_error_count > dataset.validation_errors.length) {
      lines.push(
        '',
        `…and more: ${dataset.validation_error_count} in all. Validate the file locally to see every problem.`,
      );
    }
  }
  const doc = await vscode.workspace.openTextDocument({
    language: 'markdown',
    content: lines.join('\n') + '\n',
  });
  await vscode.window.showTextDocument(doc, { preview: true });
  return dataset;
}
