import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, createClient, getToken, serverForSuite, type Client } from './support/tsforge.js';

/** A raw connection that reads the server's bytes as they come, one response head at a time. */
class Wire {
  readonly socket: Socket;
  #data = '';
  #closed = false;
  #waiter: (() => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setEncoding('utf8').on('data', (d: string) => { this.#data += d; this.#waiter?.(); });
    socket.on('error', () => {});
    socket.on('close', () => { this.#closed = true; this.#waiter?.(); });
  }

  static open(url: string): Promise<Wire> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => resolve(new Wire(socket)));
      socket.once('error', reject);
    });
  }

  /** The next status line and headers; for a final response, its Content-Length body too. */
  async next(timeoutMs = 3000): Promise<{ status: number; head: string; body: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const end = this.#data.indexOf('\r\n\r\n');
      if (end !== -1) {
        const head = this.#data.slice(0, end);
        const status = Number(head.slice(9, 12));
        const length = status < 200 ? 0 : Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (this.#data.length >= end + 4 + length) {
          const body = this.#data.slice(end + 4, end + 4 + length);
          this.#data = this.#data.slice(end + 4 + length);
          return { status, head, body };
        }
      }
      if (this.#closed) throw new Error(`connection closed; got ${JSON.stringify(this.#data)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no response within ${timeoutMs} ms; got ${JSON.stringify(this.#data)}`);
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        setTimeout(resolve, left).unref();
      });
    }
  }
}

describe('RFC 9110 §10.1.1: Expect', () => {
  const server = serverForSuite();
  let client: Client;
  let token: string;
  const opened: Wire[] = [];
  const open = async () => {
    const wire = await Wire.open(server.url);
    opened.push(wire);
    return wire;
  };

  const signedUploadPath = async (key: string, size: number): Promise<string> => {
    const response = await fetch(`${server.url}/api/files/${key}/upload-url`, {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ expires_in: 60, size }),
    });
    const { url } = (await response.json()) as { url: string };
    return url.slice(server.url.length);
  };

  beforeAll(async () => {
    client = await createClient(server.dataDir);
    token = await getToken(server.url, client);
  });
  afterAll(() => {
    for (const wire of opened) wire.socket.destroy();
    expect(server.stderr()).toBe('');
  });

  it('an anonymous upload waiting for 100-continue gets the 401 instead of a 100', async () => {
    const wire = await open();
    wire.socket.write('PUT /api/files/expect-anon HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\nExpect: 100-continue\r\n\r\n');
    const first = await wire.next();
    expect(first.status).toBe(401);
    expect(first.head).toMatch(/^connection: close$/im);
  });

  it('an upload over the size limit waiting for 100-continue gets the 413 instead of a 100', async () => {
    const wire = await open();
    wire.socket.write(`PUT /api/files/expect-big HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 999999999999\r\nExpect: 100-continue\r\n\r\n`);
    const first = await wire.next();
    expect(first.status).toBe(413);
    expect(JSON.parse(first.body)).toMatchObject({ error: 'payload_too_large' });
  });

  it('a JSON body over the limit waiting for 100-continue gets the 413 instead of a 100', async () => {
    const wire = await open();
    wire.socket.write(`POST /api/files/a/signed-url HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\nExpect: 100-continue\r\n\r\n`);
    expect((await wire.next()).status).toBe(413);
  });

  it('a sign-in form over its own (smaller) limit waiting for 100-continue gets the 413 instead of a 100', async () => {
    const wire = await open();
    wire.socket.write('POST /oauth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n');
    expect((await wire.next()).status).toBe(413);
  });

  const bodies: { name: string; head: () => string | Promise<string>; body: string; status: number }[] = [
    {
      name: 'an upload',
      head: () => `PUT /api/files/expect-ok HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Length: 5\r\n`,
      body: 'hello',
      status: 201,
    },
    {
      name: 'the token endpoint',
      head: () => `POST /oauth/token HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(client.client_id, client.client_secret)}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n`,
      body: 'grant_type=client_credentials',
      status: 200,
    },
    {
      name: 'a signed-URL request (JSON body)',
      head: () => `POST /api/files/expect-ok/signed-url HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n`,
      body: '{}',
      status: 200,
    },
    {
      name: 'a signed upload',
      head: async () => `PUT ${await signedUploadPath('expect-signed', 5)} HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n`,
      body: 'hello',
      status: 201,
    },
  ];
  for (const c of bodies) {
    it(`${c.name}: a client that waits for the 100 gets it at once, then its answer`, async () => {
      const wire = await open();
      const head = await c.head();
      const started = Date.now();
      wire.socket.write(`${head}Expect: 100-continue\r\n\r\n`);
      const interim = await wire.next(500);
      expect(interim.status).toBe(100);
      expect(Date.now() - started).toBeLessThan(500);
      wire.socket.write(c.body);
      const final = await wire.next();
      expect(final.status, final.body).toBe(c.status);
      expect(final.head).not.toMatch(/^connection: close$/im);
    });
  }

  it('a signed upload whose Content-Length breaks the signature gets the 403 instead of a 100', async () => {
    const wire = await open();
    wire.socket.write(`PUT ${await signedUploadPath('expect-signed-bad', 5)} HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nExpect: 100-continue\r\n\r\n`);
    expect((await wire.next()).status).toBe(403);
  });

  it('an expectation other than 100-continue → 417 in the usual JSON shape', async () => {
    const wire = await open();
    wire.socket.write('PUT /api/files/expect-other HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 200-ok\r\n\r\nabc');
    const response = await wire.next();
    expect(response.status).toBe(417);
    expect(response.head).toMatch(/^content-type: application\/json/im);
    expect(JSON.parse(response.body)).toEqual({ error: 'expectation_failed', error_description: expect.any(String) });
  });
});
