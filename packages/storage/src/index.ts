export { StorageError, STORAGE_ERROR_STATUS, type StorageErrorCode } from './errors.js';
export { normalizeKey, normalizePrefix, encodeKeyPath, MAX_KEY_BYTES } from './key.js';
export { contentTypeFor, parseContentType, DEFAULT_CONTENT_TYPE } from './content-type.js';
export type { FileStat, PutOptions, PutBody, StorageDriver } from './types.js';
export { LocalDriver, type LocalDriverOptions } from './local/local-driver.js';
export { UrlSigner, type UrlSignerOptions, type SignedMethod } from './url-signer.js';
export { Disk, type DiskOptions, type SignedUrl } from './disk.js';
