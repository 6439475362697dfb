import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config.js';
import { DATABASE_FILE, openOAuth } from '../runtime.js';
import { NotFound } from './client.js';

export type OAuthHandle = ReturnType<typeof openOAuth>['oauth'];

/**
 * Opens the OAuth store of the data dir for one command and closes it after. Only commands that
 * create something may create the data dir: a mistyped --data-dir must not look like an empty one.
 */
export async function withOAuth<T>(dataDir: string | undefined, o: { create: boolean }, fn: (oauth: OAuthHandle) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env, { dataDir });
  if (!o.create && !existsSync(join(config.dataDir, DATABASE_FILE))) {
    throw new NotFound(`no tsforge data in ${config.dataDir} (check --data-dir or TSFORGE_DATA_DIR)`);
  }
  const { store, oauth } = openOAuth(config);
  try {
    return await fn(oauth);
  } finally {
    await store.close();
  }
}
