// The yardstick: bare Fastify answering a static JSON route, nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/static', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${app.server.address().port}` }) + '\n');
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
