/**
 * Notifications written by the background functions (training.md §4 types). One insert in the
 * caller's transaction, so a notification exists exactly when the transition it reports does.
 */
import type { NotificationType } from '../../../common/api/types.ts';
import type { Tx } from './db.ts';

export type { NotificationType };

export interface NewNotification {
  userId: string;
  type: NotificationType;
  title: string;
  message: string;
  priority?: 'low' | 'normal' | 'high' | 'urgent';
  metadata?: Record<string, unknown>;
}

/** The table limits titles to 200 characters; names inside them are the user's. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export async function notify(tx: Tx, n: NewNotification): Promise<void> {
  await tx`
    insert into public.notifications (user_id, type, priority, title, message, metadata)
    values (${n.userId}, ${n.type}, ${n.priority ?? 'normal'}, ${clip(n.title, 200)},
            ${n.message}, ${tx.json((n.metadata ?? {}) as never)})`;
}
