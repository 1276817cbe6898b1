// What a user can do about each kind of backend notification: the buttons on the VS Code
// notification and the command each runs. Pure, so it is unit tested.
import type { Notification } from '../../../common/api/types.ts';

export interface NotificationAction {
  title: string;
  command: string;
  args: unknown[];
}

function id(n: Notification, key: string): string | undefined {
  const value = n.metadata[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function notificationActions(n: Notification): NotificationAction[] {
  const job = id(n, 'job_id');
  const dataset = id(n, 'dataset_id');
  const artifact = id(n, 'artifact_id') ?? id(n, 'model_id');
  const actions: NotificationAction[] = [];
  switch (n.type) {
    case 'artifact_ready':
    case 'job_completed':
      if (artifact)
        actions.push({
          title: 'Download Model',
          command: 'brightrun.downloadModel',
          args: [artifact],
        });
      if (job)
        actions.push({
          title: 'Open Monitor',
          command: 'brightrun.openTrainingMonitor',
          args: [job],
        });
      break;
    case 'job_failed':
    case 'job_cancelled':
    case 'job_started':
    case 'job_queued':
      if (job)
        actions.push({
          title: 'Open Monitor',
          command: 'brightrun.openTrainingMonitor',
          args: [job],
        });
      break;
    case 'dataset_validation_failed':
      if (dataset)
        actions.push({
          title: 'Show Errors',
          command: 'brightrun.showDatasetErrors',
          args: [dataset],
        });
      break;
    case 'dataset_validated':
      if (dataset)
        actions.push({
          title: 'Configure Training Job',
          command: 'brightrun.configureTrainingJob',
          args: [dataset],
        });
      break;
    case 'budget_alert':
      actions.push({
        title: 'Open Cost Dashboard',
        command: 'brightrun.openCostDashboard',
        args: [],
      });
      break;
  }
  return actions;
}

export type NotificationSeverity = 'error' | 'warning' | 'info';

export function notificationSeverity(n: Notification): NotificationSeverity {
  if (n.type === 'job_failed' || n.type === 'dataset_validation_failed') return 'error';
  if (n.type === 'budget_alert' || n.priority === 'high' || n.priority === 'urgent')
    return 'warning';
  return 'info';
}
