import { createHash } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import {
  CopyObjectCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListObjectsV2Command, PutObjectCommand, S3Client, type HeadObjectCommandOutput, type ObjectCannedACL,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Meter, knownLength, toSource } from '../body.js';
import { DEFAULT_CONTENT_TYPE } from '../content-type.js';
import { StorageError } from '../errors.js';
import { encodeKeyPath } from '../key.js';
import type {
  ByteRange, DriverCapabilities, FileStat, ListOptions, PresignRequest, PresignedRequest, PutBody, PutOptions, PutResult, StorageDriver,
} from '../types.js';
import { MAX_PRESIGN_EXPIRES_IN, clientConfig, misconfigured, resolveS3Options, type ResolvedS3Options, type S3DriverOptions } from './s3-config.js';
import { mapS3Error } from './s3-errors.js';

const HEAD_CONCURRENCY = 32;

/**
 * Files in one bucket of AWS S3 or any S3-compatible store (MinIO, R2, Swift's s3api, ...), on
 * the AWS SDK v3. Every write is a single PutObject or a multipart upload that is completed only
 * once every byte arrived, so a failed write never replaces the previous version.
 */
export class S3Driver implements StorageDriver {
  readonly capabilities: DriverCapabilities;
  readonly #o: ResolvedS3Options;
  readonly #client: S3Client;
  readonly #presigner: S3Client;

  constructor(options: S3DriverOptions) {
    this.#o = resolveS3Options(options);
    this.#client = new S3Client(clientConfig(this.#o, this.#o.endpoint));
    this.#presigner = this.#o.publicEndpoint === undefined ? this.#client : new S3Client(clientConfig(this.#o, this.#o.publicEndpoint));
    this.capabilities = { visibility: this.#o.acl, maxPresignExpiresIn: MAX_PRESIGN_EXPIRES_IN };
  }

  get bucket(): string {
    return this.#o.bucket;
  }

  /** The SDK client, for what this driver does not cover (bucket policies, lifecycle rules, ...). */
  get client(): S3Client {
    return this.#client;
  }

  /** HeadBucket: a bucket that does not exist or credentials it refuses are `E_MISCONFIGURED`. */
  async check(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.#o.bucket }));
    } catch (err) {
      // HEAD has no body, so a missing bucket is a bare 404 ("NotFound"), not "NoSuchBucket".
      const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
      const name = (err as { name?: unknown })?.name;
      if (status === 404 || name === 'NoSuchBucket' || name === 'NotFound') {
        throw misconfigured(`the S3 bucket "${this.#o.bucket}" does not exist`, err);
      }
      throw mapS3Error(err);
    }
  }

  /**
   * `created` comes from a HEAD just before the write: S3 has no "replaced" answer to PutObject,
   * so it is not atomic (a writer racing between the HEAD and the put goes unseen).
   */
  async put(key: string, body: PutBody, options: PutOptions): Promise<PutResult> {
    const contentType = options.contentType ?? DEFAULT_CONTENT_TYPE;
    const acl = this.#acl(options);
    const metadata = options.metadata && Object.keys(options.metadata).length ? { Metadata: options.metadata } : {};
    const created = await this.stat(key).then(() => false, (err: unknown) => {
      if (StorageError.is(err, 'E_NOT_FOUND')) return true;
      throw err;
    });
    try {
      const length = knownLength(body);
      if (length !== undefined) {
        const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : (body as Uint8Array);
        await this.#client.send(new PutObjectCommand({
          Bucket: this.#o.bucket, Key: key, Body: bytes, ContentLength: bytes.byteLength, ContentType: contentType,
          ContentMD5: createHash('md5').update(bytes).digest('base64'), ...acl, ...metadata,
        }));
      } else {
        // Unknown length: lib-storage sends one PutObject if the stream ends within the first
        // part, else a multipart upload that it aborts if anything fails (leavePartsOnError: false).
        const meter = new Meter(options.maxBytes);
        // A source error or E_TOO_LARGE destroys the meter, which fails the upload.
        const piped = pipeline(toSource(body), meter, () => {});
        const upload = new Upload({
          client: this.#client,
          params: { Bucket: this.#o.bucket, Key: key, Body: piped, ContentType: contentType, ...acl, ...metadata },
          partSize: this.#o.partSize,
          queueSize: this.#o.queueSize,
          leavePartsOnError: false,
        });
        await upload.done();
      }
      return { stat: await this.stat(key), created };
    } catch (err) {
      throw mapS3Error(err);
    }
  }

  async stat(key: string): Promise<FileStat> {
    try {
      const head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#o.bucket, Key: key }));
      return toFileStat(key, head, head.ContentLength ?? 0);
    } catch (err) {
      throw mapS3Error(err);
    }
  }

  async getStream(key: string, range?: ByteRange): Promise<{ stat: FileStat; stream: NodeJS.ReadableStream }> {
    try {
      const out = await this.#client.send(new GetObjectCommand({
        Bucket: this.#o.bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
      }));
      const total = range ? totalFromContentRange(out.ContentRange) ?? 0 : out.ContentLength ?? 0;
      return { stat: toFileStat(key, out, total), stream: out.Body as Readable };
    } catch (err) {
      throw mapS3Error(err);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.#o.bucket, Key: key }));
    } catch (err) {
      const mapped = mapS3Error(err);
      if (StorageError.is(mapped, 'E_NOT_FOUND')) return;
      throw mapped;
    }
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<FileStat> {
    for await (const keys of this.#pages(prefix, options.startAfter)) {
      // A listing has no content types; HEAD each key (a few at a time) so every driver yields
      // the same FileStat. Use listKeys where the type does not matter.
      // A batch at a time, so a consumer that stops early (one page) does not pay for the rest.
      for (let i = 0; i < keys.length; i += HEAD_CONCURRENCY) {
        const batch = keys.slice(i, i + HEAD_CONCURRENCY);
        for (const stat of await Promise.all(batch.map((key) => this.stat(key).catch(skipMissing)))) {
          if (stat) yield stat;
        }
      }
    }
  }

  async *listKeys(prefix: string): AsyncIterable<string> {
    for await (const keys of this.#pages(prefix, undefined)) yield* keys;
  }

  /** ListObjectsV2 pages (at most 1000 keys each), following continuation tokens to the end. */
  async *#pages(prefix: string, startAfter: string | undefined): AsyncIterable<string[]> {
    let token: string | undefined;
    do {
      let page;
      try {
        page = await this.#client.send(new ListObjectsV2Command({
          Bucket: this.#o.bucket,
          Prefix: prefix,
          ...(token ? { ContinuationToken: token } : startAfter ? { StartAfter: startAfter } : {}),
        }));
      } catch (err) {
        throw mapS3Error(err);
      }
      yield (page.Contents ?? []).flatMap((object) => (object.Key === undefined ? [] : [object.Key]));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async copy(from: string, to: string): Promise<FileStat> {
    try {
      await this.#client.send(new CopyObjectCommand({
        Bucket: this.#o.bucket,
        Key: to,
        // The source is "bucket/key" in the URL's own encoding: each segment encoded, "/" kept.
        CopySource: `${this.#o.bucket}/${encodeKeyPath(from)}`,
        MetadataDirective: 'COPY',
      }));
      return await this.stat(to);
    } catch (err) {
      throw mapS3Error(err);
    }
  }

  async deleteMany(keys: readonly string[]): Promise<{ key: string; reason: string }[]> {
    if (keys.length === 0) return [];
    if (keys.length > 1000) throw new TypeError('deleteMany takes at most 1000 keys');
    const command = new DeleteObjectsCommand({
      Bucket: this.#o.bucket,
      Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true },
    });
    // The S3 API requires Content-MD5 (or a checksum) on DeleteObjects; Swift's s3api accepts
    // only Content-MD5, so compute it over the serialized body before the request is signed.
    command.middlewareStack.add((next) => async (args) => {
      const request = args.request as { body?: unknown; headers?: Record<string, string> };
      if (request.headers && (typeof request.body === 'string' || request.body instanceof Uint8Array)) {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    }, { step: 'build', priority: 'low', name: 'tsforgeContentMd5' });
    try {
      const out = await this.#client.send(command);
      return (out.Errors ?? []).map((e) => ({ key: e.Key ?? '', reason: e.Code ?? 'unknown' }));
    } catch (err) {
      throw mapS3Error(err);
    }
  }

  async presign(request: PresignRequest): Promise<PresignedRequest> {
    const { bucket } = this.#o;
    const headers: Record<string, string> = {};
    const command = request.method === 'GET'
      ? new GetObjectCommand({
        Bucket: bucket,
        Key: request.key,
        ...(request.responseContentType ? { ResponseContentType: request.responseContentType } : {}),
        ...(request.responseContentDisposition ? { ResponseContentDisposition: request.responseContentDisposition } : {}),
      })
      : new PutObjectCommand({
        Bucket: bucket,
        Key: request.key,
        ...(request.contentType ? { ContentType: request.contentType } : {}),
        ...(request.contentLength !== undefined ? { ContentLength: request.contentLength } : {}),
      });
    if (request.method === 'PUT' && request.contentType) headers['content-type'] = request.contentType;
    if (request.method === 'PUT' && request.contentLength !== undefined) headers['content-length'] = String(request.contentLength);
    // The presigner signs neither content-type nor content-length unless told: a fixed value must
    // be signed, so an upload with another type or length is refused by the store (403).
    const url = await getSignedUrl(this.#presigner, command, {
      expiresIn: request.expiresIn,
      signingDate: new Date(this.#o.clock()),
      ...(Object.keys(headers).length ? { signableHeaders: new Set(Object.keys(headers)) } : {}),
    });
    return { url, headers };
  }

  publicUrl(key: string): string {
    const path = encodeKeyPath(key);
    if (this.#o.publicUrlBase) return `${this.#o.publicUrlBase}/${path}`;
    const endpoint = this.#o.publicEndpoint ?? this.#o.endpoint ?? `https://s3.${this.#o.region}.amazonaws.com`;
    if (this.#o.forcePathStyle) return `${endpoint}/${this.#o.bucket}/${path}`;
    const url = new URL(endpoint);
    return `${url.protocol}//${this.#o.bucket}.${url.host}${url.pathname.replace(/\/$/, '')}/${path}`;
  }

  /** Closes the SDK's sockets. */
  close(): void {
    this.#client.destroy();
    if (this.#presigner !== this.#client) this.#presigner.destroy();
  }

  #acl(options: PutOptions): { ACL?: ObjectCannedACL } {
    // A bucket without ACLs (Object Ownership "bucket owner enforced", most S3-compatible stores)
    // refuses any ACL header: only send one where the disk says they exist.
    if (!this.#o.acl || options.visibility === undefined) return {};
    return { ACL: options.visibility === 'public' ? 'public-read' : 'private' };
  }
}

function toFileStat(key: string, head: Pick<HeadObjectCommandOutput, 'ContentType' | 'ETag' | 'LastModified' | 'Metadata'>, size: number): FileStat {
  return {
    key,
    size,
    lastModified: head.LastModified ?? new Date(0),
    etag: head.ETag ?? '""',
    contentType: head.ContentType ?? DEFAULT_CONTENT_TYPE,
    metadata: { ...head.Metadata },
  };
}

function totalFromContentRange(value: string | undefined): number | undefined {
  const match = /\/(\d+)$/.exec(value ?? '');
  return match ? Number(match[1]) : undefined;
}

function skipMissing(err: unknown): undefined {
  if (StorageError.is(err, 'E_NOT_FOUND')) return undefined; // deleted between the listing and the HEAD
  throw err;
}

