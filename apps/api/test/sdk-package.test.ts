// The agent lives in its own repository: the SDK and the contracts must install there from their
// packed tarballs (what `npm publish` would upload), without the workspace. This packs both with
// `pnpm pack`, installs the tarballs with npm into a throwaway project in the system's temp folder
// (their dependencies, typebox and @types/node, come from the npm registry), compiles the README's
// agent session as it ships in the package (examples/agent-session.ts) with tsc, strict and with
// library checks (with NodeNext and with the old node10 resolution), and runs it with Node (which
// strips its types) against a listening API and an API key.
//
// tsc's check of the installed declarations (typebox's own, ~350 files, are most of it) is ~20 s
// of CPU per configuration. It runs incrementally, from the state a previous run left in the
// system's temp folder (per TypeScript install): TypeScript re-checks every file whose text,
// options or TypeScript version changed (our packages' declarations whenever their source did),
// and keeps the result of the others, so its errors are exactly a full check's.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { appointments, calls } from '@agentcaller/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeClient, signUp, type Caller } from './fixtures.js';
import { startListening, type TestContext } from './helpers.js';

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const packages = fileURLToPath(new URL('../../../packages/', import.meta.url));
const tsc = require.resolve('typescript/bin/tsc');
const typesNodeVersion = (require('@types/node/package.json') as { version: string }).version;
/** tsc's incremental state of earlier runs, one folder per TypeScript install (its path is in the state). */
const tscState = join(tmpdir(), 'agentcaller-test-tsc', createHash('sha256').update(tsc).digest('hex').slice(0, 16));

/**
 * Checks `config` (strict, with library checks) with tsc, starting from the state an earlier run
 * saved, and saves the new state (written under a private name, then renamed) once it passes.
 */
async function checkWithTsc(project: string, config: string): Promise<void> {
  const state = `${config.replace(/\.json$/, '')}.tsbuildinfo`;
  try {
    copyFileSync(join(tscState, state), join(project, state));
  } catch {
    // No earlier run: a full check, saved below.
  }
  await run(process.execPath, [tsc, '-p', config, '--noEmit', '--incremental', '--tsBuildInfoFile', state], { cwd: project });
  mkdirSync(tscState, { recursive: true });
  const partial = join(tscState, `${state}.${process.pid}.${randomBytes(4).toString('hex')}`);
  copyFileSync(join(project, state), partial);
  renameSync(partial, join(tscState, state));
}

let ctx: TestContext & { baseUrl: string };
let project: string;
let person: Caller;
let key: string;

beforeAll(async () => {
  ctx = await startListening();
  project = mkdtempSync(join(tmpdir(), 'agentcaller-agent-'));
  person = await signUp(ctx.app, 'owner@example.com');
  // Open every day, no notice: tomorrow always has slots.
  const allDay = [{ start: '00:00', end: '24:00' }];
  const schedule = (await person.send('GET', '/v1/schedule')).json<Record<string, unknown>>();
  const put = await person.send('PUT', '/v1/schedule', { ...schedule, time_zone: 'UTC', minimum_notice_minutes: 0, weekly_hours: { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay } });
  expect(put.statusCode).toBe(200);
  const made = await person.send('POST', '/v1/api-keys', { name: 'phone agent' });
  key = made.json<{ key: string }>().key;
}, 60_000);

afterAll(async () => {
  await ctx?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the SDK and the contracts, packed and installed outside the workspace', () => {
  it('pack without workspace: leftovers or private, install with npm, check the agent session with tsc and run it with a key', async () => {
    // Side by side: each prepack compiles its own package from source.
    await Promise.all(['contracts', 'sdk'].map((name) => run('pnpm', ['pack', '--pack-destination', project], { cwd: join(packages, name) })));
    const sdkTarball = 'agentcaller-sdk-0.1.0.tgz';
    const contractsTarball = 'agentcaller-contracts-0.1.0.tgz';
    for (const tarball of [sdkTarball, contractsTarball]) {
      const { stdout } = await run('tar', ['-xzOf', join(project, tarball), 'package/package.json']);
      const manifest = JSON.parse(stdout) as { private?: boolean; dependencies?: Record<string, string> };
      expect(manifest.private, tarball).toBeUndefined();
      expect(stdout, tarball).not.toMatch(/workspace:|catalog:/);
      const { stdout: files } = await run('tar', ['-tzf', join(project, tarball)]);
      expect(files).toContain('package/dist/index.js');
      expect(files).toContain('package/dist/index.d.ts');
      // The incremental build's state stays home (files: "!dist/*.tsbuildinfo").
      expect(files).not.toContain('tsbuildinfo');
    }

    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({
        name: 'phone-agent',
        private: true,
        type: 'module',
        dependencies: { '@agentcaller/sdk': `file:./${sdkTarball}`, '@agentcaller/contracts': `file:./${contractsTarball}` },
        devDependencies: { '@types/node': typesNodeVersion },
      }),
    );
    // From npm's cache when it has them (the registry is asked only for what it lacks).
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: project, timeout: 150_000 });
    copyFileSync(join(project, 'node_modules/@agentcaller/sdk/examples/agent-session.ts'), join(project, 'agent-session.ts'));
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, lib: ['ES2023', 'DOM'], types: ['node'], skipLibCheck: false },
        files: ['agent-session.ts'],
      }),
    );
    // No custom conditions: tsc and Node resolve the packages' `types` and `default` exports.
    // A project still on the old resolution (`moduleResolution: node10`, TypeScript's `node`) reads
    // no `exports`: the top-level `types` and `main` let it compile too.
    writeFileSync(
      join(project, 'tsconfig.node10.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'ES2022', moduleResolution: 'node10', strict: true, noEmit: true, lib: ['ES2023', 'DOM'], types: ['node'], skipLibCheck: false },
        files: ['agent-session.ts'],
      }),
    );
    await Promise.all([checkWithTsc(project, 'tsconfig.json'), checkWithTsc(project, 'tsconfig.node10.json')]);

    // The queue: Ann asked to be called back an hour ago; Ben's call-back is tomorrow.
    const ann = await makeClient(person, 'Ann Lee', '+14155550123');
    const ben = await makeClient(person, 'Ben Ode', '+14155550124');
    const hour = 3600_000;
    for (const [client, at] of [[ann, Date.now() - hour], [ben, Date.now() + 24 * hour]] as const) {
      const res = await person.send('POST', '/v1/calls', { client_id: client.id, started_at: new Date(Date.now() - 2 * hour).toISOString(), duration_seconds: 30, outcome: 'call_back', call_back_at: new Date(at).toISOString() });
      expect(res.statusCode).toBe(201);
    }

    // Run as checked, by Node itself (its type stripping: on by default from Node 22.18 and 23.6,
    // behind a flag from 22.12), instead of a third tsc process emitting JavaScript first.
    const stripTypes = process.features.typescript ? [] : ['--experimental-strip-types'];
    const { stdout } = await run(process.execPath, [...stripTypes, 'agent-session.ts'], { cwd: project, env: { ...process.env, AGENTCALLER_URL: ctx.baseUrl, AGENTCALLER_API_KEY: key }, timeout: 30_000 });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toContain('calling Ann Lee at +14155550123');
    const result = JSON.parse(lines.at(-1)!) as { client: number; outcome: string; appointment: string };
    expect(result).toMatchObject({ client: ann.id, outcome: 'booked' });
    expect(lines).toHaveLength(2);

    // What the agent did is in the database, as its user's: an appointment and a booked call
    // linked to it; Ann has left the queue, Ben was not called.
    const [booked] = await ctx.app.db.select().from(appointments).where(eq(appointments.clientId, ann.id));
    expect(booked?.startsAt.toISOString()).toBe(result.appointment);
    expect(booked?.ownerId).toBe(person.id);
    const annCalls = await ctx.app.db.select().from(calls).where(eq(calls.clientId, ann.id));
    expect(annCalls.map((c) => c.outcome).sort()).toEqual(['booked', 'call_back']);
    expect(annCalls.find((c) => c.outcome === 'booked')?.appointmentId).toBe(booked?.id);
    expect((await ctx.app.db.select().from(calls).where(eq(calls.clientId, ben.id))).length).toBe(1);
    expect((await person.send('GET', '/v1/calls/due')).json<{ items: unknown[] }>().items).toEqual([]);
    // The README shows this very session.
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(readFileSync(join(packages, 'sdk/examples/agent-session.ts'), 'utf8').trim());
  }, 240_000);
});
