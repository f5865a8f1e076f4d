// The machine's ceiling for password checks: one argon2id hash with the API's parameters, timed on
// one core (one hash at a time), gives cores / time hashes per second at best.
import { availableParallelism } from 'node:os';
import { ARGON2_PARAMETERS } from '@agentcaller/db';
import argon2 from 'argon2';

/** The API's parameters (one copy, in @agentcaller/db). */
const ARGON2_OPTIONS = { type: argon2.argon2id, ...ARGON2_PARAMETERS } as const;

export interface Argon2Bound {
  hashes: number;
  /** Milliseconds per hash on one core (median of the timed hashes). */
  hashMs: number;
  cores: number;
  /** cores / hashMs, per second. */
  boundPerSecond: number;
  /** Measured: `cores` hashes at a time, hashes per second (shows whether the cores scale). */
  parallelPerSecond: number;
  /** The same rate measured right before the sign-in flood and right after the sign-up flood. */
  aroundFloods?: { before: number; after: number } | undefined;
}

export async function measureArgon2(hashes: number): Promise<Argon2Bound> {
  const cores = availableParallelism();
  const password = 'bench-password-123';
  for (let i = 0; i < 2; i++) await argon2.hash(password, ARGON2_OPTIONS); // warm-up
  const times: number[] = [];
  for (let i = 0; i < hashes; i++) {
    const began = performance.now();
    await argon2.hash(password, ARGON2_OPTIONS);
    times.push(performance.now() - began);
  }
  times.sort((a, b) => a - b);
  const hashMs = times[Math.floor(times.length / 2)]!;

  const parallelPerSecond = await measureParallelHashing(3 * hashes);
  return { hashes, hashMs, cores, boundPerSecond: (cores * 1000) / hashMs, parallelPerSecond };
}

/**
 * The rate sign-ins are judged against: one hash per core at a time, `total` hashes, per second.
 * Measured at the start of a run, and again right before the sign-in flood and right after the
 * sign-up flood (phases/auth.ts), since the machine's speed moves within a run.
 */
export async function measureParallelHashing(total: number): Promise<number> {
  const password = 'bench-password-123';
  // One untimed hash per core first: each thread's first hash allocates its memory.
  await Promise.all(Array.from({ length: availableParallelism() }, () => argon2.hash(password, ARGON2_OPTIONS)));
  const began = performance.now();
  let done = 0;
  const worker = async () => {
    while (done < total) {
      done++;
      await argon2.hash(password, ARGON2_OPTIONS);
    }
  };
  await Promise.all(Array.from({ length: availableParallelism() }, worker));
  return done / ((performance.now() - began) / 1000);
}
