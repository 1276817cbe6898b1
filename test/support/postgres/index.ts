// The test tiers' database: the harness lives in the product code (server/src/local/postgres/,
// shared with the local stack); these names keep the tests' imports unchanged.
export {
  applySchema,
  asAnon,
  asServiceRole,
  asUser,
  createUser,
  ensurePostgresBinDir,
  findPostgresBinDir,
  migrate,
  migrationFiles,
  standinsFile,
  startDatabase as startTestDatabase,
  type Database as TestDatabase,
  type DatabaseOptions as StartOptions,
  type Tx,
} from '../../../server/src/local/postgres/index.ts';
