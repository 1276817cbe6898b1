// One Postgres cluster for the whole database tier. Mocha runs top-level hooks of a loaded file
// as root hooks: this module is imported by every db test file (ESM evaluates it once), so the
// cluster starts before the first test and is removed after the last, also when tests fail.
import { startTestDatabase, type TestDatabase } from '../support/postgres/index.ts';

let current: TestDatabase | undefined;
let startedAt = 0;

before(async function () {
  // A fresh machine may first apt-install postgresql.
  this.timeout(600_000);
  startedAt = Date.now();
  current = await startTestDatabase();
  console.log(`  (db: Postgres cluster with schema ready in ${Date.now() - startedAt} ms)`);
});

after(async function () {
  this.timeout(60_000);
  await current?.stop();
  current = undefined;
  if (startedAt > 0) console.log(`  (db: tier finished in ${Date.now() - startedAt} ms)`);
});

/** The shared test database; only valid inside tests and hooks. */
export function db(): TestDatabase {
  if (!current) throw new Error('the test database is not running (root hook not run?)');
  return current;
}
