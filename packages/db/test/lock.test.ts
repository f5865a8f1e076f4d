import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { connect, DataDirLockedError, databaseTargetOf, dataDirOf, lockDataDir, users } from '../src/index.js';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ac-lock-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const PACKAGE = fileURLToPath(new URL('..', import.meta.url));

/** Another process holding the folder, started as `pnpm <script>` would start it. */
function holderProcess(dataDir: string, script: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '-e', `import('./src/lock.ts').then(async ({ lockDataDir }) => { await lockDataDir(${JSON.stringify(dataDir)}); console.log('held'); setInterval(() => {}, 1000); });`],
    { cwd: PACKAGE, env: { ...process.env, npm_lifecycle_event: script }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const held = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolve());
    child.on('exit', (code) => reject(new Error(`holder exited ${code}`)));
  });
  return { child, held };
}

// Issue 10, item 12: one process per embedded database folder, and one folder for every command.
describe('the embedded database folder is locked', () => {
  it('a second connection to the folder is refused, naming the holder, until the first closes', async () => {
    const dataDir = join(tempDir(), 'pglite');
    const first = await connect({ kind: 'pglite', dataDir });
    try {
      await first.db.select().from(users).limit(1).catch(() => undefined);
      const refused = await connect({ kind: 'pglite', dataDir }).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(DataDirLockedError);
      expect((refused as DataDirLockedError).holder?.pid).toBe(process.pid);
      expect((refused as Error).message).toContain(`process ${process.pid}`);
      expect((refused as Error).message).toContain(dataDir);
    } finally {
      await first.close();
    }
    const again = await connect({ kind: 'pglite', dataDir });
    await again.close();
  }, 60_000);

  it('another process holding it is named, and `pnpm dev` is called by its name', async () => {
    const dataDir = join(tempDir(), 'pglite');
    const { child, held } = holderProcess(dataDir, 'dev');
    try {
      await held;
      const refused = await lockDataDir(dataDir).then(
        () => undefined,
        (err: unknown) => err as DataDirLockedError,
      );
      expect(refused).toBeInstanceOf(DataDirLockedError);
      expect(refused!.holder).toMatchObject({ pid: child.pid, command: 'pnpm dev' });
      expect(refused!.message).toMatch(new RegExp(`in use by process ${child.pid} \\(pnpm dev, running since `));
      expect(refused!.message).toContain('Stop `pnpm dev` first');
    } finally {
      child.kill('SIGKILL');
    }
    // A holder that died leaves no lock behind.
    await new Promise((resolve) => child.once('exit', resolve));
    const release = await lockDataDir(dataDir);
    await release();
  }, 60_000);
});

describe('one default location', () => {
  it('every command finds the same folder, from whichever working directory', () => {
    const before = process.cwd();
    const seen = new Set<string>();
    try {
      for (const dir of [PACKAGE, join(PACKAGE, '..', '..'), join(PACKAGE, '..', '..', 'apps', 'api'), tmpdir()]) {
        process.chdir(dir);
        seen.add(JSON.stringify(databaseTargetOf({})));
      }
    } finally {
      process.chdir(before);
    }
    expect([...seen]).toEqual([JSON.stringify({ kind: 'pglite', dataDir: join(PACKAGE, '..', '..', 'apps', 'api', '.data', 'pglite') })]);
    expect(dataDirOf({ DATA_DIR: '/srv/ac' })).toBe('/srv/ac');
  });
});
