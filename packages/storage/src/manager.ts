import { Disk } from './disk.js';
import { StorageError } from './errors.js';
import { LocalDriver, type LocalDriverOptions } from './local/local-driver.js';
import { MemoryDriver, type MemoryDriverOptions } from './memory/memory-driver.js';
import type { StorageMetrics } from './metrics.js';
import type { S3DriverOptions } from './s3/s3-config.js';
import type { StorageDriver } from './types.js';
import type { UrlSigner } from './url-signer.js';

/** What every disk config may say besides its driver's own options. */
interface DiskCommon {
  /** Signs URLs the app serves itself (drivers that cannot presign). */
  signer?: UrlSigner;
  signedUrlBase?: string;
  publicUrlBase?: string;
}

export type DiskConfig =
  | (DiskCommon & { driver: 'local' } & LocalDriverOptions)
  | (DiskCommon & { driver: 'memory' } & MemoryDriverOptions)
  | (DiskCommon & { driver: 's3' } & S3DriverOptions)
  | (DiskCommon & { driver: string; [option: string]: unknown });

/** Builds a driver from its disk's config. Registered by name; `s3` is imported only when used. */
export type DriverFactory = (config: DiskConfig) => StorageDriver | Promise<StorageDriver>;

export interface StorageConfig {
  /** Which disk `disk()` returns without a name; default `default`. */
  default?: string;
  disks: Record<string, DiskConfig>;
  /** More drivers, or replacements, by name. */
  drivers?: Record<string, DriverFactory>;
  metrics?: StorageMetrics;
  clock?: () => number;
}

const BUILT_IN: Readonly<Record<string, DriverFactory>> = {
  local: (config) => new LocalDriver(config as LocalDriverOptions),
  memory: (config) => new MemoryDriver(config as MemoryDriverOptions),
  // A lazy import: apps with only local disks never load the AWS SDK.
  s3: async (config) => new (await import('./s3/s3-driver.js')).S3Driver(config as S3DriverOptions),
};

/** Named disks built from config: `(await StorageManager.create(config)).disk('uploads')`. */
export class StorageManager {
  readonly #disks: ReadonlyMap<string, Disk>;
  readonly #default: string;

  private constructor(disks: Map<string, Disk>, defaultName: string) {
    this.#disks = disks;
    this.#default = defaultName;
  }

  static async create(config: StorageConfig): Promise<StorageManager> {
    const drivers = { ...BUILT_IN, ...config.drivers };
    const defaultName = config.default ?? 'default';
    if (!config.disks || !Object.hasOwn(config.disks, defaultName)) {
      throw new StorageError('E_MISCONFIGURED', `the default disk "${defaultName}" is not configured`);
    }
    const disks = new Map<string, Disk>();
    for (const [name, disk] of Object.entries(config.disks)) {
      const factory = Object.hasOwn(drivers, disk.driver) ? drivers[disk.driver] : undefined;
      if (!factory) throw new StorageError('E_MISCONFIGURED', `disk "${name}" names an unknown driver "${disk.driver}"`);
      const driver = await factory(disk);
      disks.set(name, new Disk(driver, {
        name,
        ...(disk.signer ? { signer: disk.signer } : {}),
        ...(disk.signedUrlBase ? { signedUrlBase: disk.signedUrlBase } : {}),
        ...(disk.publicUrlBase ? { publicUrlBase: disk.publicUrlBase } : {}),
        ...(config.metrics ? { metrics: config.metrics } : {}),
        ...(config.clock ? { clock: config.clock } : {}),
      }));
    }
    return new StorageManager(disks, defaultName);
  }

  /** The named disk, or the default one. */
  disk(name: string = this.#default): Disk {
    const disk = this.#disks.get(name);
    if (!disk) throw new StorageError('E_MISCONFIGURED', `no disk named "${name}"`);
    return disk;
  }

  get names(): string[] {
    return [...this.#disks.keys()];
  }

  /** Releases what drivers hold open (S3 sockets). */
  close(): void {
    for (const disk of this.#disks.values()) (disk.driver as StorageDriver & { close?: () => void }).close?.();
  }
}
