// Migrations apply in order, twice from scratch to the same schema, and again on top of
// themselves without changing it (they are re-runnable). Documented queries run against them.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';
import { applySchema, migrationFiles } from '../support/postgres/index.ts';
import { catalogSnapshot } from './catalog-snapshot.ts';
import { db } from './root-hooks.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * ```sql blocks in docs/**.md and supabase/README.md: the monitoring and operator queries
 * people will copy. Hosted-only queries (cron.job, vault) use a plain ``` fence instead.
 */
function documentedQueries(): { file: string; query: string }[] {
  const files: string[] = [join(root, 'supabase', 'README.md')];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.md')) files.push(path);
    }
  };
  walk(join(root, 'docs'));
  const found: { file: string; query: string }[] = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/```sql\n([\s\S]*?)```/g)) {
      found.push({ file, query: match[1] });
    }
  }
  return found;
}

describe('migrations', () => {
  let first: Sql;
  let second: Sql;

  before(async function () {
    this.timeout(60_000);
    const name = `scratch_${process.pid}_${Date.now()}`;
    first = db().connect(await db().createDatabase(`${name}_a`), { max: 1 });
    second = db().connect(await db().createDatabase(`${name}_b`), { max: 1 });
    await applySchema(first);
    await applySchema(second);
  });

  it('are timestamped and ordered', () => {
    const names = migrationFiles().map((f) => f.name);
    assert.ok(names.length >= 6, names.join(', '));
    assert.deepEqual([...names].sort(), names);
    assert.equal(new Set(names.map((n) => n.slice(0, 14))).size, names.length);
  });

  it('build the same schema twice from scratch', async () => {
    const a = await catalogSnapshot(first);
    const b = await catalogSnapshot(second);
    assert.ok(a.length > 200, `snapshot too small (${a.length} lines)`);
    assert.deepEqual(a, b);
    // The shared test database (with test data in it) has the same schema as well.
    assert.deepEqual(await catalogSnapshot(db().sql), a);
  });

  it('apply again on top of themselves without error or change', async () => {
    const before = await catalogSnapshot(first);
    await applySchema(first);
    assert.deepEqual(await catalogSnapshot(first), before);
  });

  it('support every documented query', async () => {
    const queries = documentedQueries();
    assert.ok(queries.length >= 6, `only ${queries.length} documented queries found`);
    for (const { file, query } of queries) {
      try {
        await second.begin(async (tx) => {
          await tx.unsafe(query).simple();
          // Leave nothing behind: documented queries are read-only, but be sure.
          throw new Error('rollback');
        });
      } catch (error) {
        if ((error as Error).message !== 'rollback') {
          assert.fail(`${file}: ${(error as Error).message}\n${query}`);
        }
      }
    }
  });
});
