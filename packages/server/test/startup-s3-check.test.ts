import { afterAll, expect, it } from 'vitest';
import { describeSwift, swiftForSuite } from './support/swift.js';
import { removeDir, runCli, tempDataDir } from './support/tsforge.js';

/** stderr without the AWS SDK's one-line process warnings (its Node version notice). */
const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '' && !line.startsWith('tsforge: warning:'));

describeSwift('serve on S3 checks the bucket before listening (HeadBucket on Swift)', () => {
  const swift = swiftForSuite('tsforge-present');
  const dataDir = tempDataDir();
  afterAll(() => removeDir(dataDir));

  it('a bucket that does not exist: exit 2 with one configuration error naming S3_BUCKET and S3_ENDPOINT, no stack', async () => {
    const result = await runCli(['serve', '--port', '0'], { dataDir, env: { ...swift.env(), S3_BUCKET: 'no-such-bucket' } });
    expect(result.code).toBe(2);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(errorLines(result.stderr)).toEqual([
      `tsforge: configuration error: the S3 bucket "no-such-bucket" does not exist (S3_BUCKET="no-such-bucket", S3_ENDPOINT=${swift.server().endpoint}): create the bucket or correct the settings`,
    ]);
    expect(result.stdout).not.toContain('listening');
  });

  it('a store that does not answer: exit 1 with one line naming the endpoint and the network error, no stack', async () => {
    const result = await runCli(['serve', '--port', '0'], { dataDir, env: { ...swift.env(), S3_ENDPOINT: 'http://127.0.0.1:1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(errorLines(result.stderr)).toEqual(['tsforge: cannot reach the S3 store (S3_BUCKET="tsforge-present", S3_ENDPOINT=http://127.0.0.1:1): ECONNREFUSED']);
    expect(result.stderr).not.toContain(swift.server().secretAccessKey);
  });
});
