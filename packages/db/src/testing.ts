import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { parseDatabaseUrl } from './url.js';

export interface TestDatabase {
  /** The `DATABASE_URL` of a fresh, empty database. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh empty database for one test file: in-memory PGlite by default, or a new database on the
 * PostgreSQL server that `DATABASE_URL` points at (dropped afterwards).
 */
export async function createTestDatabase(env: string | undefined = process.env.DATABASE_URL): Promise<TestDatabase> {
  if (!env || env.startsWith('memory:')) return { url: 'memory://', drop: async () => {} };
  const target = parseDatabaseUrl(env, '');
  if (target.kind !== 'postgres') return { url: 'memory://', drop: async () => {} };
  const name = `ac_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(target.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(target.url);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const again = postgres(target.url, { max: 1, onnotice: () => {} });
      try {
        await again.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await again.end();
      }
    },
  };
}
