import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll } from 'vitest';
import { connect } from 'node:net';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../dist/cli.js');

export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'tsforge-test-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `tsforge` CLI once, as a user would. */
export function runCli(args: string[], options: { dataDir?: string; env?: NodeJS.ProcessEnv; stdin?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...baseEnv(), ...(options.dataDir ? { TSFORGE_DATA_DIR: options.dataDir } : {}), ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

export interface Client {
  client_id: string;
  client_secret: string;
}

export async function createClient(dataDir: string, scope = 'files:read files:write', grant = 'client_credentials'): Promise<Client> {
  const result = await runCli(['client', 'create', '--name', 'test', '--grant', grant, '--scope', scope, '--json'], { dataDir });
  if (result.code !== 0) throw new Error(`client create failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Client;
}

export interface RunningTsforge {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Every stdout line so far, parsed as JSON where it is JSON. */
  lines: string[];
  logs(): Record<string, unknown>[];
  stderr(): string;
  /** Sends a signal and resolves with the exit code once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `tsforge serve` from the built CLI on a free port with JSON logs on stdout. */
export function startTsforge(options: { dataDir?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunningTsforge> {
  const dataDir = options.dataDir ?? tempDataDir();
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
    env: { ...baseEnv(), TSFORGE_DATA_DIR: dataDir, LOG_FORMAT: 'json', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsforge did not start in time\n${stderr}\n${lines.join('\n')}`));
    }, 15_000);
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        const parsed = tryParse(line);
        if (parsed?.msg === 'listening') {
          clearTimeout(timer);
          resolvePromise({
            url: String(parsed.url),
            dataDir,
            child,
            lines,
            logs: () => lines.map(tryParse).filter((l): l is Record<string, unknown> => l !== undefined),
            stderr: () => stderr,
            stop: (signal = 'SIGTERM') => {
              if (child.exitCode === null && child.signalCode === null) child.kill(signal);
              return exited;
            },
          });
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tsforge exited with ${code} before listening\n${stderr}\n${lines.join('\n')}`));
    });
  });
}

function tryParse(line: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) if (process.env[name]) env[name] = process.env[name];
  return env;
}

export async function getToken(url: string, client: Client, scope?: string): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) });
  const response = await fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization: basic(client.client_id, client.client_secret), 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  if (response.status !== 200) throw new Error(`token request failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** RFC 6749 §2.3.1: each part is form-urlencoded before the base64. */
export function basic(id: string, secret: string): string {
  const enc = (s: string) => new URLSearchParams({ s }).toString().slice(2);
  return 'Basic ' + Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64');
}

/** Sends bytes exactly as given (nothing normalizes paths or merges headers) and reads the reply. */
export function rawRequest(url: string, request: string | Buffer): Promise<{ status: number; headers: string; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let data = '';
    socket.setEncoding('utf8').on('data', (d: string) => (data += d));
    // The server may answer and close before it has read all we send: keep its answer.
    socket.on('error', (err) => (data ? socket.destroy() : reject(err)));
    socket.on('close', () => {
      const split = data.indexOf('\r\n\r\n');
      resolve({ status: Number(data.slice(9, 12)), headers: data.slice(0, split), body: data.slice(split + 4) });
    });
  });
}

/** Every file under `dir`, as paths relative to it. */
export function walkFiles(dir: string, root = dir): string[] {
  if (!existsSync(dir)) return [];
  let out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out = out.concat(walkFiles(full, root));
    else out.push(relative(root, full));
  }
  return out;
}

/** Polls until `predicate` holds (for log lines written after a response). */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

type StartOptions = Parameters<typeof startTsforge>[0];

/**
 * The server of the enclosing describe block: started before its tests, stopped and its data dir
 * removed after them. Read its fields inside tests and hooks, once it has started.
 */
export function serverForSuite(options?: StartOptions | (() => StartOptions)): RunningTsforge {
  let running: RunningTsforge | undefined;
  beforeAll(async () => {
    // A function is read when the suite starts: settings from an earlier beforeAll (a store's port).
    running = await startTsforge(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    if (!running) return;
    await running.stop();
    removeDir(running.dataDir);
  });
  const started = (): RunningTsforge => {
    if (!running) throw new Error('the suite server has not started yet');
    return running;
  };
  return {
    get url() { return started().url; },
    get dataDir() { return started().dataDir; },
    get child() { return started().child; },
    get lines() { return started().lines; },
    logs: () => started().logs(),
    stderr: () => started().stderr(),
    stop: (signal) => started().stop(signal),
  };
}

/** Runs `fn` against a server of its own, then stops it and removes its data dir. */
export async function withTsforge<T>(options: StartOptions, fn: (server: RunningTsforge) => Promise<T>): Promise<T> {
  const server = await startTsforge(options);
  try {
    return await fn(server);
  } finally {
    await server.stop();
    removeDir(server.dataDir);
  }
}
