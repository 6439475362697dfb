import { it } from 'vitest';
import { storageDriverContract } from '../src/testing/driver-contract.js';
import { describeSwift, useSwift } from './swift.js';

describeSwift('S3Driver against OpenStack Swift (SigV4 checked)', () => {
  const swift = useSwift();
  storageDriverContract({ describe: (_name, fn) => fn(), it }, () => swift.bucket());
});
