// Model commands: download a model's files (choose files and a folder; progress; sizes and
// checksums verified), open a model's details, open the cost dashboard.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { BrightRunError } from '../api/api-error.ts';
import type { Services } from '../services.ts';
import { downloadFile } from '../transfer/download.ts';
import { formatBytes } from '../views/format.ts';
import { pickModel } from './pickers.ts';
import { idFrom, type CommandSpec } from './registry.ts';

/** Options a caller may pass to skip the prompts. */
export interface DownloadChoices {
  files?: string[];
  folder?: string;
}

export interface DownloadOutcome {
  folder: string;
  written: string[];
}

export function modelCommands(services: Services): CommandSpec[] {
  return [
    {
      id: 'brightrun.downloadModel',
      run: (arg, choices) => downloadModel(services, arg, (choices ?? {}) as DownloadChoices),
      needsBackend: true,
    },
    {
      id: 'brightrun.openModelDetails',
      run: (arg) => openModel(services, arg),
      needsBackend: true,
    },
    {
      id: 'brightrun.openCostDashboard',
      run: () => services.panels.openCost(),
      needsBackend: true,
    },
  ];
}

export async function downloadModel(
  services: Services,
  arg: unknown,
  choices: DownloadChoices,
): Promise<DownloadOutcome | undefined> {
  const modelId = idFrom(arg) ?? (await pickModel(services, 'Download a model'))?.id;
  if (!modelId) return undefined;
  const signed = await services.api.downloadUrls(
    modelId,
    choices.files ? { files: choices.files } : {},
  );
  if (signed.files.length === 0) {
    throw new BrightRunError(
      'conflict',
      'This model has no files to download yet: wait until it is ready.',
    );
  }
  let files = signed.files;
  if (!choices.files) {
    const picked = await vscode.window.showQuickPick(
      signed.files.map((f) => ({
        label: f.name,
        description: formatBytes(f.size),
        picked: true,
        file: f,
      })),
      {
        title: 'Download model files',
        canPickMany: true,
        placeHolder: 'Choose the files to download',
      },
    );
    if (!picked || picked.length === 0) return undefined;
    files = picked.map((p) => p.file);
  }
  let folder = choices.folder;
  if (!folder) {
    const chosen = await vscode.window.showOpenDialog({
      title: 'Download the model into…',
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Download Here',
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    folder = chosen?.[0]?.fsPath;
  }
  if (!folder) return undefined;
  const target = folder;
  const total = files.reduce((sum, f) => sum + f.size, 0) || 1;
  const written = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Downloading ${files.length} model ${files.length === 1 ? 'file' : 'files'} (${formatBytes(total)})`,
      cancellable: true,
    },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const paths: string[] = [];
      for (const file of files) {
        progress.report({ message: file.name });
        const result = await downloadFile(file.url, join(target, file.name), {
          expectedSize: file.size,
          expectedSha256: file.sha256,
          signal: abort.signal,
          onBytes: (bytes) => progress.report({ increment: (bytes / total) * 100 }),
        });
        paths.push(result.path);
      }
      return paths;
    },
  );
  void vscode.window
    .showInformationMessage(
      `Downloaded ${written.length} model ${written.length === 1 ? 'file' : 'files'} to ${target}.`,
      'Reveal in Explorer',
    )
    .then((c) => {
      if (c) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(written[0]));
    });
  return { folder: target, written };
}

async function openModel(services: Services, arg: unknown): Promise<void> {
  const id = idFrom(arg) ?? (await pickModel(services, 'Open model details'))?.id;
  if (!id) return;
  await services.panels.openModel(id);
}
