// Shows each new backend notification once as a VS Code notification with its actions, and
// marks it read when the user acts on it. Notifications that existed before the first load are
// left to the Notifications view (no burst of old toasts at start-up).
import * as vscode from 'vscode';
import type { Notification } from '../../../common/api/types.ts';
import type { ApiClient } from '../api/api-client.ts';
import type { BackendData } from '../views/backend-data.ts';
import { notificationActions, notificationSeverity } from './notification-actions.ts';

export class Notifier implements vscode.Disposable {
  private readonly seen = new Set<string>();
  private baselined = false;
  private readonly subscription: vscode.Disposable;
  /** Titles shown so far, for tests. */
  readonly shown: string[] = [];

  constructor(
    private readonly data: BackendData,
    private readonly api: ApiClient,
    private readonly onRead: () => void,
  ) {
    this.subscription = data.onDidChange(() => this.check());
  }

  /** Forget what was seen (a new backend or account). */
  reset(): void {
    this.seen.clear();
    this.baselined = false;
  }

  private check(): void {
    if (this.data.state !== 'ready') return;
    const fresh: Notification[] = [];
    for (const n of this.data.snapshot.notifications) {
      if (this.seen.has(n.id)) continue;
      this.seen.add(n.id);
      if (this.baselined && !n.read) fresh.push(n);
    }
    this.baselined = true;
    if (!vscode.workspace.getConfiguration('brightrun').get<boolean>('notifications.show', true))
      return;
    for (const n of fresh.reverse()) void this.show(n);
  }

  /** Runs what a notification offers (from a toast or the Notifications view), marking it read. */
  async act(n: Notification, command?: string, args: unknown[] = []): Promise<void> {
    if (!n.read) {
      try {
        await this.api.markNotificationRead(n.id);
        this.onRead();
      } catch {
        // Marking read is best effort; the view will show it unread until the next load.
      }
    }
    if (command) await vscode.commands.executeCommand(command, ...args);
  }

  private async show(n: Notification): Promise<void> {
    this.shown.push(n.title);
    const actions = notificationActions(n);
    const text = n.message ? `BrightRun: ${n.title} — ${n.message}` : `BrightRun: ${n.title}`;
    const titles = [...actions.map((a) => a.title), 'Mark Read'];
    const severity = notificationSeverity(n);
    const show =
      severity === 'error'
        ? vscode.window.showErrorMessage
        : severity === 'warning'
          ? vscode.window.showWarningMessage
          : vscode.window.showInformationMessage;
    const choice = await show(text, ...titles);
    if (!choice) return;
    const action = actions.find((a) => a.title === choice);
    await this.act(n, action?.command, action?.args);
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
