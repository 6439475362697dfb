import { expect } from 'vitest';
import { OAuth2StoreError } from '../store-error.js';
import type { ClientRecord } from '../types.js';

export type MakeClient = (over?: Partial<ClientRecord>) => ClientRecord;

export async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, `expected a rejection with OAuth2StoreError code "${code}"`).toBeInstanceOf(OAuth2StoreError);
  expect((err as OAuth2StoreError).code).toBe(code);
}

export const at = (ms: number): Date => new Date(Date.UTC(2024, 0, 1, 12, 0, 0) + ms);
