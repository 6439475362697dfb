import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, getToken, serverForSuite, until } from './support/tsforge.js';

/** Writes `bytes` in one write, keeps the socket open, and returns all the server sent until it closed. */
function exchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    socket.on('error', (err) => (data ? socket.destroy() : reject(err)));
    socket.on('close', () => resolve(data));
    setTimeout(() => socket.destroy(), 5000).unref();
  });
}

function statusLines(data: string): string[] {
  return data.split('\r\n').filter((line) => line.startsWith('HTTP/1.1 '));
}

const MALFORMED = 'GET /health HTTP/1.1\r\nHost: x\r\nBad Header: x\r\n\r\n';

describe('RFC 9112 §9.3.2: a malformed request pipelined after a whole one', () => {
  const server = serverForSuite();
  let token: string;

  beforeAll(async () => {
    token = await getToken(server.url, await createClient(server.dataDir));
  });
  afterAll(() => {
    expect(server.stderr()).toBe('');
  });

  it('an upload that arrived whole gets its own 201 first, logged as 201; then the connection closes', async () => {
    const data = await exchange(server.url, `PUT /api/files/pp1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nX-Request-Id: pipelined-put\r\nContent-Length: 3\r\n\r\nabc${MALFORMED}`);
    expect(statusLines(data)[0]).toBe('HTTP/1.1 201 Created');
    expect(statusLines(data).slice(1).every((line) => line.startsWith('HTTP/1.1 400 '))).toBe(true);
    await until(() => server.logs().some((l) => l.request_id === 'pipelined-put' && 'status' in l));
    expect(server.logs().find((l) => l.request_id === 'pipelined-put' && 'status' in l)).toMatchObject({ status: 201, msg: 'request completed' });
    const stored = await fetch(`${server.url}/api/files/pp1`, { headers: { authorization: `Bearer ${token}` } });
    expect(await stored.text()).toBe('abc');
  });

  it('a GET gets its 200 before anything is said about the malformed request after it', async () => {
    const data = await exchange(server.url, `GET /health HTTP/1.1\r\nHost: x\r\n\r\n${MALFORMED}`);
    const lines = statusLines(data);
    expect(lines[0]).toBe('HTTP/1.1 200 OK');
    expect(lines.length).toBeLessThanOrEqual(2);
    if (lines[1]) {
      expect(lines[1]).toBe('HTTP/1.1 400 Bad Request');
      expect(data.slice(data.lastIndexOf('\r\n\r\n') + 4)).toContain('"error":"invalid_request"');
    }
  });

  it('a request whose own body is malformed still gets the 400', async () => {
    const data = await exchange(server.url, 'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n5\r\ngrant\r\nzz\r\n');
    expect(statusLines(data)).toEqual(['HTTP/1.1 400 Bad Request']);
  });
});
