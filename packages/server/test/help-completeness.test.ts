import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOG_ENV_NAMES } from '@tsforge/logging';
import { loadConfig } from '../src/config.js';
import { SERVER_ENV } from '../src/env-vars.js';
import { runCli } from './support/tsforge.js';

const PACKAGES = fileURLToPath(new URL('../../', import.meta.url));

/** Every source file the server runs: the libraries' and the server's `src`, test helpers left out. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

// process.env.X, env.X, env['X'], and the named readers: readEnv(env, 'X'), readSize(env, 'X'), ...
const ENV_READS = [
  /\benv\.([A-Z][A-Z0-9_]*)\b/g,
  /\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
  /\bread\w*\(\s*env\s*,\s*['"]([A-Z][A-Z0-9_]*)['"]/g,
];

/** Each environment variable a source file reads, with the file that reads it. */
function envReadsInSource(): Map<string, string> {
  const reads = new Map<string, string>();
  for (const pkg of readdirSync(PACKAGES)) {
    let files: string[];
    try {
      files = sourceFiles(join(PACKAGES, pkg, 'src'));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of ENV_READS) {
        for (const match of text.matchAll(pattern)) reads.set(match[1]!, relative(PACKAGES, file));
      }
    }
  }
  return reads;
}

describe('tsforge help serve lists everything an operator can set or call', () => {
  let help: string;

  beforeAll(async () => {
    const viaHelp = await runCli(['help', 'serve']);
    const viaFlag = await runCli(['serve', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaFlag.stdout).toBe(viaHelp.stdout);
    help = viaHelp.stdout;
  });

  it('every environment variable the source reads is in the help', () => {
    const reads = envReadsInSource();
    // The scan finds what it should: variables of each package, read in each style.
    for (const name of ['PORT', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION', 'LOG_REDACT', 'NO_COLOR', 'JWT_ALG']) expect(reads.has(name), name).toBe(true);
    const missing = [...reads].filter(([name]) => !new RegExp(`^  ${name}\\b`, 'm').test(help)).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
  });

  it('every variable of the config list and of @tsforge/logging is in the help', () => {
    for (const name of [...Object.keys(SERVER_ENV), ...LOG_ENV_NAMES]) expect(help, name).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
  });

  it('every admin endpoint, /metrics, /health and /ready are in the help', () => {
    const admin = readFileSync(join(PACKAGES, 'server/src/routes/admin.ts'), 'utf8');
    const routes = [...admin.matchAll(/\bapp\.(get|put|post|delete|patch)\('([^']+)'/g)].map((m) => `${m[1]!.toUpperCase()} ${m[2]}`);
    expect(routes).toEqual(['GET /admin/log-level', 'PUT /admin/log-level']);
    for (const route of [...routes, 'GET /metrics', 'GET /health', 'GET /ready']) expect(help, route).toContain(`  ${route} `);
  });

  it('the ADMIN_TOKEN line names both admin methods and the lengths the config accepts', () => {
    const line = help.slice(help.indexOf('  ADMIN_TOKEN '), help.indexOf('\n  LOG_LEVEL '));
    expect(line).toContain('GET and PUT /admin/log-level');
    expect(line).toContain('32-512 printable characters');
    const accepts = (length: number) => {
      try {
        return loadConfig({ ADMIN_TOKEN: 'a'.repeat(length) }).adminToken !== undefined;
      } catch {
        return false;
      }
    };
    expect([31, 32, 512, 513].map(accepts)).toEqual([false, true, true, false]);
  });

  it('the main help points at it', async () => {
    expect((await runCli(['help'])).stdout).toContain('tsforge help serve');
  });
});
