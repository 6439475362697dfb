import { describe } from 'vitest';
import { conditionalSuite } from './support/conditional-suite.js';
import { describeSwift, swiftForSuite } from './support/swift.js';

describe('RFC 9110 §13.1 conditional requests on the file API (local disk)', () => {
  conditionalSuite({ atomic: true });
});

// On S3 the check is a HEAD before the change: not atomic, so no race test.
describeSwift('RFC 9110 §13.1 conditional requests on the file API (S3 on Swift)', () => {
  const swift = swiftForSuite('tsforge-conditional');
  conditionalSuite({ env: () => swift.env(), atomic: false });
});
