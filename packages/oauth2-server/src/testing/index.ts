export { storeContract } from './store-contract.js';
export { startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';
export { ThrowawayRedis } from './throwaway-redis.js';
export { freePort } from './free-port.js';
