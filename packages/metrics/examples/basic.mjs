// Run after `npx tsc -b packages/metrics`: node packages/metrics/examples/basic.mjs
import { Metrics } from '../dist/index.js';

const metrics = new Metrics({ defaultLabels: { service: 'example' }, processMetrics: false });

const jobs = metrics.counter({ name: 'jobs_processed_total', help: 'Jobs processed.', labelNames: ['result'] });
const queue = metrics.gauge({ name: 'queue_depth', help: 'Jobs waiting.' });
const latency = metrics.histogram({ name: 'job_duration_seconds', help: 'Time to run a job.', buckets: [0.01, 0.1, 1] });

queue.set(3);
for (let i = 0; i < 3; i++) {
  const stop = latency.startTimer();
  await new Promise((resolve) => setTimeout(resolve, 5));
  stop();
  queue.dec();
  jobs.inc({ result: 'ok' });
}
jobs.incBy(2, { result: 'failed' });
latency.observe(0.5);

console.log('ok jobs:', await jobs.get({ result: 'ok' }), '| queue:', await queue.get());

// The same registry asking for the same metric gets the same object back.
console.log('get-or-create:', metrics.counter({ name: 'jobs_processed_total', help: 'Jobs processed.', labelNames: ['result'] }) === jobs);

const text = await metrics.scrape();
console.log(`\n${text.contentType}\n${text.body}`);
const om = await metrics.scrape({ accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' });
console.log(`${om.contentType}\n${om.body}`);
metrics.close();
