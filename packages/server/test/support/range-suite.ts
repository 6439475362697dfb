import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, getToken, type RunningTsforge } from './tsforge.js';

/** RFC 9110 §14 range requests on GET /api/files, whatever the driver. */
export function rangeSuite(server: RunningTsforge): void {
  describe('RFC 9110 §14 byte ranges on GET /api/files/<key>', () => {
    let token: string;
    let etag: string;
    beforeAll(async () => {
      token = await getToken(server.url, await createClient(server.dataDir));
      const put = await fetch(`${server.url}/api/files/range/digits.txt`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: '0123456789' });
      etag = put.headers.get('etag')!;
    });
    const get = (headers: Record<string, string>, method = 'GET') =>
      fetch(`${server.url}/api/files/range/digits.txt`, { method, headers: { authorization: `Bearer ${token}`, ...headers } });

    it.each([
      ['bytes=2-4', '234', 'bytes 2-4/10'],
      ['bytes=7-', '789', 'bytes 7-9/10'],
      ['bytes=-3', '789', 'bytes 7-9/10'],
      ['bytes=-30', '0123456789', 'bytes 0-9/10'],
      ['bytes=8-100', '89', 'bytes 8-9/10'],
    ])('§14.1.2 %s → 206 %j with Content-Range %s', async (range, body, contentRange) => {
      const response = await get({ range });
      expect(response.status).toBe(206);
      expect(response.headers.get('content-range')).toBe(contentRange);
      expect(response.headers.get('content-length')).toBe(String(body.length));
      expect(await response.text()).toBe(body);
    });

    it.each(['bytes=10-', 'bytes=-0', 'bytes=10-20'])('§15.5.17 %s → 416 with Content-Range bytes */10', async (range) => {
      const response = await get({ range });
      expect(response.status).toBe(416);
      expect(response.headers.get('content-range')).toBe('bytes */10');
      expect(await response.json()).toEqual({ error: 'range_not_satisfiable', error_description: expect.any(String) });
    });

    // Positions past 2^53 (Number.MAX_SAFE_INTEGER) are past the end of any file, never a rounded neighbour.
    it.each([
      ['bytes=0-99999999999999999999', '0123456789', 'bytes 0-9/10'],
      ['bytes=8-9007199254740993', '89', 'bytes 8-9/10'],
      ['bytes=-99999999999999999999', '0123456789', 'bytes 0-9/10'],
      ['bytes=0000000000000000000000002-0000000000000000000000004', '234', 'bytes 2-4/10'],
    ])('§14.1.2 %s (a position of any length is a number) → 206 %j with Content-Range %s', async (range, body, contentRange) => {
      const response = await get({ range });
      expect([response.status, response.headers.get('content-range'), await response.text()]).toEqual([206, contentRange, body]);
    });

    it.each(['bytes=9007199254740992-', 'bytes=99999999999999999999-', 'bytes=99999999999999999999-99999999999999999999'])(
      '§14.1.2 %s (a first-pos past 2^53) → 416 with Content-Range bytes */10',
      async (range) => {
        const response = await get({ range });
        expect([response.status, response.headers.get('content-range')]).toEqual([416, 'bytes */10']);
      },
    );

    it('§14.1.1 bytes=99999999999999999999-99999999999999999998 (last-pos below first-pos, both past 2^53) is ignored: 200', async () => {
      const response = await get({ range: 'bytes=99999999999999999999-99999999999999999998' });
      expect([response.status, await response.text()]).toEqual([200, '0123456789']);
    });

    it.each(['bytes=0-1,3-4', 'items=0-1', 'bytes=5-2', 'bytes=x-y', 'bytes=-'])('§14.2 %s is ignored: 200 and the whole file', async (range) => {
      const response = await get({ range });
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('0123456789');
    });

    it('§13.1.5 If-Range with the current etag gets the range, with another the whole file', async () => {
      const hit = await get({ range: 'bytes=0-1', 'if-range': etag });
      expect([hit.status, await hit.text()]).toEqual([206, '01']);
      const miss = await get({ range: 'bytes=0-1', 'if-range': '"something-else"' });
      expect([miss.status, await miss.text()]).toEqual([200, '0123456789']);
    });

    it('§13.1.5 If-Range with an HTTP-date, even the current Last-Modified, or a weak etag gets the whole file', async () => {
      const lastModified = (await get({})).headers.get('last-modified')!;
      for (const ifRange of [lastModified, `W/${etag}`]) {
        const response = await get({ range: 'bytes=0-1', 'if-range': ifRange });
        expect([response.status, await response.text()], ifRange).toEqual([200, '0123456789']);
      }
    });

    it('§15.5.17 a range GET racing a PUT that shrinks the file → 206 or 416 with the new length, never 500', async () => {
      const url = `${server.url}/api/files/range/shrinking.bin`;
      const auth = { authorization: `Bearer ${token}` };
      const put = (body: string) => fetch(url, { method: 'PUT', headers: auth, body }).then((r) => r.arrayBuffer());
      await put('x'.repeat(100));
      let stop = false;
      const writer = (async () => {
        for (let i = 0; !stop; i++) await put(i % 2 ? 'x'.repeat(100) : 'x');
      })();
      const seen = new Set<string>();
      try {
        for (let i = 0; i < 150; i++) {
          const response = await fetch(url, { headers: { ...auth, range: 'bytes=50-' } });
          const body = await response.text();
          if (response.status === 206) expect(body).toBe('x'.repeat(50));
          else expect([response.status, response.headers.get('content-range')]).toEqual([416, 'bytes */1']);
          seen.add(String(response.status));
        }
      } finally {
        stop = true;
        await writer;
      }
      expect([...seen].every((s) => s === '206' || s === '416')).toBe(true);
    }, 60_000);

    it('§13.2.2 If-None-Match is judged before Range; HEAD advertises Accept-Ranges and ignores Range', async () => {
      expect((await get({ range: 'bytes=0-1', 'if-none-match': etag })).status).toBe(304);
      const head = await get({ range: 'bytes=0-1' }, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers.get('accept-ranges')).toBe('bytes');
      expect(head.headers.get('content-length')).toBe('10');
    });
  });
}
