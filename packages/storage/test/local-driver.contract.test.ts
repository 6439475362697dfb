import { describe, it } from 'vitest';
import { LocalDriver } from '../src/local/local-driver.js';
import { storageDriverContract } from '../src/testing/driver-contract.js';
import { sandbox } from './helpers.js';

describe('LocalDriver', () => {
  storageDriverContract({ describe, it }, async () => {
    const box = await sandbox();
    return { driver: new LocalDriver({ root: box.root }), cleanup: box.cleanup };
  });
});
