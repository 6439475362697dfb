import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat as statFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { StorageError } from '@tsforge/storage';
import { loadConfig } from '../config.js';
import { loadSecret, openDisk } from '../runtime.js';
import { describeFile } from '../file-json.js';
import { Progress } from './progress.js';
import { DATA_DIR_HELP, parseCommandArgs, UsageError } from './usage.js';
import { requireKnownPort } from './known-port.js';
import { quoteArg } from './quote-arg.js';

export const STORAGE_USAGE = `Usage: tsforge storage <put|get|ls|rm|sign> [options]

Work with the files of the disk \`tsforge serve\` uses (local, or S3 with STORAGE_DRIVER=s3 and
the same S3_* / AWS_* settings). Large transfers show a progress bar on a terminal.

  tsforge storage put KEY [FILE]      upload FILE (or stdin) to KEY
      --content-type TYPE             store with this type (default: guessed from KEY)
  tsforge storage get KEY [FILE]      download KEY to FILE (or stdout)
  tsforge storage ls [PREFIX] [--json]
                                      list files (key, size, type, last modified); with
                                      --json one JSON object per line (NDJSON), each shaped
                                      like an item of GET /api/files: {"key","size","etag",
                                      "content_type","last_modified"}; nothing when empty.
                                      Not an array, unlike \`client list --json\`: a listing
                                      has no bound, so each line is printed as it is read
  tsforge storage rm KEY [KEY ...]    delete files (missing ones are fine)
  tsforge storage sign KEY [--expires-in SECONDS] [--upload [--content-type TYPE]] [--json]
                                      print a signed download URL, or with --upload a signed
                                      upload URL (a PUT; send the headers --json shows).
                                      The URL names the server's public address: run it with
                                      the same TSFORGE_ISSUER (or HOST and PORT) as the server

Options for all:
${DATA_DIR_HELP}
  -h, --help         show this help`;

const OPTIONS = {
  'content-type': { type: 'string' },
  'expires-in': { type: 'string' },
  upload: { type: 'boolean' },
  json: { type: 'boolean' },
  'data-dir': { type: 'string' },
} as const;

/** A storage failure the operator can act on: its message, exit status 1, no stack. */
export class StorageCommandError extends Error {
  readonly exitCode = 1;
}

type Out = (text: string) => void;
type Disk = Awaited<ReturnType<typeof openDisk>>['disk'];
type Action = (a: { disk: Disk; args: string[]; values: Record<string, unknown>; out: Out }) => Promise<void>;

export async function storageCommand(argv: string[], out: Out): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, OPTIONS, { command: 'storage', subcommands: Object.keys(ACTIONS) });
  const [action, ...args] = positionals;
  if (values.help) return out(STORAGE_USAGE);
  if (action === undefined) throw new UsageError('missing subcommand: put, get, ls, rm or sign', STORAGE_USAGE);
  const run = Object.hasOwn(ACTIONS, action) ? ACTIONS[action] : undefined;
  if (!run) throw new UsageError(`unknown subcommand ${quoteArg(action)}`, STORAGE_USAGE);
  const config = loadConfig(process.env, { dataDir: values['data-dir'] as string | undefined });
  // On local disk a signed URL names this server; on S3 it names the store.
  if (action === 'sign' && config.storage.driver === 'local') requireKnownPort(config.issuer);
  const storage = await openDisk(config, loadSecret(config));
  try {
    await run({ disk: storage.disk, args, values, out });
  } catch (err) {
    if (err instanceof StorageError && err.expose) throw new StorageCommandError(err.message);
    if (err instanceof StorageError && err.code === 'E_MISCONFIGURED') throw new StorageCommandError(`storage is misconfigured: ${err.message}`);
    throw err;
  } finally {
    storage.close();
  }
}

/** The disk's refusal of one key, as a message naming it: `file not found: "docs/a.txt"`. */
function namingKey(key: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof StorageError && err.expose) throw new StorageCommandError(`${err.message}: ${quoteArg(key)}`);
    throw err;
  };
}

const ACTIONS: Record<string, Action> = {
  async put({ disk, args, values, out }) {
    const [key, file, extra] = args;
    if (!key) throw new UsageError('missing KEY', STORAGE_USAGE);
    if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, STORAGE_USAGE);
    const fromStdin = file === undefined || file === '-';
    const total = fromStdin ? undefined : await statFile(file).then((s) => s.size, () => {
      throw new StorageCommandError(`cannot read ${file}`);
    });
    const source: NodeJS.ReadableStream = fromStdin ? process.stdin : createReadStream(file);
    const body = Progress.wanted(total) ? source.pipe(new Progress(`put ${key}`, total)) : source;
    const contentType = values['content-type'] as string | undefined;
    const stat = await disk.put(key, body, contentType ? { contentType } : {}).catch(namingKey(key));
    out(values.json ? JSON.stringify(describeFile(stat)) : `stored ${stat.key} (${stat.size} bytes, ${stat.contentType})`);
  },

  async get({ disk, args }) {
    const [key, file, extra] = args;
    if (!key) throw new UsageError('missing KEY', STORAGE_USAGE);
    if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, STORAGE_USAGE);
    const { stat, stream } = await disk.getStream(key).catch(namingKey(key));
    const toStdout = file === undefined || file === '-';
    const source = Progress.wanted(stat.size) && !(toStdout && process.stdout.isTTY) ? stream.pipe(new Progress(`get ${key}`, stat.size)) : stream;
    try {
      await pipeline(source, toStdout ? process.stdout : createWriteStream(file, { flags: 'w' }));
    } catch (err) {
      // A half-written copy looks like the file; do not leave one.
      if (!toStdout) await rm(file, { force: true });
      throw err;
    }
  },

  async ls({ disk, args, values, out }) {
    const [prefix = '', extra] = args;
    if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, STORAGE_USAGE);
    let count = 0;
    for await (const stat of disk.list(prefix)) {
      count++;
      out(values.json
        ? JSON.stringify(describeFile(stat))
        : `${stat.lastModified.toISOString()}  ${String(stat.size).padStart(12)}  ${stat.contentType.padEnd(24)}  ${stat.key}`);
    }
    if (count === 0 && !values.json) out(prefix ? `no files under "${prefix}"` : 'no files');
  },

  async rm({ disk, args, out }) {
    if (args.length === 0) throw new UsageError('missing KEY', STORAGE_USAGE);
    for (const key of args) {
      await disk.delete(key).catch(namingKey(key));
      out(`deleted ${key}`);
    }
  },

  async sign({ disk, args, values, out }) {
    const [key, extra] = args;
    if (!key) throw new UsageError('missing KEY', STORAGE_USAGE);
    if (extra) throw new UsageError(`unexpected argument ${quoteArg(extra)}`, STORAGE_USAGE);
    const raw = (values['expires-in'] as string | undefined) ?? '3600';
    if (!/^\d+$/.test(raw)) throw new UsageError('--expires-in must be a whole number of seconds', STORAGE_USAGE);
    const expiresIn = Number(raw);
    const contentType = values['content-type'] as string | undefined;
    if (contentType && !values.upload) throw new UsageError('--content-type goes with --upload', STORAGE_USAGE);
    const signed = await (values.upload
      ? disk.signedUploadUrl(key, { expiresIn, ...(contentType ? { contentType } : {}) })
      : disk.signedUrl(key, { expiresIn })).catch(namingKey(key));
    if (values.json) {
      out(JSON.stringify({ url: signed.url, method: signed.method, headers: signed.headers, expires_at: signed.expiresAt.toISOString() }));
    } else {
      out(signed.url);
    }
  },
};
