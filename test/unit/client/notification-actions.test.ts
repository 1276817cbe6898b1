import assert from 'node:assert/strict';
import type { Notification } from '../../../common/api/types.ts';
import {
  notificationActions,
  notificationSeverity,
} from '../../../client/src/notifications/notification-actions.ts';

function note(type: Notification['type'], metadata: Record<string, unknown>): Notification {
  return {
    id: 'n1',
    type,
    priority: 'normal',
    title: type,
    message: '',
    read: false,
    read_at: null,
    metadata,
    created_at: '2026-11-26T00:00:00Z',
  };
}

describe('client: notification actions', () => {
  it('a completed job offers Download Model and Open Monitor', () => {
    const actions = notificationActions(note('job_completed', { job_id: 'j1', artifact_id: 'm1' }));
    assert.deepEqual(
      actions.map((a) => [a.title, a.command, a.args]),
      [
        ['Download Model', 'brightrun.downloadModel', ['m1']],
        ['Open Monitor', 'brightrun.openTrainingMonitor', ['j1']],
      ],
    );
  });

  it('a failed validation offers Show Errors and is shown as an error', () => {
    const n = note('dataset_validation_failed', { dataset_id: 'd1' });
    assert.deepEqual(notificationActions(n), [
      { title: 'Show Errors', command: 'brightrun.showDatasetErrors', args: ['d1'] },
    ]);
    assert.equal(notificationSeverity(n), 'error');
  });

  it('a failed job opens its monitor; a validated dataset offers to configure a job', () => {
    assert.equal(
      notificationActions(note('job_failed', { job_id: 'j1' }))[0].title,
      'Open Monitor',
    );
    assert.equal(
      notificationActions(note('dataset_validated', { dataset_id: 'd1' }))[0].command,
      'brightrun.configureTrainingJob',
    );
  });

  it('offers nothing it cannot link to', () => {
    assert.deepEqual(notificationActions(note('job_completed', {})), []);
    assert.equal(notificationSeverity(note('job_completed', {})), 'info');
    assert.equal(notificationSeverity(note('budget_alert', {})), 'warning');
  });
});
