import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Runs `release` once a request has ended, answered (onResponse) or abandoned by its client
 * (onRequestAbort), as callback hooks: no promise and no microtask per request, on every request.
 */
export function onRequestEnd(app: FastifyInstance, release: (request: FastifyRequest) => void): void {
  app.addHook('onResponse', (request, _reply, done) => {
    release(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    release(request);
    done();
  });
}

/**
 * Whether the request's client has gone: its connection is closed. Not `request.raw.destroyed`: Node
 * destroys the request stream once its body has been read, while the client still waits.
 */
export function clientGone(request: FastifyRequest): boolean {
  return request.raw.socket?.destroyed === true;
}
