export { S3Driver } from './s3-driver.js';
export { MAX_PRESIGN_EXPIRES_IN, type S3DriverOptions } from './s3-config.js';
