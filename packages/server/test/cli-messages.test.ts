import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDataDir } from './support/tsforge.js';

// What a user sees when a command goes wrong: one line naming what was refused, exit 2 for a
// mistake in the call, 1 for a refusal of the data; never Node's own wording, never a stack.
describe('tsforge CLI messages', () => {
  const dataDir = tempDataDir();
  afterAll(() => removeDir(dataDir));
  const run = (args: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) =>
    runCli(args, { dataDir, env, ...(stdin === undefined ? {} : { stdin }) });

  const optionErrors: [string[], string][] = [
    [['storage', 'ls', '--bogus'], 'unknown option --bogus for `storage ls` (see `tsforge help storage`)'],
    [['storage', '--bogus', 'ls'], 'unknown option --bogus for `storage ls` (see `tsforge help storage`)'],
    [['storage', '--bogus'], 'unknown option --bogus for `storage` (see `tsforge help storage`)'],
    [['storage', 'ls', '--bo\u001b[2Jgus'], 'unknown option "--bo\\u001b[2Jgus" for `storage ls` (see `tsforge help storage`)'],
    [['storage', 'ls', '--data-dir'], 'option --data-dir needs a value for `storage ls` (see `tsforge help storage`)'],
    [['storage', 'sign', 'k', '--expires-in', '--json'], 'option --expires-in needs a value for `storage sign` (see `tsforge help storage`); if "--json" is the value, write --expires-in="--json"'],
    [['client', 'list', '-x'], 'unknown option -x for `client list` (see `tsforge help client`)'],
    [['client', 'create', '--nmae', 'x'], 'unknown option --nmae for `client create` (see `tsforge help client`)'],
    [['user', 'create', '--username'], 'option --username needs a value for `user create` (see `tsforge help user`)'],
    [['keys', 'list', '--json=yes'], 'option --json takes no value for `keys list` (see `tsforge help keys`)'],
    [['token', 'revoke', 't', '--all'], 'unknown option --all for `token revoke` (see `tsforge help token`)'],
    [['serve', '--prot', '1'], 'unknown option --prot for `serve` (see `tsforge help serve`)'],
  ];
  it.each(optionErrors)('%j → one line naming the option and the command, exit 2', async (args, message) => {
    expect(await run(args)).toEqual({ code: 2, stdout: '', stderr: `tsforge: ${message}\n` });
  });

  it('a database written by a newer version (a rollback): one line saying so, exit 1, for migrate and the other commands', async () => {
    const dir = tempDataDir();
    try {
      expect((await runCli(['migrate'], { dataDir: dir })).code).toBe(0);
      const db = new Database(join(dir, 'tsforge.db'));
      db.pragma('user_version = 99');
      db.close();
      for (const args of [['migrate'], ['client', 'list']]) {
        const refused = await runCli(args, { dataDir: dir });
        expect(refused.code, args.join(' ')).toBe(1);
        expect(refused.stderr).toMatch(/^tsforge: the OAuth2 database at .* has schema version 99, but this version of @tsforge\/oauth2-server only knows versions up to \d+; upgrade the package or restore a database written by this version\n$/);
      }
    } finally {
      removeDir(dir);
    }
  });

  it('after --, an option-like word is an argument, not an option', async () => {
    expect(await run(['storage', 'get', '--', '--bogus'])).toMatchObject({ code: 1, stderr: 'tsforge: file not found: "--bogus"\n' });
  });

  it('storage get of a missing key names the key, quoted and escaped', async () => {
    expect(await run(['storage', 'get', 'nothere.txt'])).toEqual({ code: 1, stdout: '', stderr: 'tsforge: file not found: "nothere.txt"\n' });
    expect(await run(['storage', 'get', 'docs/say "hi".txt'])).toMatchObject({ code: 1, stderr: 'tsforge: file not found: "docs/say \\"hi\\".txt"\n' });
    const escape = await run(['storage', 'get', 'a\u001b]0;owned\u0007\u202eb']);
    expect(escape).toMatchObject({ code: 1, stderr: 'tsforge: control characters are not allowed: "a\\u001b]0;owned\\u0007\\u202eb"\n' });
  });

  it('storage sign refuses a URL naming port 0 (PORT=0, no TSFORGE_ISSUER), exit 2, and asks for TSFORGE_ISSUER', async () => {
    expect((await run(['storage', 'put', 'k.txt'], {}, 'x')).code).toBe(0);
    for (const args of [['sign', 'k.txt'], ['sign', 'k.txt', '--json'], ['sign', 'new.txt', '--upload']]) {
      const refused = await run(['storage', ...args], { PORT: '0' });
      expect(refused.code, args.join(' ')).toBe(2);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(/^tsforge: configuration error: a signed URL names the server's public address, and http:\/\/127\.0\.0\.1:0 has port 0, .*set TSFORGE_ISSUER to the server's public URL/);
      expect(refused.stderr.split('\n')).toHaveLength(2);
    }
    expect((await run(['storage', 'sign', 'k.txt'], { TSFORGE_ISSUER: 'http://127.0.0.1:0' })).code).toBe(2);
    const signed = await run(['storage', 'sign', 'k.txt'], { PORT: '0', TSFORGE_ISSUER: 'https://files.example.com' });
    expect(signed.code).toBe(0);
    expect(signed.stdout).toMatch(/^https:\/\/files\.example\.com\/files\/k\.txt\?expires=\d+&signature=[\w-]+\n$/);
  });

  it('--json of the list commands is one JSON array; the help of each says which shape it prints', async () => {
    expect((await run(['client', 'create', '--name', 'x', '--grant', 'client_credentials', '--scope', 'files:read'])).code).toBe(0);
    expect((await run(['user', 'create', '--username', 'ada'], {}, 'correct horse battery')).code).toBe(0);
    expect((await run(['keys', 'rotate'])).code).toBe(0);
    for (const command of ['client', 'user', 'keys']) {
      const listed = await run([command, 'list', '--json']);
      expect(listed.code, command).toBe(0);
      expect(listed.stdout.split('\n'), command).toHaveLength(2);
      const rows = JSON.parse(listed.stdout) as unknown;
      expect(Array.isArray(rows) && rows.length, command).toBe(1);
      expect((await run([command, '--help'])).stdout, command).toMatch(/--json one\s+JSON array/);
    }
    const storageHelp = (await run(['storage', '--help'])).stdout;
    expect(storageHelp).toContain('one JSON object per line (NDJSON)');
    expect(storageHelp).toMatch(/Not an array, unlike `client list --json`: a listing\s+has no bound/);
  });
});
