import { connect } from 'node:net';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientGone } from '../src/lib/request-end.js';

// clientGone answers "has the client left?" for the gates that hand a slot back (security.ts,
// fairness.ts) and for the queued hashes of sign-in and registration (HashSlots). Node destroys a
// request's stream once its body has been read, while the client still waits for the answer: the
// stream's `destroyed` says nothing about the client; its connection does.
const app = Fastify();
const seen: { waiting: boolean[]; left: boolean[] } = { waiting: [], left: [] };
let port: number;
let arrived: () => void;
let resume: () => void;

beforeAll(async () => {
  app.post('/slow', async (request: FastifyRequest) => {
    arrived();
    await new Promise((resolve) => setTimeout(resolve, 100));
    seen.waiting.push(clientGone(request));
    await new Promise<void>((resolve) => (resume = resolve));
    seen.left.push(clientGone(request));
    return { ok: true };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  port = (app.server.address() as { port: number }).port;
});
afterAll(() => app.close());

describe('clientGone', () => {
  it('is false while the client waits, its body read, and true once it has left', async () => {
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const socket = connect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.write('POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}');
    await reached;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(seen.waiting).toEqual([false]);
    socket.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    resume();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.left).toEqual([true]);
  });
});
