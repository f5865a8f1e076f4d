import { connect } from 'node:net';
import Fastify, { type FastifyRequest } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientGone, onRequestEnd } from '../src/lib/request-end.js';

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

// onRequestEnd: a request's slots come back when it is answered or when its client leaves, with no
// per-request listener (Fastify's onRequestAbort added a `close` listener to every request, which
// made V8 promote most of each request under load: docs/decisions.md, round 11).
describe('onRequestEnd', () => {
  async function serve(track: boolean) {
    const server = Fastify();
    const ended: string[] = [];
    const listeners: number[] = [];
    let release: () => void = () => {};
    if (track) onRequestEnd(server, (request) => ended.push(request.url));
    server.get('/quick', async (request) => {
      // Counted once the request's hooks have all run (Fastify adds its listener after them).
      await new Promise((resolve) => setImmediate(resolve));
      listeners.push(request.raw.listenerCount('close'));
      return { ok: true };
    });
    server.get('/held', async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return { ok: true };
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(server.server.address() as { port: number }).port}`;
    return { server, url, ended, listeners, release: () => release() };
  }

  it('runs once a request is answered, and adds no listener to the request', async () => {
    const bare = await serve(false);
    const tracked = await serve(true);
    try {
      for (const side of [bare, tracked]) for (let i = 0; i < 3; i++) expect((await fetch(`${side.url}/quick`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(tracked.ended).toEqual(['/quick', '/quick', '/quick']);
      // As many `close` listeners as Node and Fastify put there without any hook of ours.
      expect(tracked.listeners).toEqual(bare.listeners);
    } finally {
      await bare.server.close();
      await tracked.server.close();
    }
  });

  it('runs when the client leaves before its answer, once its connection has closed', async () => {
    const tracked = await serve(true);
    try {
      const { port } = tracked.server.server.address() as { port: number };
      const socket = connect({ host: '127.0.0.1', port });
      socket.on('error', () => {});
      socket.write('GET /quick HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /held HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const deadline = Date.now() + 2000;
      while (tracked.ended.length < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(tracked.ended).toEqual(['/quick']);
      socket.destroy();
      while (tracked.ended.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(tracked.ended).toEqual(['/quick', '/held']);
    } finally {
      tracked.release();
      await tracked.server.close();
    }
  });
});
