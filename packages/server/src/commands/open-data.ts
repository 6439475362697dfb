import { createLogger } from '@tsforge/logging';
import { loadConfig, type ServerConfig } from '../config.js';
import { databaseExists } from '../database.js';
import { openRedis } from '../redis.js';
import { openOAuth } from '../runtime.js';
import { NotFound } from './client.js';

export type OAuthHandle = Awaited<ReturnType<typeof openOAuth>>['oauth'];

/**
 * Opens the OAuth store of the data dir (or `DATABASE_URL`) for one command and closes it after.
 * Only commands that create something may create the data dir: a mistyped --data-dir must not
 * look like an empty one. With the Redis token cache on, revocations and deletions made here
 * clear it too, as the server's own do.
 */
export async function withOAuth<T>(dataDir: string | undefined | ServerConfig, o: { create: boolean }, fn: (oauth: OAuthHandle) => Promise<T>): Promise<T> {
  const config = typeof dataDir === 'object' ? dataDir : loadConfig(process.env, { dataDir });
  if (!o.create && !databaseExists(config)) {
    throw new NotFound(`no tsforge data in ${config.dataDir} (check --data-dir or TSFORGE_DATA_DIR)`);
  }
  const cache = config.services.redis?.tokenCacheTtlMs ? config.services.redis : undefined;
  // Warnings only (Redis unreachable), to stderr: stdout carries the command's output.
  const redis = cache ? await openRedis(cache, createLogger({ level: 'warn', format: 'compact', destination: 2 })) : undefined;
  try {
    const { store, oauth } = await openOAuth(config, redis ? { wrapStore: redis.cached } : {});
    try {
      return await fn(oauth);
    } finally {
      await store.close();
    }
  } finally {
    await redis?.close();
  }
}
