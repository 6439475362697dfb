import { describe, expect, it } from 'vitest';
import { removeDir, runCli, startTsforge, withTsforge } from './support/tsforge.js';

describe('startup sanity', () => {
  it('the listening line names the pid to signal (the server process itself, not a wrapper)', async () => {
    await withTsforge({}, async (server) => {
      expect(server.logs().find((l) => l.msg === 'listening')).toMatchObject({ pid: server.child.pid });
    });
  });

  it.each(['0.0.0.0', '::'])('HOST=%s without TSFORGE_ISSUER: starts, with a warning naming TSFORGE_ISSUER', async (host) => {
    const server = await startTsforge({ env: { HOST: host } }).catch((err: unknown) => {
      if (host === '::' && /EAFNOSUPPORT|no such local address/.test(String(err))) return undefined; // no IPv6 here
      throw err;
    });
    if (!server) return;
    try {
      const warning = server.logs().find((l) => l.level === 'warn' && typeof l.msg === 'string' && l.msg.includes('TSFORGE_ISSUER'));
      expect(warning).toBeDefined();
      expect(String(warning?.issuer)).toMatch(/^http:\/\/(0\.0\.0\.0|\[::\]):\d+$/);
    } finally {
      await server.stop();
      removeDir(server.dataDir);
    }
  });

  it('HOST=0.0.0.0 with TSFORGE_ISSUER set: no warning', async () => {
    await withTsforge({ env: { HOST: '0.0.0.0', TSFORGE_ISSUER: 'https://files.example.com' } }, async (server) => {
      expect(server.logs().some((l) => l.level === 'warn')).toBe(false);
    });
  });

  it('storage sign --help says the CLI needs the server’s TSFORGE_ISSUER, HOST and PORT', async () => {
    const result = await runCli(['storage', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/same TSFORGE_ISSUER \(or HOST and PORT\) as the server/);
  });
});
