import { StorageError, type Disk } from '@tsforge/storage';
import { ConfigError, type StorageSettings } from './config.js';

/** The store could not be reached at start-up: nothing the config says is known to be wrong. */
export class StorageUnreachableError extends Error {
  readonly exitCode = 1;
}

/**
 * Asks the store once before listening (S3: HeadBucket), so a missing bucket or refused
 * credentials stop `serve` with one line naming the settings, instead of a 500 on the first
 * upload. Never echoes credentials.
 */
export async function checkStorage(disk: Disk, settings: StorageSettings): Promise<void> {
  try {
    await disk.check();
  } catch (err) {
    if (settings.driver !== 's3' || !StorageError.is(err)) throw err;
    const where = `S3_BUCKET=${JSON.stringify(settings.bucket)}, S3_ENDPOINT=${settings.endpoint ?? `unset (AWS S3 in ${settings.region})`}`;
    if (err.code === 'E_MISCONFIGURED') throw new ConfigError(`${err.message} (${where}): create the bucket or correct the settings`);
    throw new StorageUnreachableError(`cannot reach the S3 store (${where}): ${describeCause(err.cause)}`);
  }
}

/** The network error's code (ECONNREFUSED, ENOTFOUND, ...) or name, never a stack. */
function describeCause(cause: unknown): string {
  const found = errorCode(cause) ?? errorCode((cause as { cause?: unknown })?.cause);
  return found ?? 'no answer';
}

function errorCode(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { code, name } = value as { code?: unknown; name?: unknown };
  if (typeof code === 'string') return code;
  return typeof name === 'string' && name !== 'Error' ? name : undefined;
}
