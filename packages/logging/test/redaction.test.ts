import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/create-logger.js';
import { logConfigFromEnv } from '../src/config.js';
import { createRedactor } from '../src/redact.js';
import { DEFAULT_REDACT_KEYS } from '../src/redact-keys.js';
import { capture } from './helpers.js';

function logOnce(fields: object, config: { redact?: string[] } = {}): Record<string, any> {
  const out = capture();
  createLogger({ destination: out.stream, ...config }).info(fields, 'event');
  const records = out.records();
  expect(records).toHaveLength(1);
  return records[0] as Record<string, any>;
}

describe('redaction by key name, on by default', () => {
  it('censors a secret at any depth', () => {
    expect(logOnce({ a: { b: { c: { password: 'p' } } } }).a).toEqual({ b: { c: { password: '[REDACTED]' } } });
  });

  it('censors request headers, whatever their case', () => {
    const record = logOnce({
      req: { headers: { Authorization: 'Bearer x', cookie: 'sid=1', 'X-API-Key': 'k', accept: '*/*' } },
    });
    expect(record.req.headers).toEqual({
      Authorization: '[REDACTED]',
      cookie: '[REDACTED]',
      'X-API-Key': '[REDACTED]',
      accept: '*/*',
    });
  });

  it('censors inside arrays of objects', () => {
    const record = logOnce({ users: [{ name: 'a', password: '1' }, { name: 'b', token: '2' }, 'plain', 3] });
    expect(record.users).toEqual([{ name: 'a', password: '[REDACTED]' }, { name: 'b', token: '[REDACTED]' }, 'plain', 3]);
  });

  it('censors child logger bindings, also when set later with setBindings', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream, base: { service: 's', client_secret: 'cs' } });
    const child = logger.child({ token: 't', module: 'auth' });
    child.info('one');
    child.child({ nested: { api_key: 'k' } }).info('two');
    child.setBindings({ refresh_token: 'r' });
    child.info('three');
    const text = out.text();
    for (const secret of ['"cs"', '"t"', '"k"', '"r"']) expect(text).not.toContain(secret);
    const [one, two, three] = out.records();
    expect(one).toMatchObject({ service: 's', client_secret: '[REDACTED]', token: '[REDACTED]', module: 'auth' });
    expect(two?.nested).toEqual({ api_key: '[REDACTED]' });
    expect(three?.refresh_token).toBe('[REDACTED]');
  });

  it('matches every default key regardless of case, "-" and "_" (accessToken, ACCESS-TOKEN)', () => {
    for (const key of DEFAULT_REDACT_KEYS) {
      const variants = [key, key.toUpperCase(), key.replace(/[-_]([a-z])/g, (_m, c: string) => c.toUpperCase())];
      for (const variant of variants) {
        expect(logOnce({ [variant]: 'secret-value' })[variant], variant).toBe('[REDACTED]');
      }
    }
  });

  it('leaves look-alike keys alone: token_type, password_changed_at, expires_in', () => {
    const record = logOnce({ token_type: 'Bearer', password_changed_at: 1, expires_in: 3600 });
    expect(record).toMatchObject({ token_type: 'Bearer', password_changed_at: 1, expires_in: 3600 });
  });

  it('adds config.redact keys to the defaults', () => {
    const record = logOnce({ ssn: '123', card: { pan: '4111' }, password: 'p' }, { redact: ['ssn', 'PAN'] });
    expect(record).toMatchObject({ ssn: '[REDACTED]', card: { pan: '[REDACTED]' }, password: '[REDACTED]' });
  });

  it('censors secrets in URL query strings (signed URLs, RFC 6750 §2.3 access_token)', () => {
    const record = logOnce({
      req: { url: '/files/a.txt?expires=1700000000&signature=abc%2Bdef&x=1#frag' },
      location: 'https://cb.example/?code=c&access_token=at',
      other: '/not-a-url-key?token=kept',
    });
    expect(record.req.url).toBe('/files/a.txt?expires=1700000000&signature=[REDACTED]&x=1#frag');
    expect(record.location).toBe('https://cb.example/?code=c&access_token=[REDACTED]');
    expect(record.other).toBe('/not-a-url-key?token=kept');
  });

  it('censors the own properties of errors, e.g. an HTTP client error carrying its request', () => {
    const err = Object.assign(new Error('Request failed with status code 401'), {
      config: { headers: { Authorization: 'Bearer leaked' } },
    });
    const out = capture();
    createLogger({ destination: out.stream }).error({ err }, 'upstream failed');
    expect(out.text()).not.toContain('leaked');
    expect(out.records()[0]?.err.config.headers.Authorization).toBe('[REDACTED]');
  });

  it('never mutates the caller object', () => {
    const fields = { user: { name: 'eve', password: 'p' }, list: [{ token: 't' }] };
    const snapshot = structuredClone(fields);
    logOnce(fields);
    expect(fields).toEqual(snapshot);
  });

  it('handles cycles: a reference to an ancestor is written as "[Circular]"', () => {
    const node: Record<string, unknown> = { name: 'root', secret: 's' };
    node.self = node;
    node.children = [{ parent: node, password: 'p' }];
    const record = logOnce({ node });
    expect(record.node).toEqual({
      name: 'root',
      secret: '[REDACTED]',
      self: '[Circular]',
      children: [{ parent: '[Circular]', password: '[REDACTED]' }],
    });
  });

  it('writes a shared, non-cyclic object in full at each place it appears', () => {
    const shared = { id: 1, token: 't' };
    expect(logOnce({ a: shared, b: shared })).toMatchObject({ a: { id: 1, token: '[REDACTED]' }, b: { id: 1, token: '[REDACTED]' } });
  });

  it('leaves values with toJSON (Date, Buffer) to serialize themselves', () => {
    const record = logOnce({ at: new Date(Date.UTC(2030, 0, 1)), bytes: Buffer.from('hi') });
    expect(record.at).toBe('2030-01-01T00:00:00.000Z');
    expect(record.bytes).toEqual({ type: 'Buffer', data: [104, 105] });
  });

  it('cuts structures deeper than 24 levels with "[Truncated]" rather than leaving them unchecked', () => {
    let deep: Record<string, unknown> = { password: 'bottom' };
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const out = capture();
    createLogger({ destination: out.stream }).info({ deep }, 'deep');
    expect(out.text()).toContain('"[Truncated]"');
    expect(out.text()).not.toContain('bottom');
  });
});

describe('redaction configuration', () => {
  it.each(['req.headers.authorization', 'users[*].password', '*.secret', 'a b', ''])(
    'a path or pattern the key-name walk cannot honour (%j) is a LogConfigError at creation, not a silent leak',
    (path) => {
      expect(() => createLogger({ redact: [path] })).toThrow(expect.objectContaining({ code: 'E_LOG_CONFIG', setting: 'redact' }));
    },
  );

  it('LOG_REDACT goes through the same check', () => {
    expect(() => createLogger(logConfigFromEnv({ LOG_REDACT: 'ssn,user.pin' }, false))).toThrow(
      expect.objectContaining({ code: 'E_LOG_CONFIG', setting: 'redact' }),
    );
  });

  it('an added key is censored at any depth, like the defaults', () => {
    expect(logOnce({ a: { b: { c: { ssn: '078-05-1120' } } } }, { redact: ['ssn'] }).a).toEqual({ b: { c: { ssn: '[REDACTED]' } } });
  });
});

describe('createRedactor', () => {
  const redact = createRedactor();

  it('returns the very same object when nothing matches (no copy)', () => {
    const value = { a: { b: [1, { c: 'x' }] }, url: '/path?page=2', when: new Date(0) };
    expect(redact(value)).toBe(value);
  });

  it('copies only the path that changed', () => {
    const untouched = { big: [1, 2, 3] };
    const value = { untouched, nested: { password: 'p' } };
    const result = redact(value);
    expect(result).not.toBe(value);
    expect(result.untouched).toBe(untouched);
    expect(result.nested).toEqual({ password: '[REDACTED]' });
  });

  it('keeps a "__proto__" key as data, never as a prototype', () => {
    const value = JSON.parse('{"__proto__":{"polluted":true},"password":"p"}');
    const result = redact(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(JSON.stringify(result)).toBe('{"__proto__":{"polluted":true},"password":"[REDACTED]"}');
  });
});

describe('key-name cache', () => {
  it('stays correct past its bound, with objects keyed by thousands of distinct ids', () => {
    const redact = createRedactor();
    const byId: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) byId[`user-${i}`] = { id: i, password: `p${i}` };
    const result = redact(byId) as Record<string, { id: number; password: string }>;
    expect(Object.values(result).every((user) => user.password === '[REDACTED]')).toBe(true);
    expect(result['user-9999']).toEqual({ id: 9999, password: '[REDACTED]' });
    expect(redact({ Password: 'x', 'user-1': 1 })).toEqual({ Password: '[REDACTED]', 'user-1': 1 });
  });
});
