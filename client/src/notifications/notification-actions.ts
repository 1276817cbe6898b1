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

/** One button, or none when the notification lacks the id the command needs. */
function action(title: string, command: string, arg?: string): NotificationAction[] {
  return arg === undefined ? [] : [{ title, command, args: [arg] }];
}

export function notificationActions(n: Notification): NotificationAction[] {
  const job = id(n, 'job_id');
  const dataset = id(n, 'dataset_id');
  const artifact = id(n, 'artifact_id') ?? id(n, 'model_id');
  const openMonitor = action('Open Monitor', 'brightrun.openTrainingMonitor', job);
  switch (n.type) {
    case 'artifact_ready':
    case 'job_completed':
      return [...action('Download Model', 'brightrun.downloadModel', artifact), ...openMonitor];
    case 'job_failed':
    case 'job_cancelled':
    case 'job_started':
    case 'job_queued':
      return openMonitor;
    case 'dataset_validation_failed':
      return action('Show Errors', 'brightrun.showDatasetErrors', dataset);
    case 'dataset_validated':
      return action('Configure Training Job', 'brightrun.configureTrainingJob', dataset);
    case 'budget_alert':
      return [{ title: 'Open Cost Dashboard', command: 'brightrun.openCostDashboard', args: [] }];
  }
  return [];
}

export type NotificationSeverity = 'error' | 'warning' | 'info';

export function notificationSeverity(n: Notification): NotificationSeverity {
  if (n.type === 'job_failed' || n.type === 'dataset_validation_failed') return 'error';
  if (n.type === 'budget_alert' || n.priority === 'high' || n.priority === 'urgent')
    return 'warning';
  return 'info';
}
