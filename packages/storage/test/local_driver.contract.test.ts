import { describe, it } from 'vitest';
import { LocalDriver } from '../src/local/local_driver.js';
import { storageDriverContract } from '../src/testing/driver_contract.js';
import { sandbox } from './helpers.js';

describe('LocalDriver', () => {
  storageDriverContract({ describe, it }, async () => {
    const box = await sandbox();
    return { driver: new LocalDriver({ root: box.root }), cleanup: box.cleanup };
  });
});
