// Imported first by server.ts, before any module can queue work on libuv's thread pool (which reads
// UV_THREADPOOL_SIZE once, when its first task arrives).
import { availableParallelism } from 'node:os';

/**
 * libuv's pool runs the password hashes, at most one per core (HashSlots). Each thread that ever
 * hashed keeps argon2's 19 MiB in its own malloc arena, reused by its next hash: libuv's default of
 * four threads on two cores held 76 MiB for two hashes' worth of work (docs/decisions.md, "Memory").
 * One thread per core holds only what can run at once. An explicit UV_THREADPOOL_SIZE wins.
 */
process.env.UV_THREADPOOL_SIZE ??= String(availableParallelism());
