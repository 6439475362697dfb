export { StorageError, STORAGE_ERROR_STATUS, type StorageErrorCode } from './errors.js';
export { normalizeKey, normalizePrefix, normalizeCursor, encodeKeyPath, MAX_KEY_BYTES } from './key.js';
export { contentTypeFor, parseContentType, DEFAULT_CONTENT_TYPE } from './content-type.js';
export type {
  ByteRange, DeleteOptions, DriverCapabilities, FileStat, ListOptions, PresignRequest, PresignedRequest, PutBody, PutOptions, PutResult, StorageDriver, Visibility,
} from './types.js';
export { LocalDriver, type LocalDriverOptions } from './local/local-driver.js';
export { MemoryDriver, type MemoryDriverOptions } from './memory/memory-driver.js';
export { UrlSigner, type UrlSignerOptions, type SignedMethod, type SignedParams } from './url-signer.js';
export {
  Disk, type DiskOptions, type SignedUrl, type SignedUrlOptions, type SignedUploadUrlOptions, type GetStreamOptions, type ListPage,
  type DeleteAllResult,
} from './disk.js';
export type { StorageMetrics } from './metrics.js';
export { MAX_METADATA_BYTES, type Metadata } from './metadata.js';
export { preconditionHolds, type CurrentVersion, type Precondition } from './precondition.js';
export { StorageManager, type StorageConfig, type DiskConfig, type DriverFactory } from './manager.js';
