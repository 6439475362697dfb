import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeDir, runCli, tempDataDir, until, withTsforge } from './support/tsforge.js';

// A real process warning shaped like the AWS SDK's: several lines of plain text.
const SDK_LIKE = 'NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\\nversions published later\\nwill require node >=22.\\n\\nMore information can be found at: https://example.com';
const hooks = mkdtempSync(join(tmpdir(), 'tsforge-warn-'));
// Preloaded into the CLI: emits warnings on SIGHUP (serve) or once the command is done (other commands).
const onSignal = join(hooks, 'on-signal.mjs');
writeFileSync(onSignal, `process.on('SIGHUP', () => { process.emitWarning('${SDK_LIKE}'); process.emitWarning('old api', 'DeprecationWarning', 'DEP0999'); });\n`);
const atExit = join(hooks, 'at-exit.mjs');
writeFileSync(atExit, `process.once('beforeExit', () => process.emitWarning('${SDK_LIKE}'));\n`);
afterAll(() => removeDir(hooks));

describe('process warnings', () => {
  it('serve: each warning is one JSON log line (deprecations included), nothing plain on stderr', async () => {
    await withTsforge({ env: { NODE_OPTIONS: `--import ${onSignal}` } }, async (server) => {
      server.child.kill('SIGHUP');
      await until(() => server.logs().filter((l) => l.warning !== undefined).length === 2);
      const [sdk, deprecation] = server.logs().filter((l) => l.warning !== undefined);
      expect(sdk).toMatchObject({ level: 'warn', warning: { name: 'Warning', message: expect.stringContaining('AWS SDK') } });
      expect(sdk?.msg).toMatch(/^process warning: NodeVersionSupportWarning: The AWS SDK for JavaScript \(v3\) versions published later will require node >=22\.$/);
      expect(deprecation).toMatchObject({ level: 'warn', warning: { name: 'DeprecationWarning', code: 'DEP0999', message: 'old api' } });
      // Every stdout line is JSON, and Node's own multi-line printer wrote nothing.
      expect(server.lines.every((l) => l.startsWith('{'))).toBe(true);
      expect(server.stderr()).not.toContain('AWS SDK');
    });
  });

  it('CLI commands: a warning is one short line on stderr', async () => {
    const dataDir = tempDataDir();
    try {
      const result = await runCli(['storage', 'ls'], { dataDir, env: { NODE_OPTIONS: `--import ${atExit}` } });
      expect(result.code).toBe(0);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toEqual(['tsforge: warning: NodeVersionSupportWarning: The AWS SDK for JavaScript (v3) versions published later will require node >=22.']);
    } finally {
      removeDir(dataDir);
    }
  });

  it('NODE_NO_WARNINGS=1 still silences them', async () => {
    const dataDir = tempDataDir();
    try {
      const result = await runCli(['storage', 'ls'], { dataDir, env: { NODE_OPTIONS: `--import ${atExit}`, NODE_NO_WARNINGS: '1' } });
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
    } finally {
      removeDir(dataDir);
    }
  });
});
