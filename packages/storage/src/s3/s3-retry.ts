import { StandardRetryStrategy } from '@smithy/core/retry';

/** Attempts per call: the SDK's default, so a refused or overloaded store is asked three times. */
export const S3_MAX_ATTEMPTS = 3;

/**
 * The SDK's standard retries (backoff, retry quota), except after a timeout: a store that took a
 * connection or socket timeout to fail would hold the caller that long again on every attempt
 * (three socket timeouts for one failed read). A refused connection fails in milliseconds, so
 * retrying it costs nothing and rides out a restart.
 */
export class S3RetryStrategy extends StandardRetryStrategy {
  constructor() {
    super(S3_MAX_ATTEMPTS);
  }

  override async refreshRetryTokenForRetry(
    token: Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[0],
    errorInfo: Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1],
  ): ReturnType<StandardRetryStrategy['refreshRetryTokenForRetry']> {
    // @smithy/node-http-handler names both its connection and its socket timeout "TimeoutError".
    if (errorInfo.error?.name === 'TimeoutError') throw errorInfo.error;
    return super.refreshRetryTokenForRetry(token, errorInfo);
  }
}
