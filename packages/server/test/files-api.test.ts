import { describe } from 'vitest';
import { fileApiSuite } from './support/file-api-suite.js';

describe('the bearer-protected file API (local disk)', () => {
  fileApiSuite({ local: true });
});
