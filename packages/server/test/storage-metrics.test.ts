import { beforeAll, describe, expect, it } from 'vitest';
import { createClient, getToken, serverForSuite } from './support/tsforge.js';

describe('storage traffic in /metrics', () => {
  const server = serverForSuite();
  let token: string;
  beforeAll(async () => {
    token = await getToken(server.url, await createClient(server.dataDir));
  });
  const counter = async (name: string) => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{disk="default"}`));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  };

  it('counts bytes stored by uploads and bytes sent by downloads, by disk', async () => {
    const auth = { authorization: `Bearer ${token}` };
    expect((await fetch(`${server.url}/api/files/m.bin`, { method: 'PUT', headers: auth, body: Buffer.alloc(1000) })).status).toBe(201);
    expect(await counter('storage_bytes_written_total')).toBe(1000);
    await (await fetch(`${server.url}/api/files/m.bin`, { headers: auth })).arrayBuffer();
    const ranged = await fetch(`${server.url}/api/files/m.bin`, { headers: { ...auth, range: 'bytes=0-99' } });
    expect(ranged.status).toBe(206);
    await ranged.arrayBuffer();
    // Reported when each response stream closes, just after the client has the last byte.
    let read = 0;
    for (let i = 0; i < 50 && read !== 1100; i++) {
      read = await counter('storage_bytes_read_total');
      if (read !== 1100) await new Promise((r) => setTimeout(r, 20));
    }
    expect(read).toBe(1100);
  });
});
