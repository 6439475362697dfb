import { afterAll, beforeAll, describe } from 'vitest';
import { startSwift, swiftRequired, type SwiftServer } from '@tsforge/storage/testing';

/** Skipped where OpenStack Swift is not installed, except under CI, where that is a failure. */
export function describeSwift(name: string, fn: () => void): void {
  (swiftRequired() ? describe : describe.skip)(name, fn);
}

/** Swift with one bucket for the enclosing suite, and the env that points tsforge at it. */
export function swiftForSuite(bucket = 'tsforge-files'): { env(): NodeJS.ProcessEnv; server(): SwiftServer } {
  let swift: SwiftServer | undefined;
  // A busy shared machine can take a while to start Swift's four Python servers.
  beforeAll(async () => {
    swift = await startSwift({ buckets: [bucket], timeoutMs: 90_000 });
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
    env: () => ({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: bucket,
      S3_ENDPOINT: server().endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      AWS_REGION: server().region,
      AWS_ACCESS_KEY_ID: server().accessKeyId,
      AWS_SECRET_ACCESS_KEY: server().secretAccessKey,
    }),
  };
}
