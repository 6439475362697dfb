import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, DeleteBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe } from 'vitest';
import { S3Driver } from '../src/s3/s3-driver.js';
import type { S3DriverOptions } from '../src/s3/s3-config.js';
import { startSwift, swiftRequired, type SwiftServer } from '../src/testing/swift.js';

/**
 * Swift (with s3api, which checks SigV4) for the enclosing file: started once, stopped after.
 * Without the Debian packages the suite is skipped on a developer machine, and fails under CI.
 */
export const describeSwift = (name: string, fn: () => void) => (swiftRequired() ? describe : describe.skip)(name, fn);

export interface SwiftContext {
  server(): SwiftServer;
  /** A fresh, empty bucket and a driver on it; `cleanup` empties and removes the bucket. */
  bucket(options?: Partial<S3DriverOptions>): Promise<{ driver: S3Driver; bucket: string; client: S3Client; cleanup: () => Promise<void> }>;
}

export function useSwift(): SwiftContext {
  let swift: SwiftServer | undefined;
  // A busy shared machine can take a while to start Swift's four Python servers.
  beforeAll(async () => {
    swift = await startSwift({ timeoutMs: 90_000 });
  }, 120_000);
  afterAll(async () => {
    await swift?.stop();
  });
  const server = () => {
    if (!swift) throw new Error('Swift has not started');
    return swift;
  };
  return {
    server,
    async bucket(options = {}) {
      const s = server();
      const bucket = `t-${randomBytes(6).toString('hex')}`;
      const config = { region: s.region, endpoint: s.endpoint, forcePathStyle: true, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } };
      const client = new S3Client({ ...config, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      const driver = new S3Driver({ bucket, ...config, ...options });
      return {
        driver, bucket, client,
        cleanup: async () => {
          await emptyBucket(driver, client, bucket);
          await client.send(new DeleteBucketCommand({ Bucket: bucket }));
          driver.close();
          client.destroy();
        },
      };
    },
  };
}

async function emptyBucket(driver: S3Driver, client: S3Client, bucket: string): Promise<void> {
  for (;;) {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const keys = (page.Contents ?? []).map((o) => o.Key!);
    if (keys.length === 0) return;
    const failed = await driver.deleteMany(keys);
    if (failed.length) throw new Error(`could not empty ${bucket}: ${JSON.stringify(failed)}`);
  }
}

