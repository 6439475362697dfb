import type { Registry } from 'prom-client';

/** Prometheus text exposition format 0.0.4, the format every Prometheus server accepts. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface Exposition {
  readonly contentType: string;
  readonly body: string;
}

export async function renderText(registry: Registry): Promise<Exposition> {
  return { contentType: PROMETHEUS_TEXT_CONTENT_TYPE, body: await registry.metrics() };
}
