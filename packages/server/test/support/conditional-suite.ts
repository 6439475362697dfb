import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, getToken, serverForSuite } from './tsforge.js';

/** RFC 9110 §13.1 on the file API, the same on every storage driver. */
export function conditionalSuite({ env = () => ({}), atomic }: { env?: () => NodeJS.ProcessEnv; atomic: boolean }): void {
  const server = serverForSuite(() => ({ env: env() }));
  let token: string;
  beforeAll(async () => {
    token = await getToken(server.url, await createClient(server.dataDir));
  });
  const files = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}/api/files/${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) } });
  const put = (key: string, body: string, headers: Record<string, string> = {}) =>
    files(key, { method: 'PUT', body, headers: { 'content-type': 'text/plain', ...headers } });
  const text = async (key: string) => (await files(key)).text();
  const failed = { error: 'precondition_failed', error_description: expect.any(String) };

  describe('PUT', () => {
    it('§13.1.2 If-None-Match: * creates the file when there is none, and is 412 once there is one', async () => {
      const first = await put('create-only.txt', 'first', { 'if-none-match': '*' });
      expect(first.status).toBe(201);
      const second = await put('create-only.txt', 'second', { 'if-none-match': '*' });
      expect(second.status).toBe(412);
      expect(await second.json()).toEqual(failed);
      expect(await text('create-only.txt')).toBe('first');
    });

    it('§13.1.1 If-Match: "etag" replaces only the version it names; a stale etag → 412, file unchanged', async () => {
      const v1 = (await put('update.txt', 'v1')).headers.get('etag')!;
      const v2 = await put('update.txt', 'v2', { 'if-match': v1 });
      expect(v2.status).toBe(200);
      const stale = await put('update.txt', 'v3', { 'if-match': v1 });
      expect(stale.status).toBe(412);
      expect(await stale.json()).toEqual(failed);
      expect(await text('update.txt')).toBe('v2');
      expect((await put('update.txt', 'v3', { 'if-match': `"nope", ${v2.headers.get('etag')!}` })).status).toBe(200);
    });

    it('§13.1.1 If-Match uses the strong comparison: W/"etag" never matches → 412', async () => {
      const etag = (await put('weak.txt', 'v1')).headers.get('etag')!;
      expect((await put('weak.txt', 'v2', { 'if-match': `W/${etag}` })).status).toBe(412);
      expect(await text('weak.txt')).toBe('v1');
    });

    it('§13.1.1 If-Match on a file that does not exist (an etag or *) → 412, nothing created', async () => {
      expect((await put('absent.txt', 'x', { 'if-match': '"0123"' })).status).toBe(412);
      expect((await put('absent.txt', 'x', { 'if-match': '*' })).status).toBe(412);
      expect((await files('absent.txt', { method: 'HEAD' })).status).toBe(404);
    });

    it('§13.1.2 If-None-Match: "etag" on PUT → 412 when it is the current version (weak comparison)', async () => {
      const etag = (await put('none-match.txt', 'v1')).headers.get('etag')!;
      expect((await put('none-match.txt', 'v2', { 'if-none-match': `W/${etag}` })).status).toBe(412);
      expect((await put('none-match.txt', 'v2', { 'if-none-match': '"other"' })).status).toBe(200);
    });

    if (atomic) {
      it('§13.1.2 If-None-Match: * is atomic: of racing creates exactly one is 201, the rest 412', async () => {
        const statuses = await Promise.all(Array.from({ length: 8 }, (_, i) => put('race.txt', `writer ${i}`, { 'if-none-match': '*' }).then((r) => r.status)));
        expect(statuses.filter((s) => s === 201)).toHaveLength(1);
        expect(statuses.filter((s) => s === 412)).toHaveLength(7);
      });
    }
  });

  describe('DELETE', () => {
    it('§13.1.1 If-Match: a stale etag → 412 and the file stays; the current one → 204', async () => {
      const v1 = (await put('del.txt', 'v1')).headers.get('etag')!;
      const v2 = (await put('del.txt', 'v2')).headers.get('etag')!;
      const stale = await files('del.txt', { method: 'DELETE', headers: { 'if-match': v1 } });
      expect(stale.status).toBe(412);
      expect(await text('del.txt')).toBe('v2');
      expect((await files('del.txt', { method: 'DELETE', headers: { 'if-match': v2 } })).status).toBe(204);
      expect((await files('del.txt', { method: 'HEAD' })).status).toBe(404);
      expect((await files('del.txt', { method: 'DELETE', headers: { 'if-match': '*' } })).status).toBe(412);
    });
  });

  describe('GET and HEAD', () => {
    it('§13.1.2 If-None-Match naming the current version (strong or weak) → 304 with its ETag; another → 200', async () => {
      const etag = (await put('get.txt', 'body')).headers.get('etag')!;
      for (const value of [etag, `W/${etag}`, `"x", ${etag}`, '*']) {
        const response = await files('get.txt', { headers: { 'if-none-match': value } });
        expect(response.status).toBe(304);
        expect(response.headers.get('etag')).toBe(etag);
      }
      const other = await files('get.txt', { headers: { 'if-none-match': '"other"' } });
      expect(other.status).toBe(200);
      expect(await other.text()).toBe('body');
    });

    it('§13.1.1 If-Match naming another version → 412 on GET, HEAD and a Range GET; the current one → 200', async () => {
      const etag = (await put('get-match.txt', 'body')).headers.get('etag')!;
      for (const init of [{}, { method: 'HEAD' }, { headers: { range: 'bytes=0-1' } }] as RequestInit[]) {
        const response = await files('get-match.txt', { ...init, headers: { ...(init.headers as Record<string, string>), 'if-match': '"stale"' } });
        expect(response.status).toBe(412);
      }
      const response = await files('get-match.txt', { headers: { 'if-match': etag } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('body');
    });
  });

  describe('dates: If-Unmodified-Since and If-Modified-Since', () => {
    // The Last-Modified of a fresh file, and HTTP-dates one second before it and at it.
    const stored = async (key: string) => {
      const head = await files(key, { method: 'HEAD' });
      const at = Date.parse(head.headers.get('last-modified')!);
      return { at: new Date(at).toUTCString(), before: new Date(at - 1000).toUTCString(), etag: head.headers.get('etag')! };
    };

    it('§13.1.4 PUT: If-Unmodified-Since before Last-Modified → 412, file unchanged; at it → 200', async () => {
      await put('ius-put.txt', 'v1');
      const { at, before } = await stored('ius-put.txt');
      const stale = await put('ius-put.txt', 'v2', { 'if-unmodified-since': before });
      expect(stale.status).toBe(412);
      expect(await stale.json()).toEqual(failed);
      expect(await text('ius-put.txt')).toBe('v1');
      expect((await put('ius-put.txt', 'v2', { 'if-unmodified-since': at })).status).toBe(200);
      expect(await text('ius-put.txt')).toBe('v2');
    });

    it('§13.1.4 PUT: If-Unmodified-Since on a file that does not exist → 412, nothing created', async () => {
      const response = await put('ius-missing.txt', 'x', { 'if-unmodified-since': new Date().toUTCString() });
      expect(response.status).toBe(412);
      expect((await files('ius-missing.txt', { method: 'HEAD' })).status).toBe(404);
    });

    it('§13.1.4 If-Unmodified-Since is ignored with If-Match, and when not a valid HTTP-date', async () => {
      await put('ius-ignored.txt', 'v1');
      const { before, etag } = await stored('ius-ignored.txt');
      expect((await put('ius-ignored.txt', 'v2', { 'if-unmodified-since': before, 'if-match': etag })).status).toBe(200);
      for (const value of ['yesterday', `${before}, ${before}`, 'Mon, 31 Feb 2020 00:00:00 GMT']) {
        expect((await put('ius-ignored.txt', 'v3', { 'if-unmodified-since': value })).status, value).toBe(200);
      }
    });

    it('§13.1.4 DELETE: If-Unmodified-Since before Last-Modified → 412, the file stays; at it → 204', async () => {
      await put('ius-del.txt', 'v1');
      const { at, before } = await stored('ius-del.txt');
      expect((await files('ius-del.txt', { method: 'DELETE', headers: { 'if-unmodified-since': before } })).status).toBe(412);
      expect(await text('ius-del.txt')).toBe('v1');
      expect((await files('ius-del.txt', { method: 'DELETE', headers: { 'if-unmodified-since': at } })).status).toBe(204);
    });

    it('§13.1.4 GET, HEAD and a Range GET: If-Unmodified-Since before Last-Modified → 412; at it → 200', async () => {
      await put('ius-get.txt', 'body');
      const { at, before } = await stored('ius-get.txt');
      for (const init of [{}, { method: 'HEAD' }, { headers: { range: 'bytes=0-1' } }] as RequestInit[]) {
        const response = await files('ius-get.txt', { ...init, headers: { ...(init.headers as Record<string, string>), 'if-unmodified-since': before } });
        expect(response.status).toBe(412);
      }
      expect((await files('ius-get.txt', { headers: { 'if-unmodified-since': at } })).status).toBe(200);
    });

    it('§13.1.3 GET and HEAD: If-Modified-Since at or after Last-Modified → 304; before it → 200', async () => {
      await put('ims.txt', 'body');
      const { at, before, etag } = await stored('ims.txt');
      for (const method of ['GET', 'HEAD']) {
        const same = await files('ims.txt', { method, headers: { 'if-modified-since': at } });
        expect(same.status, method).toBe(304);
        expect(same.headers.get('etag')).toBe(etag);
        expect((await files('ims.txt', { method, headers: { 'if-modified-since': before } })).status, method).toBe(200);
      }
      // The obsolete RFC 850 and asctime forms name the same second (§5.6.7: recipients MUST accept them).
      const date = new Date(Date.parse(at));
      const rfc850 = at.replace(/^(\w{3}), (\d{2}) (\w{3}) \d{2}(\d{2})/, (_m, _d, day, mon, yy) =>
        `${['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][date.getUTCDay()]}, ${day}-${mon}-${yy}`);
      expect((await files('ims.txt', { headers: { 'if-modified-since': rfc850 } })).status, rfc850).toBe(304);
    });

    it('§13.1.3 If-Modified-Since is ignored with If-None-Match, and when not a valid HTTP-date', async () => {
      await put('ims-ignored.txt', 'body');
      const { at } = await stored('ims-ignored.txt');
      const response = await files('ims-ignored.txt', { headers: { 'if-modified-since': at, 'if-none-match': '"other"' } });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('body');
      expect((await files('ims-ignored.txt', { headers: { 'if-modified-since': 'not a date' } })).status).toBe(200);
    });
  });
}
