import type { Stats } from 'node:fs';
import { versionFor, type Sidecar, type SidecarVersion } from './sidecar.js';

/**
 * The sidecars of recently used files, least recently used evicted first. A read already has the
 * data file's stat, and an entry answers only for a version one of its records describes (inode,
 * size, mtime: every write is a new inode), so a hit can never be stale, even when another
 * process rewrote the file. A hit saves four file-system round trips on every read.
 */
export class SidecarCache {
  readonly #capacity: number;
  readonly #entries = new Map<string, Sidecar>();

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get(path: string, stat: Stats): SidecarVersion | undefined {
    const sidecar = this.#entries.get(path);
    const version = versionFor(sidecar, stat);
    if (sidecar === undefined || version === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recently used.
    this.#entries.delete(path);
    this.#entries.set(path, sidecar);
    return version;
  }

  set(path: string, sidecar: Sidecar): void {
    if (this.#capacity === 0) return;
    this.#entries.delete(path);
    this.#entries.set(path, sidecar);
    if (this.#entries.size > this.#capacity) {
      this.#entries.delete(this.#entries.keys().next().value!);
    }
  }

  delete(path: string): void {
    this.#entries.delete(path);
  }
}
