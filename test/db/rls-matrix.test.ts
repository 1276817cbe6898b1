// The row level security matrix: every table × select/insert/update/delete × {anon, owner,
// other user}, plus a forged user_id and an ownership change per table. Users read only their
// own rows and never write directly (their writes go through the SQL functions).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Sql } from 'postgres';
import { asAnon, asServiceRole, asUser, type Tx } from '../support/postgres/index.ts';
import { outcome, seedUser, type SeededRows } from './helpers.ts';
import { db } from './root-hooks.ts';

type Who = 'anon' | 'owner' | 'other';
type Op = 'select' | 'insert' | 'update' | 'delete';

interface TableCase {
  table: string;
  id: (rows: SeededRows) => string;
  /** A valid new row for `userId`, hanging off `rows`' parents. */
  newRow: (rows: SeededRows, userId: string) => Record<string, unknown>;
  /** A harmless column change for the update cells. */
  set: string;
}

const TABLES: TableCase[] = [
  {
    table: 'datasets',
    id: (r) => r.datasetId,
    newRow: (_r, u) => {
      const id = randomUUID();
      return {
        id,
        user_id: u,
        name: 'x',
        file_name: 'x.jsonl',
        file_size: 1,
        storage_path: `${u}/${id}/x.jsonl`,
      };
    },
    set: "name = 'renamed'",
  },
  {
    table: 'training_jobs',
    id: (r) => r.jobId,
    newRow: (r, u) => ({
      user_id: u,
      dataset_id: r.datasetId,
      config: {},
      preset_id: 'custom',
      base_model: 'builtin/tiny-gpt',
      learning_rate: 0.001,
      batch_size: 1,
      epochs: 1,
      lora_rank: 4,
      lora_alpha: 8,
      lora_dropout: 0,
      warmup_ratio: 0,
      max_seq_length: 128,
      gradient_accumulation_steps: 1,
      validation_split: 0,
      gpu_type: 'H100',
      gpu_count: 1,
      estimated_cost: 0,
    }),
    set: "name = 'renamed'",
  },
  {
    table: 'metrics_points',
    id: (r) => r.metricsPointId,
    newRow: (r, u) => ({ job_id: r.jobId, user_id: u, epoch: 0, step: 99, training_loss: 1 }),
    set: 'training_loss = 0.001',
  },
  {
    table: 'model_artifacts',
    id: (r) => r.artifactId,
    newRow: (r, u) => ({
      job_id: r.jobId,
      user_id: u,
      name: 'x',
      base_model: 'builtin/tiny-gpt',
      storage_path: `${u}/${randomUUID()}/`,
    }),
    set: "name = 'renamed'",
  },
  {
    table: 'checkpoints',
    id: (r) => r.checkpointId,
    newRow: (r, u) => ({ job_id: r.jobId, user_id: u, epoch: 2, step: 20 }),
    set: "storage_path = 'elsewhere'",
  },
  {
    table: 'cost_records',
    id: (r) => r.costRecordId,
    newRow: (r, u) => ({
      job_id: r.jobId,
      user_id: u,
      cost_type: 'storage',
      amount: 0,
      billing_period: '2026-11-01',
    }),
    set: 'amount = 0',
  },
  {
    table: 'notifications',
    id: (r) => r.notificationId,
    newRow: (_r, u) => ({ user_id: u, type: 'budget_alert', title: 'x' }),
    set: "title = 'renamed'",
  },
];

/** Expected outcome per operation and caller (42501 = permission denied). */
const EXPECTED: Record<Op, Record<Who, string>> = {
  select: { anon: 'ok:0', owner: 'ok:1', other: 'ok:0' },
  insert: { anon: 'error:42501', owner: 'error:42501', other: 'error:42501' },
  update: { anon: 'error:42501', owner: 'error:42501', other: 'error:42501' },
  delete: { anon: 'error:42501', owner: 'error:42501', other: 'error:42501' },
};

const results: { cell: string; passed: boolean }[] = [];

describe('row level security matrix', () => {
  let owner: SeededRows;
  let other: SeededRows;

  before(async () => {
    owner = await seedUser(db().sql);
    other = await seedUser(db().sql);
  });

  after(() => {
    const passed = results.filter((r) => r.passed).length;
    const t = TABLES.length;
    console.log(
      `  RLS matrix: ${t} tables × 4 operations × 3 callers = ${t * 12} cells, ` +
        `+ ${t} forged user_id + ${t * 2} ownership changes = ${t * 15} cells`,
    );
    console.log(`  RLS matrix: ${passed}/${results.length} cells passed`);
    for (const r of results.filter((c) => !c.passed)) console.log(`    FAILED cell: ${r.cell}`);
  });

  function as<T>(who: Who, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const sql: Sql = db().sql;
    if (who === 'anon') return asAnon(sql, fn);
    return asUser(sql, who === 'owner' ? owner.userId : other.userId, fn);
  }

  function record(cell: string, actual: string, expected: string): void {
    results.push({ cell, passed: actual === expected });
    assert.equal(actual, expected, cell);
  }

  /** The row must be unchanged whatever the cell tried. */
  async function assertIntact(t: TableCase): Promise<void> {
    const [row] = await asServiceRole(
      db().sql,
      (tx) => tx`select user_id from ${tx('public.' + t.table)} where id = ${t.id(owner)}`,
    );
    assert.equal(row?.user_id, owner.userId, `${t.table} row changed or vanished`);
  }

  for (const t of TABLES) {
    describe(t.table, () => {
      for (const who of ['anon', 'owner', 'other'] as Who[]) {
        it(`select as ${who}`, async () => {
          const actual = await outcome(
            as(who, (tx) => tx`select * from ${tx('public.' + t.table)} where id = ${t.id(owner)}`),
          );
          record(`${t.table} select ${who}`, actual, EXPECTED.select[who]);
        });

        it(`insert as ${who}`, async () => {
          const self =
            who === 'owner' ? owner.userId : who === 'other' ? other.userId : owner.userId;
          const rows = who === 'other' ? other : owner;
          const actual = await outcome(
            as(who, (tx) => tx`insert into ${tx('public.' + t.table)} ${tx(t.newRow(rows, self))}`),
          );
          record(`${t.table} insert ${who}`, actual, EXPECTED.insert[who]);
        });

        it(`update as ${who}`, async () => {
          const actual = await outcome(
            as(
              who,
              (tx) =>
                tx`update ${tx('public.' + t.table)} set ${tx.unsafe(t.set)} where id = ${t.id(owner)}`,
            ),
          );
          record(`${t.table} update ${who}`, actual, EXPECTED.update[who]);
          await assertIntact(t);
        });

        it(`delete as ${who}`, async () => {
          const actual = await outcome(
            as(who, (tx) => tx`delete from ${tx('public.' + t.table)} where id = ${t.id(owner)}`),
          );
          record(`${t.table} delete ${who}`, actual, EXPECTED.delete[who]);
          await assertIntact(t);
        });
      }

      it('rejects a forged user_id (another user inserting a row as the owner)', async () => {
        const actual = await outcome(
          as(
            'other',
            (tx) => tx`insert into ${tx('public.' + t.table)} ${tx(t.newRow(owner, owner.userId))}`,
          ),
        );
        record(`${t.table} forged user_id`, actual, 'error:42501');
      });

      it('rejects an ownership change by the owner', async () => {
        const actual = await outcome(
          as(
            'owner',
            (tx) =>
              tx`update ${tx('public.' + t.table)} set user_id = ${other.userId} where id = ${t.id(owner)}`,
          ),
        );
        record(`${t.table} ownership change by owner`, actual, 'error:42501');
        await assertIntact(t);
      });

      it('rejects an ownership change even by the service role', async () => {
        const actual = await outcome(
          asServiceRole(
            db().sql,
            (tx) =>
              tx`update ${tx('public.' + t.table)} set user_id = ${other.userId} where id = ${t.id(owner)}`,
          ),
        );
        record(`${t.table} ownership change by service_role`, actual, 'error:42501');
        await assertIntact(t);
      });
    });
  }

  it('lets the service role read and write every table (background work)', async () => {
    for (const t of TABLES) {
      const count = await asServiceRole(db().sql, async (tx) => {
        const rows =
          await tx`select id from ${tx('public.' + t.table)} where user_id = ${owner.userId}`;
        await tx`update ${tx('public.' + t.table)} set ${tx.unsafe(t.set)} where id = ${t.id(owner)}`;
        return rows.length;
      });
      assert.ok(count >= 1, t.table);
    }
  });
});
