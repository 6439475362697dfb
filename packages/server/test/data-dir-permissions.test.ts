import { chmodSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeDir, tempDataDir, withTsforge } from './support/tsforge.js';

const modeOf = (path: string) => statSync(path).mode & 0o777;
const WARNING = /group or others can reach/;

describe.skipIf(process.platform === 'win32')('the data dir is private', () => {
  it('a fresh data dir is created 0700, and tsforge.db, its -wal and -shm 0600, whatever the umask', async () => {
    const parent = tempDataDir();
    const dataDir = join(parent, 'data');
    const umask = process.umask(0o022);
    try {
      await withTsforge({ dataDir }, async (server) => {
        // The server holds the database open (migrations ran), so -wal and -shm exist.
        expect((await fetch(`${server.url}/health`)).status).toBe(200);
        expect(modeOf(dataDir).toString(8)).toBe('700');
        for (const name of ['tsforge.db', 'tsforge.db-wal', 'tsforge.db-shm', 'secret.key']) {
          expect(modeOf(join(dataDir, name)).toString(8), name).toBe('600');
        }
        expect(server.logs().filter((l) => WARNING.test(String(l.msg)))).toEqual([]);
      });
    } finally {
      process.umask(umask);
      removeDir(parent);
    }
  });

  it('an existing group/world-readable data dir and database get a warning at startup, and their modes are left alone', async () => {
    const dataDir = tempDataDir();
    try {
      chmodSync(dataDir, 0o755);
      // An empty file is a valid empty SQLite database.
      writeFileSync(join(dataDir, 'tsforge.db'), '');
      chmodSync(join(dataDir, 'tsforge.db'), 0o644);
      mkdirSync(join(dataDir, 'storage'), { mode: 0o700 });
      await withTsforge({ dataDir }, async (server) => {
        const warning = server.logs().find((l) => WARNING.test(String(l.msg)));
        expect(warning).toMatchObject({ level: 'warn' });
        // What this configuration keeps there (with PostgreSQL, a secret file and S3: nothing, and no warning).
        expect(warning!.msg).toMatch(/^the data dir holds the token database, the server's secret key, the stored files, but /);
        const paths = (warning!.paths as { path: string; mode: string }[]);
        expect(paths).toContainEqual({ path: dataDir, mode: '0755' });
        expect(paths).toContainEqual({ path: join(dataDir, 'tsforge.db'), mode: '0644' });
        expect(paths.map((p) => p.path)).not.toContain(join(dataDir, 'secret.key'));
        expect(modeOf(dataDir).toString(8)).toBe('755');
        expect(modeOf(join(dataDir, 'tsforge.db')).toString(8)).toBe('644');
      });
    } finally {
      removeDir(dataDir);
    }
  });

  it('a shared TSFORGE_SECRET_FILE others can read gets a warning; 0640 (the deploy guide\'s group-readable layout) does not', async () => {
    const dataDir = tempDataDir();
    const secretFile = join(dataDir, '..', `${dataDir.split('/').pop()}-secret.key`);
    const secretWarning = /TSFORGE_SECRET_FILE .* can be read by any user/;
    try {
      writeFileSync(secretFile, `${'ab'.repeat(32)}\n`);
      for (const [mode, warned] of [[0o644, true], [0o640, false]] as const) {
        chmodSync(secretFile, mode);
        await withTsforge({ dataDir, env: { TSFORGE_SECRET_FILE: secretFile } }, async (server) => {
          const warnings = server.logs().filter((l) => secretWarning.test(String(l.msg)));
          expect(warnings.map((l) => l.level), mode.toString(8)).toEqual(warned ? ['warn'] : []);
          // The path and mode, never the key.
          expect(JSON.stringify(server.logs())).not.toContain('ab'.repeat(32));
        });
      }
    } finally {
      removeDir(dataDir);
      removeDir(secretFile);
    }
  });
});
