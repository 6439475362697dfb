import { MemoryStore } from '../src/memory-store.js';
import { OAuth2Server, type OAuth2ServerOptions } from '../src/oauth2-server.js';
import type { OAuth2Store } from '../src/store.js';
import type { TokenRequest } from '../src/types.js';

export const ISSUER = 'https://auth.example.test';
export const SECRET_KEY = new Uint8Array(32).fill(7);
export const T0 = Date.UTC(2025, 0, 1);

/** A settable clock, so tests can stand exactly on an expiry boundary. */
export class TestClock {
  now = T0;
  read = (): number => this.now;
  advance(seconds: number): void {
    this.now += seconds * 1000;
  }
}

export function makeServer(over: Partial<OAuth2ServerOptions> = {}): { server: OAuth2Server; store: OAuth2Store; clock: TestClock; errors: unknown[] } {
  const clock = new TestClock();
  const errors: unknown[] = [];
  const store = over.store ?? new MemoryStore();
  const server = new OAuth2Server({
    store,
    issuer: ISSUER,
    secretKey: SECRET_KEY,
    scopesSupported: ['read', 'write', 'admin'],
    clock: clock.read,
    onError: (e) => errors.push(e),
    ...over,
  });
  return { server, store, clock, errors };
}

/** RFC 6749 §2.3.1: form-urlencode each part, then base64 of "id:secret". */
/** A server (read, write, admin) with one confidential client allowed read and write, and its Basic header. */
export async function serverWithClient(): Promise<{ server: OAuth2Server; auth: string }> {
  const { server } = makeServer();
  const { client, clientSecret } = await server.registerClient({ name: 'svc', grantTypes: ['client_credentials'], scopes: ['read', 'write'] });
  return { server, auth: basic(client.id, clientSecret) };
}

export function basic(id: string, secret: string): string {
  const enc = (s: string): string => new URLSearchParams({ s }).toString().slice(2);
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

export function rawBasic(userPass: string): string {
  return 'Basic ' + Buffer.from(userPass).toString('base64');
}

export function form(body: string, headers: Record<string, string | string[]> = {}): TokenRequest {
  return { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body };
}

export const TOKEN_HEADERS = {
  'content-type': 'application/json;charset=UTF-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

export const BASIC_CHALLENGE = `Basic realm="${ISSUER}"`;
