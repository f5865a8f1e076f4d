import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, parseDatabaseUrl } from '../src/index.js';

const DEFAULT_DIR = '/var/lib/agentcaller/pglite';

function parseError(value: string): unknown {
  try {
    parseDatabaseUrl(value, DEFAULT_DIR);
  } catch (err) {
    return err;
  }
  throw new Error(`parseDatabaseUrl(${JSON.stringify(value)}) did not throw`);
}

describe('parseDatabaseUrl', () => {
  it('unset or empty means embedded PGlite in the default directory', () => {
    expect(parseDatabaseUrl(undefined, DEFAULT_DIR)).toEqual({ kind: 'pglite', dataDir: DEFAULT_DIR });
    expect(parseDatabaseUrl('', DEFAULT_DIR)).toEqual({ kind: 'pglite', dataDir: DEFAULT_DIR });
    expect(parseDatabaseUrl('   ', DEFAULT_DIR)).toEqual({ kind: 'pglite', dataDir: DEFAULT_DIR });
    expect(parseDatabaseUrl(undefined, '.data/pglite')).toEqual({ kind: 'pglite', dataDir: '.data/pglite' });
  });

  it('memory:// means a throwaway in-memory PGlite', () => {
    expect(parseDatabaseUrl('memory://', DEFAULT_DIR)).toEqual({ kind: 'pglite', dataDir: undefined });
    expect(parseDatabaseUrl('memory:', DEFAULT_DIR)).toEqual({ kind: 'pglite', dataDir: undefined });
  });

  it('postgres:// is kept as it is', () => {
    const url = 'postgres://app:s3cret@db.internal:5433/agentcaller?sslmode=require';
    expect(parseDatabaseUrl(url, DEFAULT_DIR)).toEqual({ kind: 'postgres', url });
    expect(parseDatabaseUrl(`  ${url}\n`, DEFAULT_DIR)).toEqual({ kind: 'postgres', url });
  });

  it.each([
    ['postgresql://app:s3cret@db.internal:5433/agentcaller?sslmode=require'],
    ['postgresql+psycopg://app:s3cret@db.internal:5433/agentcaller?sslmode=require'],
    ['postgresql+asyncpg://app:s3cret@db.internal:5433/agentcaller?sslmode=require'],
    ['postgresql+psycopg2://app:s3cret@db.internal:5433/agentcaller?sslmode=require'],
  ])('%s becomes postgres:// with the rest kept', (value) => {
    const target = parseDatabaseUrl(value, DEFAULT_DIR);
    expect(target).toEqual({
      kind: 'postgres',
      url: 'postgres://app:s3cret@db.internal:5433/agentcaller?sslmode=require',
    });
  });

  it('keeps a socket directory given as ?host= when the authority has no host', () => {
    expect(parseDatabaseUrl('postgresql:///agentcaller?host=/var/run/postgresql', DEFAULT_DIR)).toEqual({
      kind: 'postgres',
      url: 'postgres:///agentcaller?host=/var/run/postgresql',
    });
  });

  it.each([
    ['mysql://app:s3cret@db.internal/agentcaller'],
    ['sqlite:///app.db'],
    ['garbage'],
    ['db.internal:5432/agentcaller'],
    ['http://db.internal/agentcaller'],
    ['postgres://'],
    ['postgresql+psycopg://'],
    ['postgres:///agentcaller'],
  ])('%s throws DatabaseUrlError', (value) => {
    const err = parseError(value);
    expect(err).toBeInstanceOf(DatabaseUrlError);
    expect(err).toBeInstanceOf(Error);
  });

  it('does not echo the URL (it may hold a password) in the error', () => {
    const err = parseError('mysql://app:s3cret@db.internal/agentcaller');
    expect(err).toBeInstanceOf(DatabaseUrlError);
    expect((err as Error).message).not.toContain('s3cret');
  });
});
