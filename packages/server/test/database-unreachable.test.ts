import { describe, expect, it } from 'vitest';
import { OAuth2Error } from '@tsforge/oauth2-server';
import { connectFailure } from '../src/database-connect-error.js';
import { DatabaseOutage, unreachableReason } from '../src/database-outage.js';
import { capturedLogger } from './support/log-capture.js';

const WHERE = 'postgres://db.internal:5432/tsforge';
/** What node-postgres rejects with when the server answered with an error (DatabaseError). */
const serverError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });
const networkError = (code: string) => Object.assign(new Error(`connect ${code} 10.0.0.5:5432`), { code });

describe('which failures mean the database is unreachable', () => {
  it.each([
    ['ECONNREFUSED (nothing listens)', networkError('ECONNREFUSED'), 'ECONNREFUSED'],
    ['EHOSTUNREACH', networkError('EHOSTUNREACH'), 'EHOSTUNREACH'],
    ['EAI_AGAIN (the name server did not answer)', Object.assign(new Error('getaddrinfo EAI_AGAIN db.internal'), { code: 'EAI_AGAIN' }), 'EAI_AGAIN'],
    ['pool connect timeout', new Error('timeout exceeded when trying to connect'), 'no answer within the connect timeout'],
    ['client read timeout', new Error('Query read timeout'), 'no answer within the read timeout'],
    ['socket closed', new Error('Connection terminated unexpectedly'), 'the server closed the connection'],
    ['57P01 admin_shutdown', serverError('57P01', 'terminating connection due to administrator command'), 'SQLSTATE 57P01: terminating connection due to administrator command'],
    ['57P03 cannot_connect_now', serverError('57P03', 'the database system is starting up'), 'SQLSTATE 57P03: the database system is starting up'],
    ['08006 connection_failure', serverError('08006', 'connection failure'), 'SQLSTATE 08006: connection failure'],
    ['53300 too_many_connections', serverError('53300', 'sorry, too many clients already'), 'SQLSTATE 53300: sorry, too many clients already'],
    ['wrapped as an OAuth2Error cause', new OAuth2Error('temporarily_unavailable', 'x', { cause: networkError('ECONNRESET') }), 'ECONNRESET'],
  ])('%s', (_name, err, reason) => {
    expect(unreachableReason(err)).toBe(reason);
  });

  it.each([
    ['23505 unique_violation', serverError('23505', 'duplicate key value')],
    ['57014 statement timeout (the server answered)', serverError('57014', 'canceling statement due to statement timeout')],
    ['a bug', new TypeError('x is not a function')],
    ['a bug with a Node.js code', Object.assign(new TypeError('The "data" argument must be of type string'), { code: 'ERR_INVALID_ARG_TYPE' })],
    ['an OAuth2 error of its own', new OAuth2Error('invalid_grant', 'expired')],
    ['not an object', 'ECONNREFUSED'],
  ])('not %s', (_name, err) => {
    expect(unreachableReason(err)).toBeUndefined();
  });
});

describe('a command that cannot open the database gets one line', () => {
  it.each([
    [networkError('ECONNREFUSED'), `cannot reach the database at ${WHERE} (DATABASE_URL): ECONNREFUSED`],
    [new Error('Connection terminated due to connection timeout'), `cannot reach the database at ${WHERE} (DATABASE_URL): no answer within the connect timeout`],
    [serverError('28P01', 'password authentication failed for user "app"'), `the database at ${WHERE} (DATABASE_URL) refused the connection: password authentication failed for user "app" (SQLSTATE 28P01)`],
    [serverError('3D000', 'database "tsforge" does not exist'), `the database at ${WHERE} (DATABASE_URL) refused the connection: database "tsforge" does not exist (SQLSTATE 3D000)`],
  ])('%s', (err, message) => {
    const failure = connectFailure(err, WHERE);
    expect(failure?.message).toBe(message);
    expect(failure?.exitCode).toBe(1);
    expect(failure?.cause).toBe(err);
  });

  it('a migration that failed stays itself', () => {
    expect(connectFailure(serverError('42P07', 'relation "clients" already exists'), WHERE)).toBeUndefined();
    expect(connectFailure(new TypeError('bug'), WHERE)).toBeUndefined();
  });
});

describe('DatabaseOutage', () => {
  function setup() {
    const { logger, lines } = capturedLogger();
    let now = 1_000;
    let reachable = false;
    let probes = 0;
    const outage = new DatabaseOutage({
      logger,
      where: WHERE,
      probe: async () => {
        probes++;
        if (!reachable) throw networkError('ECONNREFUSED');
      },
      probeIntervalMs: 10,
      clock: () => now,
    });
    return {
      outage, lines,
      advance: (ms: number) => (now += ms),
      comeBack: () => (reachable = true),
      probes: () => probes,
    };
  }

  it('logs the first failure of an outage, counts the rest, and logs once when a probe finds it back', async () => {
    const t = setup();
    expect(t.outage.report(networkError('ECONNREFUSED'))).toBe(true);
    for (let i = 0; i < 99; i++) expect(t.outage.report(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(t.outage.down).toBe(true);
    await until(() => t.probes() >= 2);
    expect(t.outage.down).toBe(true);
    t.advance(4_000);
    t.comeBack();
    await until(() => !t.outage.down);
    await until(() => t.lines.length === 2);
    expect(t.lines.map(({ level, msg, reason, down_ms, failed_requests }) => ({ level, msg, reason, down_ms, failed_requests }))).toEqual([
      { level: 'error', msg: 'database unreachable: requests that need it answer 503 until it is back', reason: 'ECONNREFUSED', down_ms: undefined, failed_requests: undefined },
      { level: 'info', msg: 'database reachable again', reason: undefined, down_ms: 4_000, failed_requests: 100 },
    ]);
    t.outage.stop();
  });

  it('leaves any other failure to the caller', () => {
    const t = setup();
    expect(t.outage.report(new TypeError('bug'))).toBe(false);
    expect(t.outage.down).toBe(false);
    expect(t.probes()).toBe(0);
  });

  it('stops probing once stopped', async () => {
    const t = setup();
    t.outage.report(networkError('ECONNREFUSED'));
    t.outage.stop();
    await new Promise((r) => setTimeout(r, 50));
    expect(t.probes()).toBe(0);
  });
});

async function until(predicate: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
