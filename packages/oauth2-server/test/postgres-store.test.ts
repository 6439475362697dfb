import { afterAll } from 'vitest';
import { PostgresStore } from '../src/postgres/index.js';
import { storeContract } from '../src/testing/store-contract.js';
import { PG_URL, schemaScope } from './postgres-helpers.js';

const schemas = schemaScope('contract');
afterAll(() => schemas.dropAll());

storeContract('PostgresStore', () => PostgresStore.open({ connectionString: PG_URL, schema: schemas.fresh(), max: 4 }));
