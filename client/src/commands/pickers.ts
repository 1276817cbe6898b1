// Quick picks shared by the commands: a dataset file on disk, a dataset, a job, a model.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  ACTIVE_JOB_STATUSES,
  type DatasetSummary,
  type ModelArtifact,
  type TrainingJob,
} from '../../../common/api/types.ts';
import { BrightRunError } from '../api/api-error.ts';
import type { Services } from '../services.ts';
import { formatCount, formatMoney } from '../views/format.ts';

/** A `.jsonl` file: the argument (explorer context menu), the active editor, or a file dialog. */
export async function pickDatasetFile(
  arg: unknown,
  title: string,
): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  const active = vscode.window.activeTextEditor?.document;
  if (active && active.languageId === 'jsonl' && !active.isUntitled) return active.uri;
  const picked = await vscode.window.showOpenDialog({
    title,
    canSelectMany: false,
    filters: { 'JSON Lines datasets': ['jsonl'], 'All files': ['*'] },
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return picked?.[0];
}

export async function pickDataset(
  services: Services,
  options: { title: string; trainableOnly?: boolean },
): Promise<DatasetSummary | undefined> {
  const page = await services.api.listDatasets({ limit: 100 });
  const datasets = page.items.filter(
    (d) => !options.trainableOnly || (d.status === 'ready' && d.training_ready),
  );
  if (datasets.length === 0) {
    throw new BrightRunError(
      'conflict',
      options.trainableOnly
        ? 'No training-ready dataset yet: upload one with "BrightRun: Upload Dataset" and wait for its validation.'
        : 'No datasets yet: upload one with "BrightRun: Upload Dataset".',
    );
  }
  const item = await vscode.window.showQuickPick(
    datasets.map((d) => ({
      label: d.name,
      description: `${formatCount(d.total_training_pairs)} pairs · ${formatCount(d.total_tokens)} tokens`,
      detail: `${d.status}${d.training_ready ? ', training-ready' : ''} · ${d.file_name}`,
      dataset: d,
    })),
    { title: options.title, placeHolder: 'Choose a dataset', matchOnDetail: true },
  );
  return item?.dataset;
}

export async function pickJob(
  services: Services,
  options: { title: string; activeOnly?: boolean },
): Promise<TrainingJob | undefined> {
  const page = await services.api.listJobs({
    limit: 100,
    ...(options.activeOnly ? { status: ACTIVE_JOB_STATUSES.join(',') } : {}),
  });
  if (page.items.length === 0) {
    throw new BrightRunError(
      'conflict',
      options.activeOnly
        ? 'No training job is queued or running.'
        : 'No training jobs yet: submit one with "BrightRun: Submit Training Job".',
    );
  }
  const item = await vscode.window.showQuickPick(
    page.items.map((j) => ({
      label: j.name ?? j.id,
      description: `${j.status}${j.status === 'running' ? ` ${Math.round(j.progress)}%` : ''}`,
      detail: `${j.gpu_count} × ${j.gpu_type} · ${formatMoney(j.actual_cost ?? j.running_cost ?? j.estimated_cost)} · ${j.created_at}`,
      job: j,
    })),
    { title: options.title, placeHolder: 'Choose a training job' },
  );
  return item?.job;
}

export async function pickModel(
  services: Services,
  title: string,
): Promise<ModelArtifact | undefined> {
  const page = await services.api.listModels({ limit: 100, status: 'ready' });
  if (page.items.length === 0) {
    throw new BrightRunError(
      'conflict',
      'No trained model yet: models appear here when a training job completes.',
    );
  }
  const item = await vscode.window.showQuickPick(
    page.items.map((m) => ({
      label: m.name,
      description: m.overall_score === null ? '' : `score ${m.overall_score.toFixed(2)}`,
      detail: `${m.base_model} · ${Object.keys(m.files).length} files`,
      model: m,
    })),
    { title, placeHolder: 'Choose a model' },
  );
  return item?.model;
}

/** The dataset name a file suggests: its base name without `.jsonl`. */
export function datasetNameFor(uri: vscode.Uri): string {
  return basename(uri.fsPath).replace(/\.jsonl$/i, '');
}
