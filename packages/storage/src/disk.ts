import { checkBody, checkMaxBytes, knownLength, tooLarge } from './body.js';
import { resolveContentType } from './content-type.js';
import { StorageError } from './errors.js';
import { encodeKeyPath, normalizeKey, normalizePrefix } from './key.js';
import type { FileStat, PutBody, PutOptions, StorageDriver } from './types.js';
import type { UrlSigner } from './url-signer.js';

export interface DiskOptions {
  signer?: UrlSigner;
  /** Absolute URL the key path is appended to, e.g. `http://127.0.0.1:3000/files`. */
  signedUrlBase?: string;
  /** Milliseconds since the epoch; defaults to the signer's clock, else `Date.now`. */
  clock?: () => number;
}

export interface SignedUrl {
  url: string;
  expiresAt: Date;
}

/**
 * The façade over a driver. Each method normalizes the key exactly once, so a driver only ever
 * sees canonical keys, and turns any error that is not already a `StorageError` into `E_IO` with
 * the original as `cause` (exactly once, whatever the driver).
 */
export class Disk {
  readonly #driver: StorageDriver;
  readonly #signer: UrlSigner | undefined;
  readonly #base: string | undefined;
  readonly #clock: () => number;

  constructor(driver: StorageDriver, options: DiskOptions = {}) {
    this.#driver = driver;
    this.#signer = options.signer;
    this.#base = options.signedUrlBase === undefined ? undefined : checkBase(options.signedUrlBase);
    const signer = options.signer;
    this.#clock = options.clock ?? (signer ? () => signer.now() : Date.now);
  }

  /** Stores `body` at `key`, replacing any previous file atomically. */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<FileStat> {
    const k = normalizeKey(key);
    checkBody(body);
    checkMaxBytes(options.maxBytes);
    const length = knownLength(body);
    if (options.maxBytes !== undefined && length !== undefined && length > options.maxBytes) throw tooLarge(options.maxBytes);
    const opts: PutOptions = { contentType: resolveContentType(k, options.contentType) };
    if (options.maxBytes !== undefined) opts.maxBytes = options.maxBytes;
    return this.#io('put', k, () => this.#driver.put(k, body, opts));
  }

  /** The whole file in memory; use `getStream` for anything large. */
  async get(key: string): Promise<Buffer> {
    const k = normalizeKey(key);
    return this.#io('get', k, async () => {
      const { stream } = await this.#driver.getStream(k);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks);
    });
  }

  /** Consume or destroy the stream: it holds an open file until then. */
  async getStream(key: string): Promise<{ stat: FileStat; stream: NodeJS.ReadableStream }> {
    const k = normalizeKey(key);
    return this.#io('getStream', k, () => this.#driver.getStream(k));
  }

  async stat(key: string): Promise<FileStat> {
    const k = normalizeKey(key);
    return this.#io('stat', k, () => this.#driver.stat(k));
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.stat(key);
      return true;
    } catch (err) {
      if (StorageError.is(err, 'E_NOT_FOUND')) return false;
      throw err;
    }
  }

  /** Idempotent: deleting a missing key succeeds. */
  async delete(key: string): Promise<void> {
    const k = normalizeKey(key);
    return this.#io('delete', k, () => this.#driver.delete(k));
  }

  /** Every file whose key starts with `prefix` (plain string prefix), in UTF-8 byte order of the key. */
  async *list(prefix = ''): AsyncIterable<FileStat> {
    const p = normalizePrefix(prefix);
    try {
      yield* this.#driver.list(p);
    } catch (err) {
      throw wrap(err, 'list', p);
    }
  }

  /**
   * A URL that lets its holder GET `key` until `expiresIn` seconds from now. The file must exist
   * when the URL is made (`E_NOT_FOUND` otherwise); it is not pinned to that version, so a later
   * `put` under the same key is what the URL then serves.
   */
  async signedUrl(key: string, o: { expiresIn: number }): Promise<SignedUrl> {
    const k = normalizeKey(key);
    const signer = this.#signer;
    const base = this.#base;
    if (!signer || base === undefined) {
      throw new StorageError('E_MISCONFIGURED', 'signed URLs need both a signer and signedUrlBase');
    }
    const expiresIn = o?.expiresIn;
    if (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > signer.maxExpiresIn) {
      throw new StorageError('E_EXPIRY_OUT_OF_RANGE', `a signed URL must expire in a whole number of seconds from 1 to ${signer.maxExpiresIn}`);
    }
    await this.stat(k);
    const expiresAt = Math.floor(this.#clock() / 1000) + expiresIn;
    const signature = signer.sign({ method: 'GET', key: k, expiresAt });
    return {
      url: `${base}/${encodeKeyPath(k)}?expires=${expiresAt}&signature=${signature}`,
      expiresAt: new Date(expiresAt * 1000),
    };
  }

  /** Throws unless `query` is a valid, unexpired signature for `method` on `key`. */
  verifySignedUrl(key: string, query: string | URLSearchParams, method: 'GET' = 'GET'): void {
    const k = normalizeKey(key);
    if (!this.#signer) throw new StorageError('E_MISCONFIGURED', 'verifying signed URLs needs a signer');
    this.#signer.verify({ method, key: k, query });
  }

  async #io<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw wrap(err, operation, key);
    }
  }
}

function wrap(err: unknown, operation: string, key: string): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageError('E_IO', `storage ${operation} failed for ${JSON.stringify(key)}`, { cause: err });
}

function checkBase(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new TypeError('signedUrlBase must be an absolute URL');
  }
  if (url.search !== '' || url.hash !== '' || base.includes('?') || base.includes('#')) {
    throw new TypeError('signedUrlBase must not have a query or fragment');
  }
  return base.replace(/\/+$/, '');
}
