import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { removeDir, runCli, tempDataDir } from './support/tsforge.js';

describe('the tsforge CLI', () => {
  it('--help lists the commands, and each command explains its options', async () => {
    const main = await runCli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toContain('serve');
    expect(main.stdout).toContain('client');
    const client = await runCli(['client', '--help']);
    expect(client.code).toBe(0);
    for (const flag of ['--name', '--grant', '--scope', '--json', '--data-dir']) expect(client.stdout).toContain(flag);
    const serve = await runCli(['serve', '--help']);
    expect(serve.code).toBe(0);
    for (const flag of ['--host', '--port', '--data-dir', 'LOG_LEVEL', 'TSFORGE_ISSUER']) expect(serve.stdout).toContain(flag);
  });

  it('a wrong flag or command gets a clear message and exit 2', async () => {
    for (const args of [['client', 'create', '--nmae', 'x'], ['serve', '--prot', '1'], ['frobnicate'], ['client', 'create', '--name', 'x']]) {
      const result = await runCli(args, { dataDir: tempDataDir() });
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^tsforge: /);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('bad grant or scope values are refused with a message, not a stack', async () => {
    const dataDir = tempDataDir();
    try {
      for (const args of [['--grant', 'implicit', '--scope', 'files:read'], ['--grant', 'client_credentials', '--scope', 'admin']]) {
        const result = await runCli(['client', 'create', '--name', 'x', ...args], { dataDir });
        expect(result.code, args.join(' ')).toBe(2);
        expect(result.stderr).toMatch(/^tsforge: /);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      removeDir(dataDir);
    }
  });

  it('list and delete refuse a data dir that holds no tsforge data instead of making one', async () => {
    const dataDir = join(tempDataDir(), 'typo');
    for (const args of [['client', 'list'], ['client', 'delete', 'cl_x']]) {
      const result = await runCli(args, { dataDir });
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toContain('no tsforge data in');
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('configuration and startup failures get one clear line, no stack', async () => {
    const dataDir = tempDataDir();
    const busy = createServer().listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as AddressInfo;
    try {
      const cases: [NodeJS.ProcessEnv, string[], RegExp, number][] = [
        [{ LOG_LEVEL: 'loud' }, ['serve'], /LOG_LEVEL/, 2],
        [{ LOG_FORMAT: 'xml' }, ['serve'], /LOG_FORMAT/, 2],
        [{ PORT: 'abc' }, ['serve'], /PORT must be a whole number/, 2],
        [{ TSFORGE_ISSUER: 'ftp://x' }, ['serve'], /TSFORGE_ISSUER/, 2],
        [{ PORT: String(port) }, ['serve'], /already in use/, 1],
        // Node's recursive mkdir never returns under /proc: these once hung the server at start.
        [{ LOG_DIR: '/proc/tsforge-nope' }, ['serve'], /cannot open the log file "\/proc\/tsforge-nope\/app\.log" \(ENOENT\)/, 2],
        [{ LOG_FILE: '/proc/tsforge-nope/x.log' }, ['serve'], /cannot open the log file/, 2],
        [{ TSFORGE_DATA_DIR: '/proc/tsforge-nope/data' }, ['serve'], /cannot create the data directory "\/proc\/tsforge-nope\/data" \(ENOENT\)/, 2],
      ];
      for (const [env, args, message, code] of cases) {
        const result = await runCli(args, { dataDir, env });
        expect(result.code, JSON.stringify(env)).toBe(code);
        expect(result.stderr).toMatch(message);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      busy.close();
      removeDir(dataDir);
    }
  });

  it('create --json prints exactly the id and secret; list shows no secret; delete removes', async () => {
    const dataDir = tempDataDir();
    try {
      const created = await runCli(['client', 'create', '--name', 'svc', '--grant', 'client_credentials', '--scope', 'files:read files:write', '--json'], { dataDir });
      expect(created.code).toBe(0);
      const parsed = JSON.parse(created.stdout) as Record<string, string>;
      expect(Object.keys(parsed)).toEqual(['client_id', 'client_secret']);

      // Only a keyed hash of the secret is at rest.
      const db = new Database(join(dataDir, 'tsforge.db'), { readonly: true });
      const dump = JSON.stringify(db.prepare('SELECT * FROM clients').all());
      db.close();
      expect(dump).toContain(parsed.client_id);
      expect(dump).not.toContain(parsed.client_secret!);

      const list = await runCli(['client', 'list', '--json'], { dataDir });
      expect(list.code).toBe(0);
      expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ client_id: parsed.client_id, name: 'svc', scopes: ['files:read', 'files:write'] })]);
      expect(list.stdout).not.toContain(parsed.client_secret!);

      expect((await runCli(['client', 'delete', parsed.client_id!], { dataDir })).code).toBe(0);
      expect(JSON.parse((await runCli(['client', 'list', '--json'], { dataDir })).stdout)).toEqual([]);
      const again = await runCli(['client', 'delete', parsed.client_id!], { dataDir });
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('no client');
    } finally {
      removeDir(dataDir);
    }
  });
});
