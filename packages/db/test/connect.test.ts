import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connect, IN_MEMORY_SHARED_BUFFERS, ON_DISK_SHARED_BUFFERS, queryRows, type Connection } from '../src/index.js';
import { createTestDatabase, writeDataDir } from '../src/testing.js';
import { open, sql } from './helpers.js';

/** The buffer pool the database was started with. */
async function sharedBuffers(c: Connection): Promise<string | undefined> {
  const [row] = await queryRows<{ shared_buffers: string }>(c.db, sql`show shared_buffers`);
  return row?.shared_buffers;
}

describe('an in-memory PGlite', () => {
  it('keeps a small buffer pool: its pages are in memory already', async () => {
    const database = await createTestDatabase('memory://');
    const c = await open(database);
    try {
      expect(IN_MEMORY_SHARED_BUFFERS).toBe('16MB');
      expect(await sharedBuffers(c)).toBe(IN_MEMORY_SHARED_BUFFERS);
    } finally {
      await c.close();
      await database.drop();
    }
  });
});

describe('an embedded PGlite on disk', () => {
  it("keeps a 32 MB buffer pool, not PostgreSQL's 128 MB: the file cache holds the rest", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agentcaller-buffers-'));
    await writeDataDir(join(dir, 'pglite'), 'empty');
    const c = await connect({ kind: 'pglite', dataDir: join(dir, 'pglite') });
    try {
      expect(ON_DISK_SHARED_BUFFERS).toBe('32MB');
      expect(await sharedBuffers(c)).toBe(ON_DISK_SHARED_BUFFERS);
    } finally {
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
