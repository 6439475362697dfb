export { Metrics, DEFAULT_BUCKETS } from './metrics.js';
export type { MetricsOptions, MetricOptions, HistogramOptions } from './metrics.js';
export { MetricsError } from './errors.js';
export type { MetricsErrorCode } from './errors.js';
export { HttpMetrics, UNMATCHED_ROUTE, HTTP_DURATION_BUCKETS, OTHER_METHOD, normalizeMethod } from './http-metrics.js';
export type { HttpMetricsOptions, HttpObservation } from './http-metrics.js';
export { PROMETHEUS_TEXT_CONTENT_TYPE } from './exposition.js';
export type { Exposition } from './exposition.js';
