import { Transform, type TransformCallback } from 'node:stream';

/**
 * Where a Disk reports traffic, e.g. two Prometheus counters labelled by disk. Called once per
 * completed put (bytes stored) and once per finished read (bytes actually handed out, which for
 * an aborted download is fewer than the file's size). `disk` is the disk's name.
 */
export interface StorageMetrics {
  bytesWritten(disk: string, bytes: number): void;
  bytesRead(disk: string, bytes: number): void;
}

/** Passes a download through unchanged and reports its byte count once, however it ends. */
export function countReads(stream: NodeJS.ReadableStream, report: (bytes: number) => void): NodeJS.ReadableStream {
  let bytes = 0;
  let reported = false;
  const once = () => {
    if (reported) return;
    reported = true;
    report(bytes);
  };
  const counter = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback) {
      bytes += chunk.byteLength;
      callback(null, chunk);
    },
  });
  counter.once('end', once);
  counter.once('close', once);
  stream.once('error', (err: Error) => counter.destroy(err));
  // The counter's consumer going away (a destroyed response) must release the source too.
  counter.once('close', () => (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.());
  return stream.pipe(counter);
}
