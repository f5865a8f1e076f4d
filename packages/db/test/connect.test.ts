import { describe, expect, it } from 'vitest';
import { IN_MEMORY_SHARED_BUFFERS, queryRows } from '../src/index.js';
import { createTestDatabase } from '../src/testing.js';
import { open, sql } from './helpers.js';

describe('an in-memory PGlite', () => {
  it('keeps a small buffer pool: its pages are in memory already', async () => {
    const database = await createTestDatabase('memory://');
    const c = await open(database);
    try {
      const [row] = await queryRows<{ shared_buffers: string }>(c.db, sql`show shared_buffers`);
      expect(IN_MEMORY_SHARED_BUFFERS).toBe('16MB');
      expect(row?.shared_buffers).toBe(IN_MEMORY_SHARED_BUFFERS);
    } finally {
      await c.close();
      await database.drop();
    }
  });
});
