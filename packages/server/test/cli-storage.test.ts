import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeSwift, swiftForSuite } from './support/swift.js';
import { createClient, getToken, removeDir, runCli, tempDataDir, withTsforge } from './support/tsforge.js';

function storageCliSuite(env: () => NodeJS.ProcessEnv) {
  it('put (file and stdin), ls, get, sign, rm', async () => {
    const dataDir = tempDataDir();
    try {
      const run = (args: string[], stdin?: string) => runCli(['storage', ...args], { dataDir, env: env(), ...(stdin === undefined ? {} : { stdin }) });
      const source = join(dataDir, 'in.txt');
      writeFileSync(source, 'from a file');
      expect(await run(['put', 'docs/résumé.txt', source])).toMatchObject({ code: 0, stdout: 'stored docs/résumé.txt (11 bytes, text/plain)\n' });
      expect((await run(['put', 'docs/a b.bin', '--content-type', 'application/x-demo'], 'from stdin')).code).toBe(0);
      const ls = await run(['ls', 'docs/', '--json']);
      expect(ls.code).toBe(0);
      expect(ls.stdout.trim().split('\n').map((l) => JSON.parse(l) as { key: string; size: number; content_type: string })
        .map(({ key, size, content_type }) => ({ key, size, content_type }))).toEqual([
        { key: 'docs/a b.bin', size: 10, content_type: 'application/x-demo' },
        { key: 'docs/résumé.txt', size: 11, content_type: 'text/plain' },
      ]);
      expect((await run(['get', 'docs/a b.bin'])).stdout).toBe('from stdin');
      const target = join(dataDir, 'out.txt');
      expect((await run(['get', 'docs/résumé.txt', target])).code).toBe(0);
      expect(readFileSync(target, 'utf8')).toBe('from a file');
      const signed = await run(['sign', 'docs/a b.bin', '--expires-in', '60', '--json']);
      expect(signed.code).toBe(0);
      expect(JSON.parse(signed.stdout)).toMatchObject({ method: 'GET', headers: {} });
      expect(await run(['rm', 'docs/a b.bin', 'docs/résumé.txt', 'never/there'])).toMatchObject({ code: 0 });
      expect((await run(['ls'])).stdout).toBe('no files\n');
    } finally {
      removeDir(dataDir);
    }
  });

  it('a missing file, a bad key and a bad expiry fail with a message, never a stack', async () => {
    const dataDir = tempDataDir();
    try {
      const run = (args: string[]) => runCli(['storage', ...args], { dataDir, env: env() });
      const missing = await run(['get', 'nope.txt']);
      expect(missing.code).toBe(1);
      // The AWS SDK may warn about the Node version first; the last line is ours.
      expect(missing.stderr.endsWith('tsforge: file not found: "nope.txt"\n')).toBe(true);
      const traversal = await run(['put', '../etc/x', join(dataDir, 'missing')]);
      expect(traversal.code).not.toBe(0);
      expect(traversal.stderr).not.toMatch(/\n\s+at /);
      const expiry = await run(['sign', 'k', '--expires-in', '604801']);
      expect(expiry.code).toBe(1);
      expect(expiry.stderr).not.toMatch(/\n\s+at /);
      expect((await run(['frobnicate'])).code).toBe(2);
    } finally {
      removeDir(dataDir);
    }
  });
}

describe('tsforge storage (local disk)', () => {
  storageCliSuite(() => ({}));

  it('a URL from `storage sign` downloads from the running server; one from `sign --upload` uploads', async () => {
    await withTsforge({}, async (server) => {
      const env = { TSFORGE_ISSUER: server.url };
      await runCli(['storage', 'put', 'x.txt'], { dataDir: server.dataDir, env, stdin: 'signed by the CLI' });
      const url = (await runCli(['storage', 'sign', 'x.txt'], { dataDir: server.dataDir, env })).stdout.trim();
      expect(await (await fetch(url)).text()).toBe('signed by the CLI');
      const up = JSON.parse((await runCli(['storage', 'sign', 'y.txt', '--upload', '--json'], { dataDir: server.dataDir, env })).stdout) as { url: string };
      expect((await fetch(up.url, { method: 'PUT', body: 'uploaded' })).status).toBe(201);
      expect((await runCli(['storage', 'get', 'y.txt'], { dataDir: server.dataDir, env })).stdout).toBe('uploaded');
    });
  });
});

describe('tsforge storage ls --json', () => {
  it('prints NDJSON, one line per file, each exactly an item of GET /api/files', async () => {
    await withTsforge({}, async (server) => {
      const run = (args: string[], stdin?: string) => runCli(['storage', ...args], { dataDir: server.dataDir, ...(stdin === undefined ? {} : { stdin }) });
      await run(['put', 'ls/b.txt'], 'bee');
      await run(['put', 'ls/a.json', '--content-type', 'application/json'], '{}');
      await run(['put', 'other.txt'], 'not listed');
      const ls = await run(['ls', 'ls/', '--json']);
      expect(ls.code).toBe(0);
      expect(ls.stdout.endsWith('\n')).toBe(true);
      const lines = ls.stdout.slice(0, -1).split('\n').map((line) => JSON.parse(line) as unknown);

      const client = await createClient(server.dataDir);
      const token = await getToken(server.url, client, 'files:read');
      const listed = await fetch(`${server.url}/api/files?prefix=ls/`, { headers: { authorization: `Bearer ${token}` } });
      const { files } = (await listed.json()) as { files: unknown[] };
      expect(files).toHaveLength(2);
      expect(lines).toEqual(files);
      expect(Object.keys(lines[0] as object)).toEqual(['key', 'size', 'etag', 'content_type', 'last_modified']);
    });
  });

  it('prints nothing for an empty listing, and the help documents the format', async () => {
    const dataDir = tempDataDir();
    try {
      expect(await runCli(['storage', 'ls', 'none/', '--json'], { dataDir })).toMatchObject({ code: 0, stdout: '' });
      const help = (await runCli(['storage', '--help'])).stdout;
      expect(help).toContain('NDJSON');
      expect(help).toContain('GET /api/files');
    } finally {
      removeDir(dataDir);
    }
  });
});

describeSwift('tsforge storage (S3 on Swift)', () => {
  const swift = swiftForSuite('tsforge-cli');
  storageCliSuite(() => swift.env());
});
