import { randomBytes, hkdfSync } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, readSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';
import { makeDirs } from './make-dirs.js';

export const SECRET_FILE = 'secret.key';

/**
 * The server's master secret, kept in the data dir and generated on first start. Each use gets
 * its own key derived with HKDF, so a key leaked from one purpose says nothing about another.
 */
export class ServerSecret {
  readonly #master: Buffer;

  private constructor(master: Buffer) {
    this.#master = master;
  }

  static loadOrCreate(dataDir: string): ServerSecret {
    try {
      makeDirs(dataDir, 0o700);
    } catch (err) {
      throw new ConfigError(`cannot create the data directory ${JSON.stringify(dataDir)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const path = join(dataDir, SECRET_FILE);
    try {
      return new ServerSecret(parse(readFileSync(path, 'utf8'), path));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    // Written aside and linked into place: link fails if another process won the race,
    // and nobody ever reads a half-written key.
    const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    return new ServerSecret(parse(readFileSync(path, 'utf8'), path));
  }

  /**
   * A secret the operator generated (`openssl rand -hex 32 > secret.key`) and gave every
   * instance, so that tokens, sessions and signed URLs made by one are accepted by the others.
   */
  static fromFile(path: string): ServerSecret {
    let text: string;
    try {
      text = readStart(path);
    } catch (err) {
      throw new ConfigError(`TSFORGE_SECRET_FILE ${JSON.stringify(path)} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      return new ServerSecret(parse(text, path));
    } catch (err) {
      throw new ConfigError(`${(err as Error).message}; make one with: openssl rand -hex 32 > ${path}`);
    }
  }

  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#master, Buffer.alloc(0), `tsforge/${purpose}`, 32));
  }
}

/** A key file is 65 bytes: read no more than a few times that (a wrong path may be huge, or /dev/zero). */
const MAX_KEY_FILE_BYTES = 1024;

/** The file's first `MAX_KEY_FILE_BYTES` + 1 bytes: enough to tell a key from anything else. */
function readStart(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(MAX_KEY_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.toString('utf8', 0, length);
  } finally {
    closeSync(fd);
  }
}

function parse(text: string, path: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} is not a tsforge secret key (64 hex characters)`);
  return Buffer.from(hex, 'hex');
}
