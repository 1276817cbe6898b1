// Notifications: list (unread first, then newest), mark one read, mark all read.
import type {
  ListNotificationsResponse,
  NotificationResponse,
  ReadAllResponse,
} from '../../../../common/api/types.ts';
import { withUser } from '../../_shared/db.ts';
import { ok, readJson } from '../../_shared/http.ts';
import { NOTIFICATION_COLUMNS, toNotification } from '../rows.ts';
import type { Route, RouteContext } from '../router.ts';
import { BodyReader, QueryReader, pageOf, pathId } from '../validate.ts';

async function listNotifications({ url, claims }: RouteContext): Promise<Response> {
  const query = new QueryReader(url.searchParams, ['limit', 'offset', 'unread_only']);
  const { limit, offset } = query.page();
  const unreadOnly = query.boolean('unread_only') ?? false;
  query.done();

  const data = await withUser(claims, async (tx): Promise<ListNotificationsResponse> => {
    const filter = unreadOnly ? tx`and not read` : tx``;
    const rows = await tx`
      select ${tx.unsafe(NOTIFICATION_COLUMNS)}
        from public.notifications
       where user_id = ${claims.sub} ${filter}
       order by read, created_at desc, id
       limit ${limit} offset ${offset}`;
    const [counts] = await tx`
      select count(*)::int as total, (count(*) filter (where not read))::int as unread
        from public.notifications where user_id = ${claims.sub}`;
    const total = unreadOnly ? (counts.unread as number) : (counts.total as number);
    return {
      ...pageOf(rows.map(toNotification), total, limit, offset),
      unread_count: counts.unread as number,
    };
  });
  return ok(data);
}

async function markRead({ req, params, claims }: RouteContext): Promise<Response> {
  const id = pathId(params.id);
  const input = new BodyReader(await readJson(req), ['read']);
  if (input.body.read !== true) {
    input.issues.push({
      field: 'read',
      message: 'read must be true (notifications cannot be marked unread)',
    });
  }
  input.done();
  const notification = await withUser(claims, async (tx) => {
    const [row] = await tx`
      select ${tx.unsafe(NOTIFICATION_COLUMNS)} from public.mark_notification_read(${id})`;
    return toNotification(row);
  });
  return ok<NotificationResponse>({ notification });
}

async function markAllRead({ claims }: RouteContext): Promise<Response> {
  const updated = await withUser(claims, async (tx) => {
    const [row] = await tx`select public.mark_all_notifications_read() as updated`;
    return row.updated as number;
  });
  return ok<ReadAllResponse>({ updated });
}

export const notificationRoutes: readonly Route[] = [
  { method: 'GET', pattern: '/notifications', handle: listNotifications },
  { method: 'POST', pattern: '/notifications/read-all', handle: markAllRead },
  { method: 'PATCH', pattern: '/notifications/:id', handle: markRead },
];
