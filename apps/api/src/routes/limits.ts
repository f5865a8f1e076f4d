import { BODY_LIMIT_BYTES } from '@agentcaller/contracts';

/** Request bodies over 1 MiB are refused with 413. */
export const BODY_LIMIT = BODY_LIMIT_BYTES;

/**
 * The bytes of request bodies an instance holds at once, counted as they arrive, until each request
 * is answered: the chunk that would go past it fails its body with 503 `at-capacity` and the
 * connection closes. Bodies still arriving hold no in-flight slot (MAX_IN_FLIGHT counts a request
 * once its body is in), so without this, connections sending 1 MiB bodies and holding them held
 * ~1 MiB each, without bound (round 9's break test: 500 of them, 670 MB).
 */
export const BODY_BYTES_RECEIVING = 32 * BODY_LIMIT;

/**
 * The part of BODY_BYTES_RECEIVING one account may hold (for a caller without credentials, one
 * source address): past it that holder's chunk fails its body with 503 `at-capacity`, and the
 * connection closes. One free account's 33 bodies of 1 MiB made every write of an instance 503
 * (round 12's break test); filling the bound now takes eight accounts, or ~4,100 sign-up bodies of
 * 8 KiB from eight addresses.
 */
export const BODY_BYTES_PER_HOLDER = BODY_BYTES_RECEIVING / 8;

/**
 * No statement of a request runs longer than this on PostgreSQL: a list or count over a huge
 * calendar is cut off (503) instead of holding a pooled connection for as long as it takes.
 */
export const STATEMENT_TIMEOUT_MS = 10_000;

/**
 * No statement of a request waits longer than this for a lock on PostgreSQL (55P03, answered 503):
 * while an operator's LOCK TABLE or a migration holds a table, requests fail after 3 s and give
 * their connections back, instead of holding them for the statement timeout (round 16's break test).
 */
export const LOCK_TIMEOUT_MS = 3_000;

/**
 * No query of a request waits longer than this for one of the pool's connections (503
 * `unavailable`): with every connection busy, requests behind them were answered after two or three
 * statement timeouts (round 16's break test). A read postgres-js pipelines behind a busy
 * connection's running statement waits at most this for its turn too (docs/decisions.md,
 * "Statements pipelined behind a lock"); so does a request for one of its account's slots
 * (AccountGate).
 */
export const POOL_WAIT_MS = 3_000;

/** The longest a sign-in or sign-up waits for a password-hashing slot (503 at-capacity after it). */
export const HASH_QUEUE_WAIT_MS = 4_000;

/**
 * Heavy reads (lists, availability) one account runs at once; more wait in a queue of at most
 * `HEAVY_QUEUE_PER_ACCOUNT`, and beyond that are 429. One account cannot hold the pool's connections
 * while others wait (issue 10, item 10).
 */
export const HEAVY_PER_ACCOUNT = 2;
export const HEAVY_QUEUE_PER_ACCOUNT = 8;

/**
 * Signed-in writes one account runs at once per instance; more wait in a queue of at most
 * `WRITE_QUEUE_PER_ACCOUNT` (429 beyond), each at most POOL_WAIT_MS (503 `unavailable` after).
 * Round 16's re-check: one account's writes, blocked by an operator's lock on its row, took the
 * pool's connections for the lock timeout, and other accounts' requests got 503. Now such an
 * account holds at most 3 of the 10; a healthy account's burst of writes queues here for
 * milliseconds (one calendar's writers run one at a time on its advisory lock anyway).
 */
export const WRITES_PER_ACCOUNT = 3;
export const WRITE_QUEUE_PER_ACCOUNT = 64;
