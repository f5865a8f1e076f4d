import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AccountGate } from '../lib/account-gate.js';
import { clientGone, onRequestEnd } from '../lib/request-end.js';
import { HEAVY_PER_ACCOUNT, HEAVY_QUEUE_PER_ACCOUNT } from '../routes/limits.js';
import { userOf } from './auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler of heavy reads: waits for one of the account's few slots (see AccountGate). */
    // A function property, not a method: routes pass it as a hook without `this` (unbound-method).
    heavy: (request: FastifyRequest) => Promise<void>;
    accountGate: AccountGate;
  }
  interface FastifyRequest {
    /** The account whose heavy slot this request holds, released when it ends. */
    heavySlot: number | null;
  }
}

/** One account's flood of lists cannot take the database from every other account. */
export default fp(
  async function fairnessPlugin(app: FastifyInstance) {
    const gate = new AccountGate(HEAVY_PER_ACCOUNT, HEAVY_QUEUE_PER_ACCOUNT);
    app.decorate('accountGate', gate);
    app.decorateRequest('heavySlot', null);
    const release = (request: FastifyRequest) => {
      if (request.heavySlot !== null) {
        gate.release(request.heavySlot);
        request.heavySlot = null;
      }
    };
    app.decorate('heavy', async (request: FastifyRequest) => {
      const account = userOf(request).id;
      await gate.acquire(account);
      request.heavySlot = account;
      // The client left while this waited: hand the slot on at once.
      if (clientGone(request)) release(request);
    });
    // Every request passes here, heavy or not.
    onRequestEnd(app, release);
  },
  { name: 'fairness', dependencies: ['auth'] },
);
