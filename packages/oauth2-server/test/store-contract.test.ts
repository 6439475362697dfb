import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { MemoryStore } from '../src/memory-store.js';
import { SqliteStore } from '../src/sqlite/sqlite-store.js';
import { storeContract } from '../src/testing/store-contract.js';

const dir = mkdtempSync(join(tmpdir(), 'oauth2-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('MemoryStore', () => new MemoryStore());
storeContract('SqliteStore (file)', () => new SqliteStore({ path: join(dir, `db-${++n}.sqlite`) }));
