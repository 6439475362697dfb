import { afterEach, describe, expect, it } from 'vitest';
import { Metrics } from '@tsforge/metrics';
import { checkExposition } from '@tsforge/metrics/testing';
import { createDomainMetrics } from '../src/domain-metrics.js';
import { sampleValue } from './support/metrics.js';

const open: Metrics[] = [];
afterEach(() => open.splice(0).forEach((m) => m.close()));

async function setup() {
  const metrics = new Metrics({ processMetrics: false });
  open.push(metrics);
  const sinks = createDomainMetrics(metrics);
  const read = async () => {
    const { contentType, body } = await metrics.scrape();
    return checkExposition(contentType, body);
  };
  return { metrics, sinks, read };
}

describe('the OAuth2 and storage metrics sinks', () => {
  it('have exactly the shapes the cores accept', async () => {
    const { sinks } = await setup();
    expect(Object.keys(sinks.oauth2).sort()).toEqual(['tokenError', 'tokenIssued']);
    expect(Object.keys(sinks.storage).sort()).toEqual(['bytesRead', 'bytesWritten']);
  });

  it('count tokens by grant and errors by code; unknown values fold into "other"', async () => {
    const { sinks, read } = await setup();
    sinks.oauth2.tokenIssued('client_credentials');
    sinks.oauth2.tokenIssued('client_credentials');
    sinks.oauth2.tokenIssued('authorization_code');
    sinks.oauth2.tokenIssued('x"}\nevil');
    sinks.oauth2.tokenError('invalid_client');
    sinks.oauth2.tokenError('made_up_error');
    const families = await read();
    expect(families.get('oauth2_tokens_issued_total')!.samples.map((s) => [s.labels.grant, s.value])).toEqual([
      ['client_credentials', 2], ['authorization_code', 1], ['other', 1],
    ]);
    expect(families.get('oauth2_token_errors_total')!.samples.map((s) => [s.labels.error, s.value])).toEqual([['invalid_client', 1], ['other', 1]]);
  });

  it('add bytes per disk, never throwing on a bad amount', async () => {
    const { sinks, read } = await setup();
    sinks.storage.bytesWritten('local', 1024);
    sinks.storage.bytesWritten('local', 1);
    sinks.storage.bytesRead('s3-eu', 5e9);
    expect(() => sinks.storage.bytesRead('local', Number.NaN)).not.toThrow();
    expect(() => sinks.storage.bytesRead('local', -5)).not.toThrow();
    sinks.storage.bytesRead('../../etc', 7);
    const families = await read();
    expect(sampleValue(families, 'storage_bytes_written_total', { disk: 'local' })).toBe(1025);
    expect(sampleValue(families, 'storage_bytes_read_total', { disk: 's3-eu' })).toBe(5e9);
    expect(sampleValue(families, 'storage_bytes_read_total', { disk: 'local' })).toBe(0);
    expect(sampleValue(families, 'storage_bytes_read_total', { disk: 'other' })).toBe(7);
  });
});
