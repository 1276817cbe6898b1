// One page of the caller's rows for the list routes: newest first, with the total for the pager.
import type postgres from 'npm:postgres@3.4.9';
import type { Tx } from '../_shared/db.ts';
import { pageOf } from './validate.ts';

/** The tables a list route pages through, with the alias the route's column list uses. */
export type PagedTable = 'public.datasets' | 'public.training_jobs j' | 'public.model_artifacts';

export interface PageQuery<T> {
  table: PagedTable;
  /** A constant column list of the route (never user input). */
  columns: string;
  userId: string;
  /** Extra `and …` conditions built with the transaction's tag (values bound, not spliced). */
  filter: postgres.PendingQuery<postgres.Row[]>;
  limit: number;
  offset: number;
  toItem: (row: postgres.Row) => T;
}

export async function listPage<T>(tx: Tx, q: PageQuery<T>) {
  const from = tx.unsafe(q.table);
  const rows = await tx`
    select ${tx.unsafe(q.columns)}, count(*) over () as total_count
      from ${from}
     where user_id = ${q.userId} ${q.filter}
     order by created_at desc, id
     limit ${q.limit} offset ${q.offset}`;
  let total = rows.length > 0 ? Number(rows[0].total_count) : 0;
  // Past the last page the window count has no row to ride on: count separately.
  if (rows.length === 0 && q.offset > 0) {
    const [count] = await tx`
      select count(*)::int as n from ${from} where user_id = ${q.userId} ${q.filter}`;
    total = count.n as number;
  }
  return pageOf(rows.map(q.toItem), total, q.limit, q.offset);
}
