import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';

type Release = (request: FastifyRequest) => void;

/** The requests of a connection not yet answered, kept on the connection itself. */
const OPEN = Symbol('requests of this connection not yet answered');
type TrackedSocket = Socket & { [OPEN]?: FastifyRequest[] };

/** Per server: what runs when one of its requests ends. */
const releasesOf = new WeakMap<object, Release[]>();

/**
 * Runs `release` once a request has ended: answered (onResponse), or abandoned by its client (its
 * connection closed first). Callback hooks: no promise and no microtask per request.
 *
 * Not Fastify's onRequestAbort: with any such hook, Fastify adds a `close` listener, a closure over
 * the request and its reply, to every request. Under load (the /me flood, 50 connections) V8 then
 * promoted ~5 KB of every request to the old generation, and a process could settle in a state of
 * a full collection every half second at half its throughput (docs/decisions.md, round 11). One
 * listener per connection does the same work: it releases whatever that connection left unanswered.
 * `release` may run twice for a request (its client left, then its answer was written): it must
 * give back only what the request still holds.
 */
export function onRequestEnd(app: FastifyInstance, release: Release): void {
  const existing = releasesOf.get(app.server);
  if (existing) {
    existing.push(release);
    return;
  }
  const releases: Release[] = [release];
  releasesOf.set(app.server, releases);
  const ended = (request: FastifyRequest) => {
    for (const run of releases) run(request);
  };
  app.addHook('onRequest', (request, _reply, done) => {
    const socket = request.raw.socket as TrackedSocket | null;
    // Gone already: the hooks that take a slot see it (clientGone) and give it back at once.
    if (socket && !socket.destroyed) {
      let open = socket[OPEN];
      if (!open) {
        // An array, not a Set: it holds one request at a time (more only when a client pipelines),
        // and taking it out reallocates nothing (a Set's table shrinks into a new one).
        const tracked: FastifyRequest[] = [];
        open = socket[OPEN] = tracked;
        socket.once('close', () => {
          for (const left of tracked.splice(0)) ended(left);
        });
      }
      open.push(request);
    }
    done();
  });
  app.addHook('onResponse', (request, _reply, done) => {
    const open = (request.raw.socket as TrackedSocket | null)?.[OPEN];
    if (open) {
      const at = open.lastIndexOf(request);
      if (at === open.length - 1) open.pop();
      else if (at !== -1) open.splice(at, 1);
    }
    ended(request);
    done();
  });
}

/**
 * Whether the request's client has gone: its connection is closed. Not `request.raw.destroyed`: Node
 * destroys a request's stream once its body has been read, while the client still waits.
 */
export function clientGone(request: FastifyRequest): boolean {
  return request.raw.socket?.destroyed === true;
}
