// Job commands: configure (panel), estimate, submit (a keyboard-first quick-pick flow:
// dataset → preset → GPU → confirm with the server's estimate), open the monitor, cancel.
import * as vscode from 'vscode';
import type { EstimateResponse, TrainingJob } from '../../../common/api/types.ts';
import { GPU_CATALOG, PRESETS, PRESET_IDS, type PresetId } from '../../../common/training/index.ts';
import type { Services } from '../services.ts';
import { formatDuration, formatMoney } from '../views/format.ts';
import { pickDataset, pickJob } from './pickers.ts';
import { idFrom, type CommandSpec } from './registry.ts';

/** Choices a caller may pass to skip the prompts of Estimate and Submit. */
export interface JobChoices {
  datasetId?: string;
  preset?: PresetId;
  gpuType?: string;
  gpuCount?: number;
  name?: string;
  /** Extra hyperparameters (e.g. base_model, epochs). */
  hyperparameters?: Record<string, unknown>;
  /** Submit without the confirmation (for automation; the palette always asks). */
  confirmed?: boolean;
}

export function jobCommands(services: Services): CommandSpec[] {
  return [
    {
      id: 'brightrun.configureTrainingJob',
      run: (arg) => configure(services, arg),
      needsBackend: true,
    },
    {
      id: 'brightrun.estimateCost',
      run: (choices) => estimateCost(services, asChoices(choices)),
      needsBackend: true,
    },
    {
      id: 'brightrun.submitTrainingJob',
      run: (choices) => submit(services, asChoices(choices)),
      needsBackend: true,
    },
    {
      id: 'brightrun.openTrainingMonitor',
      run: (arg) => openMonitor(services, arg),
      needsBackend: true,
    },
    {
      id: 'brightrun.cancelTrainingJob',
      run: (arg, confirmed) => cancel(services, arg, confirmed === true),
      needsBackend: true,
    },
  ];
}

function asChoices(value: unknown): JobChoices {
  // From a Datasets tree item the argument is the node: take its dataset.
  const id = idFrom(value);
  if (id) return { datasetId: id };
  return typeof value === 'object' && value !== null ? (value as JobChoices) : {};
}

async function configure(services: Services, arg: unknown): Promise<void> {
  let datasetId = idFrom(arg);
  if (!datasetId) {
    // From an open .jsonl: preselect the uploaded dataset with the same file name, if any.
    const doc = vscode.window.activeTextEditor?.document;
    if (doc?.languageId === 'jsonl') {
      const fileName = doc.uri.path.split('/').pop();
      datasetId = services.data.snapshot.datasets.find(
        (d) => d.file_name === fileName && d.status === 'ready',
      )?.id;
    }
  }
  await services.panels.openConfigure(datasetId);
}

interface Plan {
  datasetId: string;
  preset: PresetId;
  gpuType: string;
  gpuCount: number;
  hyperparameters: Record<string, unknown>;
}

/** Gathers dataset, preset and GPU from the choices or quick picks; undefined when dismissed. */
async function plan(
  services: Services,
  choices: JobChoices,
  title: string,
): Promise<Plan | undefined> {
  const datasetId =
    choices.datasetId ?? (await pickDataset(services, { title, trainableOnly: true }))?.id;
  if (!datasetId) return undefined;
  const preset =
    choices.preset ??
    (
      await vscode.window.showQuickPick(
        PRESET_IDS.filter((p) => p !== 'custom').map((p) => {
          const v = PRESETS[p];
          return {
            label: p,
            description: p === 'balanced' ? 'recommended' : '',
            detail: `learning rate ${v.learning_rate} · batch ${v.batch_size} · ${v.epochs} epochs · LoRA rank ${v.lora_rank}, alpha ${v.lora_alpha}, dropout ${v.lora_dropout}`,
            preset: p,
          };
        }),
        {
          title: `${title}: preset`,
          placeHolder: 'Choose a hyperparameter preset (the configure panel offers custom values)',
        },
      )
    )?.preset;
  if (!preset) return undefined;
  const gpuType =
    choices.gpuType ??
    (
      await vscode.window.showQuickPick(
        GPU_CATALOG.map((g) => ({
          label: g.type,
          description: `${formatMoney(g.pricePerHour)}/h per GPU`,
          detail: `${g.memoryGb} GB · ${g.tokensPerSecond.toLocaleString('en-US')} tokens/s`,
        })),
        { title: `${title}: GPU type` },
      )
    )?.label;
  if (!gpuType) return undefined;
  let gpuCount = choices.gpuCount;
  if (gpuCount === undefined) {
    const picked = await vscode.window.showQuickPick(['1', '2', '4', '8'], {
      title: `${title}: number of GPUs`,
    });
    if (!picked) return undefined;
    gpuCount = Number(picked);
  }
  const baseModel = vscode.workspace
    .getConfiguration('brightrun')
    .get<string>('training.baseModel', '')
    .trim();
  const hyperparameters: Record<string, unknown> = {
    ...(baseModel ? { base_model: baseModel } : {}),
    ...choices.hyperparameters,
  };
  return { datasetId, preset, gpuType, gpuCount, hyperparameters };
}

function request(p: Plan) {
  return {
    dataset_id: p.datasetId,
    preset_id: p.preset,
    hyperparameters: p.hyperparameters,
    gpu_config: { type: p.gpuType, count: p.gpuCount },
  };
}

export function estimateText(e: EstimateResponse): string {
  return `${formatMoney(e.estimated_cost)} (compute ${formatMoney(e.cost_breakdown.compute)} + storage ${formatMoney(e.cost_breakdown.storage)}), about ${formatDuration(e.estimated_duration_hours * 3600)} at ${formatMoney(e.hourly_rate)}/h, ${e.training_details.total_steps} steps`;
}

async function estimateCost(
  services: Services,
  choices: JobChoices,
): Promise<EstimateResponse | undefined> {
  const p = await plan(services, choices, 'Estimate cost');
  if (!p) return undefined;
  const estimate = await services.api.estimate(request(p));
  void vscode.window
    .showInformationMessage(
      `Estimate for "${estimate.dataset.name}" on ${p.gpuCount} × ${p.gpuType}: ${estimateText(estimate)}.`,
      'Submit This Job',
    )
    .then((c) => {
      if (c)
        void vscode.commands.executeCommand('brightrun.submitTrainingJob', {
          datasetId: p.datasetId,
          preset: p.preset,
          gpuType: p.gpuType,
          gpuCount: p.gpuCount,
        });
    });
  return estimate;
}

async function submit(services: Services, choices: JobChoices): Promise<TrainingJob | undefined> {
  const p = await plan(services, choices, 'Submit training job');
  if (!p) return undefined;
  const estimate = await services.api.estimate(request(p));
  if (!choices.confirmed) {
    const choice = await vscode.window.showInformationMessage(
      `Submit a training job on "${estimate.dataset.name}"?`,
      {
        modal: true,
        detail: `${p.preset} preset on ${p.gpuCount} × ${p.gpuType}.\nEstimated ${estimateText(estimate)}.`,
      },
      'Submit',
    );
    if (choice !== 'Submit') return undefined;
  }
  const job = await services.api.createJob({
    ...request(p),
    ...(choices.name ? { name: choices.name } : {}),
  });
  void services.refresher.poke();
  void vscode.window
    .showInformationMessage(`Training job "${job.name ?? job.id}" is queued.`, 'Open Monitor')
    .then((c) => {
      if (c) void vscode.commands.executeCommand('brightrun.openTrainingMonitor', job.id);
    });
  return job;
}

async function openMonitor(services: Services, arg: unknown): Promise<void> {
  const id = idFrom(arg) ?? (await pickJob(services, { title: 'Open training monitor' }))?.id;
  if (!id) return;
  await services.panels.openMonitor(id);
}

async function cancel(
  services: Services,
  arg: unknown,
  confirmed: boolean,
): Promise<TrainingJob | undefined> {
  const id =
    idFrom(arg) ??
    (await pickJob(services, { title: 'Cancel a training job', activeOnly: true }))?.id;
  if (!id) return undefined;
  if (!confirmed) {
    const job = services.data.snapshot.jobs.find((j) => j.id === id);
    const choice = await vscode.window.showWarningMessage(
      `Cancel the training job "${job?.name ?? id}"?`,
      {
        modal: true,
        detail: 'The GPU stops and the cost so far is charged. This cannot be undone.',
      },
      'Cancel Job',
    );
    if (choice !== 'Cancel Job') return undefined;
  }
  const job = await services.api.cancelJob(id);
  void services.refresher.poke();
  return job;
}
