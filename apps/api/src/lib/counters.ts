import { Redis, ReplyError, type Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** HIT_SCRIPT, called by its SHA (`defineCommand` below). */
    throttleHit(key: string, windowMs: number): Result<[number, number], Context>;
    /** UNHIT_SCRIPT, called by its SHA. */
    throttleUnhit(key: string): Result<number, Context>;
  }
}

/** A fixed-window counter: how many hits under `key` since the window opened, and when it closes. */
export interface Count {
  count: number;
  /** Milliseconds until the window closes (0 when there is no window). */
  resetMs: number;
}

export interface CounterStore {
  hit(key: string, windowMs: number): Promise<Count>;
  /** Takes back one hit of a window still open (never below zero, never opening one). */
  unhit(key: string): Promise<void>;
  peek(key: string): Promise<Count>;
  reset(key: string): Promise<void>;
  /** Sets `key` to `value` for `ttlMs` (read back with `peek`), replacing any count it had. */
  set(key: string, value: number, ttlMs: number): Promise<void>;
  close(): Promise<void>;
}

/** How many windows the process keeps at most (about 150 bytes each). */
const MAX_MEMORY_COUNTERS = 100_000;

/**
 * Counters of this process alone (no REDIS_URL, or Redis unreachable). At most `maxEntries`
 * windows: when full, the oldest window is dropped for a new one, so a flood of distinct keys costs
 * a bounded amount of memory (the price: under such a flood the oldest counts are forgotten early).
 */
export class MemoryCounters implements CounterStore {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    sweepEveryMs = 60_000,
    private readonly maxEntries = MAX_MEMORY_COUNTERS,
  ) {
    // Expired windows are dropped, so memory follows the number of recent attackers, not all time.
    this.sweeper = setInterval(() => this.sweep(), sweepEveryMs);
    this.sweeper.unref();
  }

  private live(key: string, now: number) {
    const window = this.windows.get(key);
    if (window && window.resetAt <= now) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }

  /** A new window under `key`, dropping the oldest ones while the store is full. */
  private open(key: string, windowMs: number, now: number) {
    const window = { count: 0, resetAt: now + windowMs };
    // Map keeps insertion order: the first key is the oldest window.
    while (this.windows.size >= this.maxEntries) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) break;
      this.windows.delete(oldest);
    }
    this.windows.set(key, window);
    return window;
  }

  // Synchronous work behind the Promise-returning interface the Redis store shares.
  hit(key: string, windowMs: number): Promise<Count> {
    const now = Date.now();
    const window = this.live(key, now) ?? this.open(key, windowMs, now);
    window.count += 1;
    return Promise.resolve({ count: window.count, resetMs: window.resetAt - now });
  }

  unhit(key: string): Promise<void> {
    const window = this.live(key, Date.now());
    if (window && window.count > 0) window.count -= 1;
    return Promise.resolve();
  }

  set(key: string, value: number, ttlMs: number): Promise<void> {
    this.windows.delete(key);
    this.open(key, ttlMs, Date.now()).count = value;
    return Promise.resolve();
  }

  peek(key: string): Promise<Count> {
    const now = Date.now();
    const window = this.live(key, now);
    return Promise.resolve(window ? { count: window.count, resetMs: window.resetAt - now } : { count: 0, resetMs: 0 });
  }

  reset(key: string): Promise<void> {
    this.windows.delete(key);
    return Promise.resolve();
  }

  /** How many windows are held (for the bound's test). */
  get size(): number {
    return this.windows.size;
  }

  sweep(): void {
    const now = Date.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    return Promise.resolve();
  }
}

const PREFIX = 'agentcaller:throttle:';

// INCR, open the window on the first hit only, and tell its remaining time: one round trip, atomic.
// Sent once per connection (EVAL loads it), then called by its SHA-1 (EVALSHA): Redis no longer
// receives and hashes the script's text on every throttled request. After a SCRIPT FLUSH or a
// restart Redis answers NOSCRIPT, and ioredis sends the text again (EVAL) and goes on by SHA.
// A key INCR refuses (written by something else: another type, or a string that is no integer) is
// replaced and its count starts again, as a DEL would: before, the error suspended Redis for every
// counter of the instance until the next probe.
const HIT_SCRIPT = `
local n = redis.pcall('INCR', KEYS[1])
if type(n) == 'table' then
  redis.call('DEL', KEYS[1])
  n = redis.call('INCR', KEYS[1])
end
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}`;

// DECR a counter that exists and is above zero, keeping its expiry; anything else is left alone.
const UNHIT_SCRIPT = `
local n = tonumber(redis.pcall('GET', KEYS[1]))
if n and n > 0 then redis.call('DECR', KEYS[1]) end
return 0`;

export interface Logger {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

/** How long a connection attempt to Redis may take; start-up waits at most this for the first. */
export const REDIS_CONNECT_TIMEOUT_MS = 2_000;

/** How long `/ready` and the recovery probe wait for Redis to take the probe's write. */
const REDIS_PING_TIMEOUT_MS = 250;
/** The probe's key: a write, not a PING, since a Redis that answers may still refuse every write. */
const PROBE_KEY = `${PREFIX}probe`;

/**
 * Replies about Redis's state, not about a key: out of memory, a read-only replica, too few replicas,
 * a failed save, still loading, busy. It answers PING but takes no counter: as good as down (round 14's
 * break test: under `maxmemory` the lockouts went unshared, with nothing logged and /ready "ok").
 */
const UNAVAILABLE_REPLY = /^(OOM|READONLY|NOREPLICAS|MISCONF|LOADING|BUSY|MASTERDOWN|CLUSTERDOWN|TRYAGAIN|NOAUTH|NOPERM)\b/;
const PROBE_EVERY_MS = 500;

/**
 * Counters in Redis, shared by every instance. While Redis cannot be reached, or stops answering
 * (a frozen process keeps its TCP connection open), each call falls back to this process's
 * counters (logged once per outage) without waiting on Redis again: a probe pings it every 500 ms
 * and the shared counters are used again, logged, as soon as it answers.
 */
export class ResilientCounters implements CounterStore {
  readonly redis: Redis;
  private readonly memory = new MemoryCounters();
  private degraded = false;
  /** Redis failed to answer in time: skip it until the probe hears from it. */
  private suspended = false;
  private probe: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    this.redis = new Redis(url, {
      lazyConnect: false,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
      commandTimeout: 500,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    this.redis.defineCommand('throttleHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    this.redis.defineCommand('throttleUnhit', { numberOfKeys: 1, lua: UNHIT_SCRIPT });
    this.redis.on('error', () => this.markDown('connection error'));
    this.redis.on('end', () => this.markDown('connection ended'));
    this.redis.on('ready', () => {
      this.suspended = false;
      this.recovered();
    });
  }

  /**
   * Resolves once the first connection is ready, or after `timeoutMs` (false): an instance then
   * starts counting in Redis from its first request, instead of in process until it connects.
   */
  connected(timeoutMs: number): Promise<boolean> {
    if (this.redis.status === 'ready') return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (ok: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(ok);
      };
      const onReady = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.redis.on('ready', onReady);
    });
  }

  get available(): boolean {
    return this.redis.status === 'ready' && !this.suspended;
  }

  /** For `/ready`: whether Redis takes the probe's write within REDIS_PING_TIMEOUT_MS right now. */
  async status(): Promise<'ok' | 'unavailable'> {
    if (this.redis.status !== 'ready') return 'unavailable';
    if (await this.ping()) return this.suspended ? 'unavailable' : 'ok';
    this.suspend('not answering in time, or refusing writes');
    return 'unavailable';
  }

  /** Whether Redis takes a write (a short-lived key) within REDIS_PING_TIMEOUT_MS. */
  private async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), REDIS_PING_TIMEOUT_MS);
    });
    try {
      const written = this.redis.set(PROBE_KEY, '1', 'PX', 1_000).then(
        () => true,
        () => false,
      );
      return await Promise.race([written, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private recovered() {
    if (this.degraded) this.log.info({}, 'redis is back: throttling counters are shared again');
    this.degraded = false;
  }

  private markDown(reason: string) {
    if (!this.degraded) this.log.warn({ reason }, 'redis unavailable: counting in process until it is back');
    this.degraded = true;
  }

  /** Stops sending counters to Redis until a probe PING is answered. */
  private suspend(reason: string) {
    this.markDown(reason);
    if (this.suspended || this.closed) return;
    this.suspended = true;
    const check = async () => {
      if (this.closed) return;
      if (this.redis.status === 'ready' && (await this.ping())) {
        this.suspended = false;
        this.recovered();
        return;
      }
      this.probe = setTimeout(() => void check(), PROBE_EVERY_MS);
      this.probe.unref();
    };
    this.probe = setTimeout(() => void check(), PROBE_EVERY_MS);
    this.probe.unref();
  }

  private async shared<T>(run: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (!this.available) {
      this.markDown(this.suspended ? 'not answering' : 'not connected');
      return fallback();
    }
    try {
      return await run();
    } catch (err) {
      // Redis answered, with an error about the data (a key of another type that someone else
      // wrote): it is up, and the other counters are fine; only this call is counted in process.
      // An error about its state (out of memory, read-only) suspends it like a timeout does.
      if (err instanceof ReplyError && !UNAVAILABLE_REPLY.test((err as Error).message)) {
        this.log.warn({ reason: String((err as Error).message).slice(0, 120) }, 'redis refused a counter command: counted in process this once');
        return fallback();
      }
      this.suspend((err as Error).message);
      return fallback();
    }
  }

  hit(key: string, windowMs: number): Promise<Count> {
    return this.shared(
      async () => {
        const [count, ttl] = await this.redis.throttleHit(PREFIX + key, windowMs);
        return { count, resetMs: ttl };
      },
      () => this.memory.hit(key, windowMs),
    );
  }

  unhit(key: string): Promise<void> {
    return this.shared(
      async () => {
        await this.redis.throttleUnhit(PREFIX + key);
      },
      () => this.memory.unhit(key),
    );
  }

  peek(key: string): Promise<Count> {
    return this.shared(
      async () => {
        const [value, ttl] = await Promise.all([this.redis.get(PREFIX + key), this.redis.pttl(PREFIX + key)]);
        // A value that is no whole number (someone else's) counts as none.
        const count = Number(value);
        return value === null || !Number.isSafeInteger(count) ? { count: 0, resetMs: 0 } : { count, resetMs: Math.max(ttl, 0) };
      },
      () => this.memory.peek(key),
    );
  }

  reset(key: string): Promise<void> {
    return this.shared(
      async () => {
        await this.redis.del(PREFIX + key);
        await this.memory.reset(key);
      },
      () => this.memory.reset(key),
    );
  }

  set(key: string, value: number, ttlMs: number): Promise<void> {
    return this.shared(
      async () => {
        await this.redis.set(PREFIX + key, value, 'PX', ttlMs);
        await this.memory.reset(key);
      },
      () => this.memory.set(key, value, ttlMs),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.probe);
    await this.memory.close();
    this.redis.disconnect();
  }
}
