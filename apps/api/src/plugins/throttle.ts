import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.js';

/** What the throttle plugin reads of the configuration, and nothing else. */
type ThrottleOptions = Pick<Config, 'redisUrl' | 'throttle'>;
import { MemoryCounters, REDIS_CONNECT_TIMEOUT_MS, ResilientCounters, type CounterStore } from '../lib/counters.js';
import { Throttle } from '../services/throttle.js';

declare module 'fastify' {
  interface FastifyInstance {
    throttle: Throttle;
    /** 'not configured' without REDIS_URL; otherwise whether Redis answers a PING right now (250 ms). */
    redisStatus(): Promise<'ok' | 'unavailable' | 'not configured'>;
  }
}

/** Throttling counters: in Redis when REDIS_URL is set (shared by every instance), else in process. */
export default fp(
  async function throttlePlugin(app: FastifyInstance, opts: ThrottleOptions) {
    let counters: CounterStore;
    if (opts.redisUrl) {
      const shared = new ResilientCounters(opts.redisUrl, app.log);
      counters = shared;
      app.decorate('redisStatus', () => shared.status());
      // Listening waits (at most the connect timeout) for the first connection to Redis, so the
      // first requests are counted where every instance sees them. Redis down at start delays
      // start-up by that much, then the instance counts in process (logged) until it is back.
      app.addHook('onReady', async () => {
        await shared.connected(REDIS_CONNECT_TIMEOUT_MS);
      });
    } else {
      counters = new MemoryCounters();
      app.decorate('redisStatus', async () => 'not configured' as const);
    }
    app.decorate('throttle', new Throttle(counters, opts.throttle));
    app.addHook('onClose', async () => {
      await counters.close();
    });
  },
  { name: 'throttle' },
);
