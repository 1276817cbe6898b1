// Moved to the product code (the local stack uses it too); kept so existing imports work.
export * from '../../../server/src/local/postgres/migrations.ts';
