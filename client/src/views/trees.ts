// The four tree views of the BrightRun side bar. Each renders the shared BackendData snapshot
// (never fetching itself, so the UI never waits on the network); an empty list shows the view's
// welcome content from package.json, a failed load shows one item that says what went wrong.
import * as vscode from 'vscode';
import type {
  DatasetSummary,
  ModelArtifact,
  Notification,
  TrainingJob,
} from '../../../common/api/types.ts';
import { costBreakdown, jobCost } from '../../../common/training/cost-model.ts';
import type { BackendData } from './backend-data.ts';
import { formatAge, formatBytes, formatCount, formatDuration, formatMoney } from './format.ts';

/** A tree node: the row's data (for commands invoked from its context menu) and its item. */
export interface Node<T> {
  kind: 'dataset' | 'job' | 'model' | 'notification' | 'message';
  value: T | undefined;
  item: vscode.TreeItem;
}

abstract class ListTree<T> implements vscode.TreeDataProvider<Node<T>>, vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changes.event;
  private readonly subscription: vscode.Disposable;

  constructor(protected readonly data: BackendData) {
    this.subscription = data.onDidChange(() => this.changes.fire());
  }

  protected abstract rows(): T[];
  protected abstract node(row: T): Node<T>;

  getTreeItem(node: Node<T>): vscode.TreeItem {
    return node.item;
  }

  getChildren(node?: Node<T>): Node<T>[] {
    if (node) return [];
    if (this.data.state === 'error') {
      const item = new vscode.TreeItem(`Could not load: ${this.data.error ?? 'unknown error'}`);
      item.iconPath = new vscode.ThemeIcon(
        'warning',
        new vscode.ThemeColor('problemsWarningIcon.foreground'),
      );
      item.tooltip = `${this.data.error ?? ''}\n\nClick to try again.`;
      item.command = { command: 'brightrun.refreshViews', title: 'Refresh' };
      item.contextValue = 'message';
      return [{ kind: 'message', value: undefined, item }];
    }
    return this.rows().map((row) => this.node(row));
  }

  /** The nodes shown now, for tests. */
  nodes(): Node<T>[] {
    return this.getChildren();
  }

  dispose(): void {
    this.subscription.dispose();
    this.changes.dispose();
  }
}

const DATASET_ICONS: Record<string, [string, string | undefined]> = {
  uploading: ['cloud-upload', 'charts.blue'],
  validating: ['sync~spin', 'charts.blue'],
  ready: ['pass-filled', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
};

export class DatasetsTree extends ListTree<DatasetSummary> {
  protected rows(): DatasetSummary[] {
    return this.data.snapshot.datasets;
  }

  protected node(d: DatasetSummary): Node<DatasetSummary> {
    const item = new vscode.TreeItem(d.name);
    item.id = `dataset:${d.id}`;
    const [icon, color] = DATASET_ICONS[d.status] ?? ['database', undefined];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    if (d.status === 'ready') {
      const tokens = `${formatCount(d.total_tokens)}${d.tokens_estimated ? '~' : ''} tokens`;
      item.description = `${formatCount(d.total_training_pairs)} pairs · ${tokens}${d.training_ready ? '' : ' · not training-ready'}`;
    } else if (d.status === 'failed') {
      item.description = `failed · ${d.validation_error_count} ${d.validation_error_count === 1 ? 'error' : 'errors'}`;
    } else {
      item.description = d.status;
    }
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escape(d.name)}** — ${d.status}\n\n`);
    tooltip.appendMarkdown(`File: ${escape(d.file_name)} (${formatBytes(d.file_size)})\n\n`);
    if (d.total_training_pairs !== null)
      tooltip.appendMarkdown(`Pairs: ${d.total_training_pairs}  \n`);
    if (d.total_tokens !== null)
      tooltip.appendMarkdown(
        `Tokens: ${d.total_tokens}${d.tokens_estimated ? ' (estimated)' : ''}  \n`,
      );
    if (d.error_message) tooltip.appendMarkdown(`\n${escape(d.error_message)}`);
    item.tooltip = tooltip;
    item.contextValue = `dataset.${d.status}${d.training_ready ? '.trainable' : ''}`;
    if (d.status === 'failed') {
      item.command = {
        command: 'brightrun.showDatasetErrors',
        title: 'Show Errors',
        arguments: [d.id],
      };
    }
    return { kind: 'dataset', value: d, item };
  }
}

const JOB_ICONS: Record<string, [string, string | undefined]> = {
  queued: ['clock', 'charts.blue'],
  initializing: ['loading~spin', 'charts.blue'],
  running: ['sync~spin', 'charts.blue'],
  completed: ['pass-filled', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', undefined],
};

export class JobsTree extends ListTree<TrainingJob> {
  protected rows(): TrainingJob[] {
    return this.data.snapshot.jobs;
  }

  protected node(j: TrainingJob): Node<TrainingJob> {
    const item = new vscode.TreeItem(j.name ?? j.id.slice(0, 8));
    item.id = `job:${j.id}`;
    const [icon, color] = JOB_ICONS[j.status] ?? ['circle-outline', undefined];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const cost = jobCost(j) ?? j.estimated_cost;
    const progress =
      j.status === 'running' || j.status === 'initializing' ? ` ${Math.round(j.progress)}%` : '';
    item.description = `${j.status}${progress} · ${formatMoney(cost)}`;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(`**${escape(j.name ?? j.id)}** — ${j.status} (${j.current_stage})\n\n`);
    tooltip.appendMarkdown(
      `Progress: ${Math.round(j.progress)}% · step ${j.current_step}${j.total_steps ? ` of ${j.total_steps}` : ''} · epoch ${j.current_epoch} of ${j.epochs}  \n`,
    );
    tooltip.appendMarkdown(`GPU: ${j.gpu_count} × ${j.gpu_type} · preset ${j.preset_id}  \n`);
    const breakdown = j.recorded_cost
      ? ` (${costBreakdown(j.recorded_cost, formatMoney)})`
      : j.actual_cost === null
        ? ` (estimate ${formatMoney(j.estimated_cost)})`
        : '';
    tooltip.appendMarkdown(`Cost: ${formatMoney(cost)}${breakdown}  \n`);
    if (j.eta_seconds !== null) tooltip.appendMarkdown(`ETA: ${formatDuration(j.eta_seconds)}  \n`);
    if (j.current_training_loss !== null)
      tooltip.appendMarkdown(`Loss: ${j.current_training_loss.toFixed(4)}  \n`);
    if (j.error_message) tooltip.appendMarkdown(`\n${escape(j.error_message)}`);
    item.tooltip = tooltip;
    const active = j.status === 'queued' || j.status === 'initializing' || j.status === 'running';
    item.contextValue = `job.${active ? 'active' : 'finished'}.${j.status}`;
    item.command = {
      command: 'brightrun.openTrainingMonitor',
      title: 'Open Training Monitor',
      arguments: [j.id],
    };
    return { kind: 'job', value: j, item };
  }
}

export class ModelsTree extends ListTree<ModelArtifact> {
  protected rows(): ModelArtifact[] {
    return this.data.snapshot.models;
  }

  protected node(m: ModelArtifact): Node<ModelArtifact> {
    const item = new vscode.TreeItem(m.name);
    item.id = `model:${m.id}`;
    const icon =
      m.status === 'ready'
        ? new vscode.ThemeIcon('package', new vscode.ThemeColor('testing.iconPassed'))
        : m.status === 'failed'
          ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'))
          : new vscode.ThemeIcon('loading~spin');
    item.iconPath = icon;
    const score = m.overall_score === null ? 'no score' : `score ${m.overall_score.toFixed(2)}`;
    item.description = m.status === 'ready' ? `${score} · ${formatBytes(m.total_size)}` : m.status;
    const tooltip = new vscode.MarkdownString();
    tooltip.appendMarkdown(
      `**${escape(m.name)}** — ${m.status}\n\nBase model: ${escape(m.base_model)}  \n`,
    );
    tooltip.appendMarkdown(
      `Quality score: ${m.overall_score ?? '—'}  \nFiles: ${Object.keys(m.files).length} (${formatBytes(m.total_size)})`,
    );
    item.tooltip = tooltip;
    item.contextValue = `model.${m.status}`;
    item.command = {
      command: 'brightrun.openModelDetails',
      title: 'Open Model Details',
      arguments: [m.id],
    };
    return { kind: 'model', value: m, item };
  }
}

/** Unread first, newest first within each group (the API sorts the same way). */
export function unreadFirst(a: Notification, b: Notification): number {
  return Number(a.read) - Number(b.read) || b.created_at.localeCompare(a.created_at);
}

export class NotificationsTree extends ListTree<Notification> {
  protected rows(): Notification[] {
    return [...this.data.snapshot.notifications].sort(unreadFirst);
  }

  protected node(n: Notification): Node<Notification> {
    const item = new vscode.TreeItem(n.title);
    item.id = `notification:${n.id}`;
    item.iconPath = new vscode.ThemeIcon(
      n.read ? 'bell' : 'bell-dot',
      n.read ? undefined : new vscode.ThemeColor('notificationsInfoIcon.foreground'),
    );
    item.description = `${n.read ? '' : '● '}${formatAge(n.created_at)}`;
    item.tooltip = `${n.title}\n\n${n.message}`;
    item.contextValue = n.read ? 'notification.read' : 'notification.unread';
    item.command = { command: 'brightrun.openNotification', title: 'Open', arguments: [n.id] };
    return { kind: 'notification', value: n, item };
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
