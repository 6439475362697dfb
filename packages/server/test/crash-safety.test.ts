import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient, getToken, removeDir, startTsforge, tempDataDir, until, walkFiles } from './support/tsforge.js';

const isTemp = (path: string) => /(^|\/)\..*\.[0-9a-f]{32}\.tmp$/.test(path);

describe('crash safety of uploads (local disk)', () => {
  it('a server killed with SIGKILL mid-upload keeps the previous version; the temp file is gone after restart', async () => {
    const dataDir = tempDataDir();
    try {
      const client = await createClient(dataDir);
      const first = await startTsforge({ dataDir });
      let token = await getToken(first.url, client);
      const put = await fetch(`${first.url}/api/files/doc.txt`, { method: 'PUT', headers: { authorization: `Bearer ${token}` }, body: 'ORIGINAL' });
      expect(put.status).toBe(201);

      // An upload that has sent part of its body when the process dies.
      const { hostname, port } = new URL(first.url);
      const socket = connect(Number(port), hostname);
      socket.on('error', () => {});
      socket.write(`PUT /api/files/doc.txt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 10000000\r\n\r\n`);
      socket.write(Buffer.alloc(256 * 1024, 'N'));
      const storage = join(dataDir, 'storage');
      await until(() => walkFiles(storage).some(isTemp));
      expect(await first.stop('SIGKILL')).toBe(null);
      socket.destroy();
      expect(walkFiles(storage).filter(isTemp)).toHaveLength(1); // the debris a crash leaves

      const second = await startTsforge({ dataDir });
      try {
        await until(() => second.logs().some((l) => l.msg === 'removed temp files of unfinished uploads' && l.removed === 1));
        expect(walkFiles(dataDir).filter(isTemp)).toEqual([]);
        token = await getToken(second.url, client);
        const get = await fetch(`${second.url}/api/files/doc.txt`, { headers: { authorization: `Bearer ${token}` } });
        expect(await get.text()).toBe('ORIGINAL');
        expect(walkFiles(storage)).toEqual(['doc.txt']);
      } finally {
        await second.stop();
      }
    } finally {
      removeDir(dataDir);
    }
  });
});
