import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AccountGate } from '../lib/account-gate.js';
import { clientGone, onRequestEnd } from '../lib/request-end.js';
import { HEAVY_PER_ACCOUNT, HEAVY_QUEUE_PER_ACCOUNT, POOL_WAIT_MS, WRITE_QUEUE_PER_ACCOUNT, WRITES_PER_ACCOUNT } from '../routes/limits.js';
import { userOf } from './auth.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** preHandler of heavy reads: waits for one of the account's few slots (see AccountGate). */
    // A function property, not a method: routes pass it as a hook without `this` (unbound-method).
    heavy: (request: FastifyRequest) => Promise<void>;
    /** preHandler of every signed-in write: waits for one of the account's write slots. */
    write: (request: FastifyRequest) => Promise<void>;
    accountGate: AccountGate;
    writeGate: AccountGate;
  }
  interface FastifyRequest {
    /** The account whose heavy slot this request holds, released when it ends. */
    heavySlot: number | null;
    /** The account whose write slot this request holds, released when it ends. */
    writeSlot: number | null;
  }
}

/**
 * One account's flood of lists cannot take the database from every other account, nor can its
 * writes: writes held by a lock on that account's rows (an operator's `SELECT … FOR UPDATE`, or
 * one calendar's writers, which queue on its advisory lock anyway) hold at most WRITES_PER_ACCOUNT
 * of the pool's connections; the rest wait here, not on a connection.
 */
export default fp(
  async function fairnessPlugin(app: FastifyInstance) {
    const heavy = new AccountGate(HEAVY_PER_ACCOUNT, HEAVY_QUEUE_PER_ACCOUNT, POOL_WAIT_MS);
    const writes = new AccountGate(WRITES_PER_ACCOUNT, WRITE_QUEUE_PER_ACCOUNT, POOL_WAIT_MS);
    app.decorate('accountGate', heavy);
    app.decorate('writeGate', writes);
    app.decorateRequest('heavySlot', null);
    app.decorateRequest('writeSlot', null);
    const release = (request: FastifyRequest) => {
      if (request.heavySlot !== null) {
        heavy.release(request.heavySlot);
        request.heavySlot = null;
      }
      if (request.writeSlot !== null) {
        writes.release(request.writeSlot);
        request.writeSlot = null;
      }
    };
    app.decorate('heavy', async (request: FastifyRequest) => {
      const account = userOf(request).id;
      await heavy.acquire(account);
      request.heavySlot = account;
      // The client left while this waited: hand the slot on at once.
      if (clientGone(request)) release(request);
    });
    app.decorate('write', async (request: FastifyRequest) => {
      const account = userOf(request).id;
      await writes.acquire(account);
      request.writeSlot = account;
      if (clientGone(request)) release(request);
    });
    // Every request passes here, heavy, writing or not.
    onRequestEnd(app, release);
  },
  { name: 'fairness', dependencies: ['auth'] },
);
