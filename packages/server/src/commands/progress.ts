import { Transform, type TransformCallback } from 'node:stream';

/**
 * Passes bytes through and, on a terminal, redraws one status line on stderr at most ten times
 * a second: bytes so far, percent and rate when the total is known. Off a terminal it is silent.
 */
export class Progress extends Transform {
  readonly #total: number | undefined;
  readonly #out: NodeJS.WriteStream;
  readonly #label: string;
  readonly #started = Date.now();
  #bytes = 0;
  #drawn = 0;

  constructor(label: string, total: number | undefined, out: NodeJS.WriteStream = process.stderr) {
    super();
    this.#label = label;
    this.#total = total;
    this.#out = out;
  }

  /** Only large or unknown-length transfers on a terminal get a bar. */
  static wanted(total: number | undefined, out: NodeJS.WriteStream = process.stderr): boolean {
    return out.isTTY === true && (total === undefined || total >= 8 * 1024 * 1024);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#bytes += chunk.byteLength;
    const now = Date.now();
    if (now - this.#drawn >= 100) {
      this.#drawn = now;
      this.#draw(now);
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.#draw(Date.now());
    this.#out.write('\n');
    callback();
  }

  #draw(now: number): void {
    const seconds = Math.max((now - this.#started) / 1000, 0.001);
    const rate = `${size(this.#bytes / seconds)}/s`;
    if (this.#total === undefined || this.#total === 0) {
      this.#out.write(`\r${this.#label} ${size(this.#bytes)} ${rate}\u001b[K`);
      return;
    }
    const ratio = Math.min(this.#bytes / this.#total, 1);
    const width = 30;
    const filled = Math.round(ratio * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    this.#out.write(`\r${this.#label} [${bar}] ${(ratio * 100).toFixed(0).padStart(3)}% ${size(this.#bytes)}/${size(this.#total)} ${rate}\u001b[K`);
  }
}

function size(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
