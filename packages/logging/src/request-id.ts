import { randomUUID } from 'node:crypto';

// Letters, digits and `.`, `_`, `:`, `-`: safe in a header, a log line, a URL and a shell, and long
// enough for a UUID, a W3C trace id or a load balancer's id (`Root=1-67891233-abcdef...`).
const VALID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A request id. `new RequestId()` is a fresh one, `new RequestId(header)` keeps a valid header
 * value and replaces anything else; `String(id)` / `id.toString()` give the text. The static
 * helpers work on plain strings, for fields and headers.
 */
export class RequestId {
  readonly value: string;

  constructor(header?: unknown) {
    this.value = header === undefined ? RequestId.generate() : RequestId.from(header);
  }

  toString(): string {
    return this.value;
  }

  toJSON(): string {
    return this.value;
  }

  /**
   * A random UUID (v4, 122 bits of entropy). Node draws these from a pooled entropy cache:
   * ~0.2 µs against ~5 µs for a fresh `randomBytes(16)`, on every request.
   */
  static generate(): string {
    return randomUUID();
  }

  static isValid(value: unknown): value is string {
    return typeof value === 'string' && VALID.test(value);
  }

  /**
   * The id sent by the client or a proxy (an `x-request-id` header; for a repeated header, the
   * first value) when it is valid, so one request can be followed across services; otherwise a
   * fresh one, so a hostile or broken header never reaches the logs.
   */
  static from(header: unknown): string {
    const candidate = Array.isArray(header) ? header[0] : header;
    return RequestId.isValid(candidate) ? candidate : RequestId.generate();
  }
}
