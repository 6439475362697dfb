import { checkBody, checkMaxBytes, holdErrors, knownLength, tooLarge } from './body.js';
import { resolveContentType } from './content-type.js';
import { checkBase, checkDisposition, checkLength, checkType } from './signing-options.js';
import { StorageError } from './errors.js';
import { encodeKeyPath, normalizeCursor, normalizeKey, normalizePrefix } from './key.js';
import { checkMetadata } from './metadata.js';
import { resolveRange } from './resolve-range.js';
import { countReads, type StorageMetrics } from './metrics.js';
import { checkPrecondition, normalizePrecondition, type CurrentVersion, type Precondition } from './precondition.js';
import type { ByteRange, DeleteOptions, DriverCapabilities, FileStat, PutBody, PutOptions, PutResult, StorageDriver } from './types.js';
import { signedQuery, type SignedMethod, type SignedParams, type UrlSigner } from './url-signer.js';

export interface DiskOptions {
  /** The disk's name in metrics and messages; default `default`. */
  name?: string;
  /** Signs URLs the app serves itself (drivers that cannot presign, like local). */
  signer?: UrlSigner;
  /** Absolute URL the key path is appended to, e.g. `http://127.0.0.1:3000/files`. */
  signedUrlBase?: string;
  /** Base URL of public files for `url(key)`, when the driver does not know one itself. */
  publicUrlBase?: string;
  /** Milliseconds since the epoch; defaults to the signer's clock, else `Date.now`. */
  clock?: () => number;
  metrics?: StorageMetrics;
}

/** A request that a client makes to `url` with `method`, sending `headers` exactly. */
export interface SignedUrl {
  url: string;
  method: 'GET' | 'PUT';
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface SignedUrlOptions {
  expiresIn: number;
  responseContentType?: string;
  responseContentDisposition?: string;
}

export interface SignedUploadUrlOptions {
  expiresIn: number;
  /** Signed into the URL: the uploader must send exactly this Content-Type. */
  contentType?: string;
  /**
   * Signed into the URL: the uploader must send exactly this many bytes (Content-Length). The
   * only way to bound an upload that goes straight to the store (S3), never through the app.
   */
  contentLength?: number;
}

export interface GetStreamOptions {
  /** Bytes `start` to `end` inclusive; `end` defaults to the last byte and is clamped to it. */
  range?: { start: number; end?: number };
}

export interface ListPage {
  files: FileStat[];
  /** Pass back as `cursor` for the next page; null after the last. */
  cursor: string | null;
}

export interface DeleteAllResult {
  deleted: number;
  failed: { key: string; reason: string }[];
}

const MAX_PAGE = 1000;
const DELETE_BATCH = 1000;

/**
 * The façade over a driver. Each method normalizes the key exactly once, so a driver only ever
 * sees canonical keys, and turns any error that is not already a `StorageError` into `E_IO` with
 * the original as `cause` (exactly once, whatever the driver).
 */
export class Disk {
  readonly name: string;
  readonly #driver: StorageDriver;
  readonly #signer: UrlSigner | undefined;
  readonly #base: string | undefined;
  readonly #publicBase: string | undefined;
  readonly #clock: () => number;
  readonly #metrics: StorageMetrics | undefined;

  constructor(driver: StorageDriver, options: DiskOptions = {}) {
    this.#driver = driver;
    this.name = options.name ?? 'default';
    this.#signer = options.signer;
    this.#base = options.signedUrlBase === undefined ? undefined : checkBase('signedUrlBase', options.signedUrlBase);
    this.#publicBase = options.publicUrlBase === undefined ? undefined : checkBase('publicUrlBase', options.publicUrlBase);
    const signer = options.signer;
    this.#clock = options.clock ?? (signer ? () => signer.now() : Date.now);
    this.#metrics = options.metrics;
  }

  /** What the store supports: `visibility` false means `put`'s `visibility` is ignored. */
  get capabilities(): DriverCapabilities {
    return this.#driver.capabilities ?? { visibility: false };
  }

  get driver(): StorageDriver {
    return this.#driver;
  }

  /**
   * Asks the store whether it is usable (drivers without a check pass): `E_MISCONFIGURED` for a
   * missing bucket or refused credentials, `E_UNAVAILABLE` (cause: the network error) when unreachable.
   */
  async check(): Promise<void> {
    const driver = this.#driver;
    if (driver.check) await this.#io('check', '', () => driver.check!());
  }

  /** Stores `body` at `key`, replacing any previous file atomically. */
  async put(key: string, body: PutBody, options: PutOptions = {}): Promise<FileStat> {
    return (await this.upsert(key, body, options)).stat;
  }

  /** `put`, also telling whether the key held no file before (`created`) or one was replaced. */
  async upsert(key: string, body: PutBody, options: PutOptions = {}): Promise<PutResult> {
    const k = normalizeKey(key);
    checkBody(body);
    checkMaxBytes(options.maxBytes);
    const length = knownLength(body);
    if (options.maxBytes !== undefined && length !== undefined && length > options.maxBytes) throw tooLarge(options.maxBytes);
    if (options.visibility !== undefined && options.visibility !== 'public' && options.visibility !== 'private') {
      throw new TypeError('visibility must be "public" or "private"');
    }
    const opts: PutOptions = { contentType: resolveContentType(k, options.contentType) };
    if (options.metadata !== undefined) opts.metadata = checkMetadata(options.metadata);
    if (options.maxBytes !== undefined) opts.maxBytes = options.maxBytes;
    if (options.visibility !== undefined) opts.visibility = options.visibility;
    const precondition = normalizePrecondition(options.precondition);
    const release = holdErrors(body);
    const result = await this.#io('put', k, async () => {
      await this.#precheck(k, precondition);
      if (precondition && this.#driver.capabilities?.atomicPreconditions) opts.precondition = precondition;
      return this.#driver.put(k, body, opts);
    }).finally(release);
    this.#metrics?.bytesWritten(this.name, result.stat.size);
    return result;
  }

  /** The whole file in memory; use `getStream` for anything large. */
  async get(key: string): Promise<Buffer> {
    const k = normalizeKey(key);
    const bytes = await this.#io('get', k, async () => {
      const { stream } = await this.#driver.getStream(k);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks);
    });
    this.#metrics?.bytesRead(this.name, bytes.byteLength);
    return bytes;
  }

  /**
   * Consume or destroy the stream: it holds an open file or connection until then. With a
   * `range`, `range` in the result is the resolved inclusive byte range the stream yields; a
   * start at or past the end is `E_RANGE_NOT_SATISFIABLE` (RFC 9110 §14.1.2).
   */
  async getStream(key: string, options: GetStreamOptions = {}): Promise<{ stat: FileStat; stream: NodeJS.ReadableStream; range?: ByteRange }> {
    const k = normalizeKey(key);
    const requested = options.range;
    const result = await this.#io('getStream', k, async () => {
      if (requested === undefined) return this.#driver.getStream(k);
      const range = resolveRange(requested, (await this.#driver.stat(k)).size);
      return { ...(await this.#driver.getStream(k, range)), range };
    });
    if (!this.#metrics) return result;
    const metrics = this.#metrics;
    return { ...result, stream: countReads(result.stream, (bytes) => metrics.bytesRead(this.name, bytes)) };
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

  /** Idempotent: deleting a missing key succeeds (unless a precondition asks for a version). */
  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const k = normalizeKey(key);
    const precondition = normalizePrecondition(options.precondition);
    return this.#io('delete', k, async () => {
      await this.#precheck(k, precondition);
      if (precondition && this.#driver.capabilities?.atomicPreconditions) return this.#driver.delete(k, { precondition });
      return this.#driver.delete(k);
    });
  }

  /**
   * Refuses early, before a body is streamed: enough for drivers without atomic preconditions
   * (S3 here), where a write by someone else between this stat and the change goes unseen.
   */
  async #precheck(key: string, precondition: Precondition | undefined): Promise<void> {
    if (!precondition) return;
    const current = await this.#driver.stat(key).then((stat): CurrentVersion => stat, (err: unknown) => {
      if (StorageError.is(err, 'E_NOT_FOUND')) return undefined;
      throw err;
    });
    checkPrecondition(precondition, current);
  }

  /**
   * Deletes every file under `prefix` (which must not be empty: wiping a disk is spelled
   * `deleteAll('', { everything: true })`). Keeps going past single failures and reports them.
   */
  async deleteAll(prefix: string, options: { everything?: boolean } = {}): Promise<DeleteAllResult> {
    const p = normalizePrefix(prefix);
    if (p === '' && options.everything !== true) throw new TypeError('deleteAll("") deletes every file: pass { everything: true } to mean it');
    const result: DeleteAllResult = { deleted: 0, failed: [] };
    let batch: string[] = [];
    const flush = async () => {
      const keys = batch;
      batch = [];
      const failed = await this.#io('deleteAll', p, () => this.#deleteBatch(keys));
      result.failed.push(...failed);
      result.deleted += keys.length - failed.length;
    };
    for await (const key of this.#keys(p)) {
      batch.push(key);
      if (batch.length === DELETE_BATCH) await flush();
    }
    if (batch.length) await flush();
    return result;
  }

  async *#keys(prefix: string): AsyncIterable<string> {
    if (!this.#driver.listKeys) {
      for await (const stat of this.list(prefix)) yield stat.key;
      return;
    }
    try {
      yield* this.#driver.listKeys(prefix);
    } catch (err) {
      throw wrap(err, 'list', prefix);
    }
  }

  async #deleteBatch(keys: string[]): Promise<{ key: string; reason: string }[]> {
    if (this.#driver.deleteMany) return this.#driver.deleteMany(keys);
    const failed: { key: string; reason: string }[] = [];
    for (const key of keys) {
      await this.#driver.delete(key).catch((err: unknown) => failed.push({ key, reason: String((err as Error)?.message ?? err) }));
    }
    return failed;
  }

  /** Copies `from` to `to` (server-side where the store can), replacing `to` atomically. */
  async copy(from: string, to: string): Promise<FileStat> {
    const f = normalizeKey(from);
    const t = normalizeKey(to);
    if (f === t) return this.stat(f);
    const driver = this.#driver;
    return this.#io('copy', f, async () => {
      if (driver.copy) return driver.copy(f, t);
      const { stat, stream } = await driver.getStream(f);
      return (await driver.put(t, stream, { contentType: stat.contentType, metadata: stat.metadata })).stat;
    });
  }

  /** Copy, then delete the source. Not atomic across the two keys: a crash between leaves both. */
  async move(from: string, to: string): Promise<FileStat> {
    const stat = await this.copy(from, to);
    if (normalizeKey(from) !== normalizeKey(to)) await this.delete(from);
    return stat;
  }

  /** Every file whose key starts with `prefix` (plain string prefix), in UTF-8 byte order of the key. */
  async *list(prefix = '', options: { after?: string } = {}): AsyncIterable<FileStat> {
    const p = normalizePrefix(prefix);
    // Checked here, for every driver: a malformed cursor is the caller's mistake, never the store's.
    const a = options.after === undefined ? undefined : normalizeCursor(options.after);
    const after = a === undefined ? undefined : Buffer.from(a);
    try {
      for await (const stat of this.#driver.list(p, a === undefined ? {} : { startAfter: a })) {
        if (after !== undefined && Buffer.compare(Buffer.from(stat.key), after) <= 0) continue;
        yield stat;
      }
    } catch (err) {
      throw wrap(err, 'list', p);
    }
  }

  /** One page of `list`: at most `limit` files (1..1000, default 1000) after `cursor`. */
  async listPage(prefix = '', options: { cursor?: string; limit?: number } = {}): Promise<ListPage> {
    const limit = options.limit ?? MAX_PAGE;
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new TypeError(`limit must be a whole number from 1 to ${MAX_PAGE}`);
    const files: FileStat[] = [];
    for await (const stat of this.list(prefix, options.cursor === undefined ? {} : { after: options.cursor })) {
      if (files.length === limit) return { files, cursor: files[files.length - 1]!.key };
      files.push(stat);
    }
    return { files, cursor: null };
  }

  /** The unsigned URL of a public file: the store's own, or `publicUrlBase` + key. */
  url(key: string): string {
    const k = normalizeKey(key);
    const own = this.#driver.publicUrl?.(k);
    if (own !== undefined) return own;
    if (this.#publicBase === undefined) throw new StorageError('E_MISCONFIGURED', `disk "${this.name}" has no public URL (set publicUrlBase)`);
    return `${this.#publicBase}/${encodeKeyPath(k)}`;
  }

  /**
   * A URL that lets its holder GET `key` until `expiresIn` seconds from now. The file must exist
   * when the URL is made (`E_NOT_FOUND` otherwise); it is not pinned to that version, so a later
   * `put` under the same key is what the URL then serves.
   */
  async signedUrl(key: string, o: SignedUrlOptions): Promise<SignedUrl> {
    const k = normalizeKey(key);
    const params: SignedParams = {};
    if (o?.responseContentType !== undefined) params['response-content-type'] = checkType(o.responseContentType, 'responseContentType');
    if (o?.responseContentDisposition !== undefined) params['response-content-disposition'] = checkDisposition(o.responseContentDisposition);
    const expiresIn = this.#checkExpiry(o?.expiresIn);
    await this.stat(k);
    return this.#sign('GET', k, expiresIn, params);
  }

  /** A URL that lets its holder PUT one body at `key` until `expiresIn` seconds from now. */
  async signedUploadUrl(key: string, o: SignedUploadUrlOptions): Promise<SignedUrl> {
    const k = normalizeKey(key);
    const params: SignedParams = {};
    if (o?.contentType !== undefined) params['content-type'] = checkType(o.contentType, 'contentType');
    if (o?.contentLength !== undefined) params['content-length'] = String(checkLength(o.contentLength));
    return this.#sign('PUT', k, this.#checkExpiry(o?.expiresIn), params);
  }

  /**
   * Throws unless `query` is a valid, unexpired signature for `method` on `key` (URLs this disk
   * signed itself). Returns what the URL pins: honour it.
   */
  verifySignedUrl(key: string, query: string | URLSearchParams, method: SignedMethod = 'GET'): SignedParams {
    const k = normalizeKey(key);
    if (!this.#signer) throw new StorageError('E_MISCONFIGURED', 'verifying signed URLs needs a signer');
    return this.#signer.verify({ method, key: k, query });
  }

  async #sign(method: 'GET' | 'PUT', key: string, expiresIn: number, params: SignedParams): Promise<SignedUrl> {
    const expiresAtS = Math.floor(this.#clock() / 1000) + expiresIn;
    const expiresAt = new Date(expiresAtS * 1000);
    if (this.#driver.presign) {
      const presigned = await this.#io('sign', key, () => this.#driver.presign!({
        method, key, expiresIn,
        ...(params['response-content-type'] ? { responseContentType: params['response-content-type'] } : {}),
        ...(params['response-content-disposition'] ? { responseContentDisposition: params['response-content-disposition'] } : {}),
        ...(params['content-type'] ? { contentType: params['content-type'] } : {}),
        ...(params['content-length'] ? { contentLength: Number(params['content-length']) } : {}),
      }));
      return { url: presigned.url, method, headers: presigned.headers, expiresAt };
    }
    const signer = this.#signer;
    const base = this.#base;
    if (!signer || base === undefined) {
      throw new StorageError('E_MISCONFIGURED', 'signed URLs need both a signer and signedUrlBase');
    }
    const signature = signer.sign({ method, key, expiresAt: expiresAtS, params });
    const headers: Record<string, string> = {};
    if (params['content-type']) headers['content-type'] = params['content-type'];
    if (params['content-length']) headers['content-length'] = params['content-length'];
    return { url: `${base}/${encodeKeyPath(key)}?${signedQuery(expiresAtS, params, signature)}`, method, headers, expiresAt };
  }

  #checkExpiry(expiresIn: unknown): number {
    const max = this.#driver.presign ? (this.#driver.capabilities?.maxPresignExpiresIn ?? 604_800) : this.#signer?.maxExpiresIn;
    if (max === undefined) throw new StorageError('E_MISCONFIGURED', 'signed URLs need both a signer and signedUrlBase');
    if (typeof expiresIn !== 'number' || !Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > max) {
      throw new StorageError('E_EXPIRY_OUT_OF_RANGE', `a signed URL must expire in a whole number of seconds from 1 to ${max}`);
    }
    return expiresIn;
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

