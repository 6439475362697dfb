import { looksLikeAccessToken, newAccessToken } from '../internal/random.js';
import type { AccessTokenFormat } from './types.js';

/** The default: 256 random bits with a `tfat_` prefix; only its keyed hash is stored. */
export const opaqueFormat: AccessTokenFormat = {
  name: 'opaque',
  async mint() {
    const token = newAccessToken();
    return { token, key: token };
  },
  async keyOf(token) {
    return looksLikeAccessToken(token) ? token : null;
  },
};
