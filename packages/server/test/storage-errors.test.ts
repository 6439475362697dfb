import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '@tsforge/logging';
import { STORAGE_ERROR_STATUS, StorageError, type StorageErrorCode } from '@tsforge/storage';
import { unreachableReason } from '../src/database-outage.js';
import { installErrorHandling } from '../src/plugins/errors.js';
import { installRetryAfter } from '../src/plugins/retry-after.js';

describe('every StorageError code has its HTTP answer', () => {
  const app = Fastify();
  installErrorHandling(app, createLogger({ level: 'silent' }));
  installRetryAfter(app);
  app.get('/:code', async (request) => {
    throw new StorageError((request.params as { code: StorageErrorCode }).code, 'what the client sees');
  });
  afterAll(() => app.close());

  for (const [code, status] of Object.entries(STORAGE_ERROR_STATUS)) {
    it(`${code} → ${status}${status < 500 ? ' with its message' : code === 'E_UNAVAILABLE' ? ' with Retry-After, saying nothing inside' : ', saying nothing inside'}`, async () => {
      const response = await app.inject({ method: 'GET', url: `/${code}` });
      expect(response.statusCode).toBe(status);
      const body = response.json() as { error: string; error_description: string };
      if (status < 500) {
        expect(body.error).not.toBe('server_error');
        expect(body.error_description).toBe('what the client sees');
      } else if (code === 'E_UNAVAILABLE') {
        // RFC 9110 §15.6.4, §10.2.3: a store that is down is worth retrying, after a pause.
        expect(response.headers['retry-after']).toBe('5');
        expect(body).toEqual({ error: 'temporarily_unavailable', error_description: 'the storage service is temporarily unavailable; try again later' });
      } else {
        expect(body).toEqual({ error: 'server_error', error_description: 'internal server error' });
      }
    });
  }
});

describe('a file store failure is never taken for a database outage', () => {
  const reported: unknown[] = [];
  const app = Fastify();
  installErrorHandling(app, createLogger({ level: 'silent' }), {
    // As `tsforge serve` on PostgreSQL wires it: DatabaseOutage.report.
    databaseUnreachable: (err) => {
      reported.push(err);
      return unreachableReason(err) !== undefined;
    },
  });
  app.get('/full-disk', async () => {
    // What Disk makes of a write to a full local disk.
    throw new StorageError('E_IO', 'storage put failed for "a.bin"', { cause: Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' }) });
  });
  afterAll(() => app.close());

  it('E_IO caused by ENOSPC → 500 server_error, not a 503 counted as "database unreachable"', async () => {
    const response = await app.inject({ method: 'GET', url: '/full-disk' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({ error: 'server_error', error_description: 'internal server error' });
    expect(reported).toEqual([]);
  });
});
