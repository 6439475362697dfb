// Runs OpenStack Swift's S3 layer (which checks SigV4 signatures) on 127.0.0.1 with one bucket,
// prints the settings that point tsforge at it, and keeps it up until Ctrl-C.
// Needs Debian's python3-swift and python3-pastedeploy. After `npx tsc -b`:
//   node packages/storage/examples/swift-server.mjs
import { startSwift } from '../dist/testing/index.js';

const bucket = process.argv[2] ?? 'tsforge';
const swift = await startSwift({ buckets: [bucket] });
console.log(`# Swift (S3 API) is up. In another shell:
export STORAGE_DRIVER=s3
export S3_BUCKET=${bucket}
export S3_ENDPOINT=${swift.endpoint}
export S3_FORCE_PATH_STYLE=true
export AWS_REGION=${swift.region}
export AWS_ACCESS_KEY_ID=${swift.accessKeyId}
export AWS_SECRET_ACCESS_KEY=${swift.secretAccessKey}
# Ctrl-C stops Swift and removes its data.`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => swift.stop().then(() => process.exit(0)));
}
