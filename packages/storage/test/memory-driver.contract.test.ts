import { describe, it } from 'vitest';
import { MemoryDriver } from '../src/memory/memory-driver.js';
import { storageDriverContract } from '../src/testing/driver-contract.js';

describe('MemoryDriver', () => {
  storageDriverContract({ describe, it }, async () => ({ driver: new MemoryDriver() }));
});
