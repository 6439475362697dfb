import { createHash, type Hash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { StorageError } from './errors.js';
import type { PutBody } from './types.js';

export function checkBody(body: PutBody): void {
  toSource(body);
}

/** Any accepted body as a Node stream source for `stream.pipeline`, without copying it. */
export function toSource(body: PutBody): Readable | NodeJS.ReadableStream | AsyncIterable<Uint8Array> {
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')]);
  if (body instanceof Uint8Array) return Readable.from([body]);
  if (body !== null && typeof body === 'object') {
    if (body instanceof Readable) {
      // Iterate rather than pipe, so a failure on our side (E_TOO_LARGE, a disk error) leaves the
      // caller's stream open and unconsumed instead of destroying it: an HTTP server can then
      // still answer 413 on that request's socket. A failing source still fails the put.
      return Readable.from(body.iterator({ destroyOnReturn: false }), { objectMode: false });
    }
    if (typeof (body as NodeJS.ReadableStream).pipe === 'function') return body;
    if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') return body;
  }
  throw new TypeError('body must be a string, a Uint8Array, a readable stream or an async iterable of Uint8Array');
}

/**
 * Any accepted body as a Readable to consume by its events. `owned` is false for the caller's own
 * Readable, which is handed back as is: on a failure of ours it is to be paused and left open,
 * never destroyed. Any other stream here was made for the body and is the consumer's to destroy.
 */
export function toReadable(body: PutBody): { stream: Readable; owned: boolean } {
  if (body instanceof Readable) return { stream: body, owned: false };
  const source = toSource(body);
  if (source instanceof Readable) return { stream: source, owned: true };
  if (typeof (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
    return { stream: Readable.from(source as AsyncIterable<Uint8Array>), owned: true };
  }
  return { stream: new Readable().wrap(source as NodeJS.ReadableStream), owned: true };
}

/**
 * Until the driver starts reading, an error on the caller's stream (a client abort) would have
 * no listener and crash the process. This listener keeps it quiet; a Node stream remembers the
 * error, so the driver's first read still fails with it. Returns the release.
 */
export function holdErrors(body: PutBody): () => void {
  const stream = body as NodeJS.ReadableStream;
  if (typeof stream !== 'object' || typeof stream.on !== 'function') return () => {};
  const ignore = (): void => {};
  stream.on('error', ignore);
  return () => stream.removeListener('error', ignore);
}

/** The byte length of a body known up front (string, bytes), or undefined for streams. */
export function knownLength(body: PutBody): number | undefined {
  if (typeof body === 'string') return Buffer.byteLength(body, 'utf8');
  if (body instanceof Uint8Array) return body.byteLength;
  return undefined;
}

export function checkMaxBytes(maxBytes: number | undefined): void {
  if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes < 0)) {
    throw new TypeError('maxBytes must be a non-negative integer');
  }
}

export function tooLarge(maxBytes: number): StorageError {
  return new StorageError('E_TOO_LARGE', `body exceeds the limit of ${maxBytes} bytes`);
}

/**
 * Counts and hashes bytes on their way to a store, and throws E_TOO_LARGE the moment the count
 * passes `maxBytes`, so an oversized upload is cut off rather than read to the end.
 */
export class ContentMeter {
  readonly #hash: Hash = createHash('sha256');
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes = Number.POSITIVE_INFINITY) {
    this.#maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Takes one chunk; returns it as bytes. Throws on a chunk that is not bytes or text. */
  add(chunk: unknown): Uint8Array {
    let bytes: Uint8Array;
    if (chunk instanceof Uint8Array) bytes = chunk;
    else if (typeof chunk === 'string') bytes = Buffer.from(chunk, 'utf8');
    else throw new TypeError('body chunks must be Uint8Array');
    this.#bytes += bytes.byteLength;
    if (this.#bytes > this.#maxBytes) throw tooLarge(this.#maxBytes);
    this.#hash.update(bytes);
    return bytes;
  }

  /** A quoted strong etag: the first 128 bits of the SHA-256 of the content, in hex. */
  etag(): string {
    return `"${this.#hash.digest('hex').slice(0, 32)}"`;
  }
}

/** A ContentMeter as a pass-through stream, failing the pipeline where the meter throws. */
export class Meter extends Transform {
  readonly #meter: ContentMeter;

  constructor(maxBytes?: number) {
    super();
    this.#meter = new ContentMeter(maxBytes);
  }

  get bytes(): number {
    return this.#meter.bytes;
  }

  etag(): string {
    return this.#meter.etag();
  }

  override _transform(chunk: unknown, _encoding: BufferEncoding, callback: TransformCallback): void {
    let bytes: Uint8Array;
    try {
      bytes = this.#meter.add(chunk);
    } catch (err) {
      return callback(err as Error);
    }
    callback(null, bytes);
  }
}
