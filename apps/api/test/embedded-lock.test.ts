// Two API processes on one embedded database folder: the second refuses to start, naming the first
// (issue 10, item 12). Before, both answered 201 with the same ids and the last to stop won.
import { join } from 'node:path';
import { writeDataDir } from '@agentcaller/db/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from './helpers.js';
import { killAll, removeTempDirs, runToExit, startServer, tempDir } from './process.js';

afterAll(() => {
  killAll();
  removeTempDirs();
});

describe('one process per embedded database', () => {
  it('a second server on the same DATA_DIR exits 1 with one line naming the holder; the first keeps its writes', async () => {
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'warn', SECRET_KEY: TEST_SECRET, DATA_DIR: tempDir('agentcaller-lock-') };
    // A migrated database already in the folder (server.test.ts starts one from nothing): this test
    // is about the lock, and creating a database costs seconds of CPU.
    await writeDataDir(join(env.DATA_DIR, 'pglite'), 'migrated');
    const first = await startServer(env);
    try {
      const second = await runToExit({ ...env, PORT: '0', HOST: '127.0.0.1' });
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`^error: the embedded database .*pglite is in use by process ${first.child.pid} `, 'm'));
      const res = await fetch(`${first.url}/v1/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'kept@example.com', password: 'correct horse battery' }),
      });
      expect(res.status).toBe(201);
    } finally {
      await first.stop('SIGTERM');
    }
    // Released on a clean stop: the next start opens the folder and finds the user.
    const again = await startServer(env);
    try {
      const login = await fetch(`${again.url}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'username=kept%40example.com&password=correct%20horse%20battery',
      });
      expect(login.status).toBe(200);
    } finally {
      await again.stop('SIGTERM');
    }
  }, 120_000);
});
