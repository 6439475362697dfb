import { close, fstat, open, realpath } from 'node:fs';
import { promisify } from 'node:util';

// The read path uses plain file descriptors and callback fs calls: on Node 20 the FileHandle
// (fs/promises) equivalents cost several times more per request (bench/storage-read.mjs).
export const openFd = promisify(open);
export const fstatFd = promisify(fstat);
export const closeFd = promisify(close);
export const realpathNative = promisify(realpath.native);
