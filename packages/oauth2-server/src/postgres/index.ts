export { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
export { migratePostgres, POSTGRES_SCHEMA_VERSION } from './migrations.js';
