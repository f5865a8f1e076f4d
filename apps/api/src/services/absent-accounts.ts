import { createHmac } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { queryRows, users, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { dummyBcryptHash, MAX_BCRYPT_COST, verifyDummy, verifyDummyBcrypt, type Argon2Parameters } from '../lib/passwords.js';

/** The mix of password hashes in the database: the share still on legacy bcrypt, and its cost. */
interface HashMix {
  bcryptShare: number;
  bcryptCost: number;
}

/** How old the mix may be: a bcrypt hash another program (the original service) stores is seen within this. */
const REFRESH_MS = 60_000;

/** A refused sign-in lasts at least this many times the usual bcrypt verification, while bcrypt hashes remain. */
const REFUSAL_FLOOR_MARGIN = 1.2;

/**
 * What an unknown email costs at sign-in. Real accounts cost one argon2 verification (~25 ms) or,
 * still on the original service's bcrypt, one bcrypt verification (~180 ms at cost 12). An unknown
 * email costs what a real account of this database would: a fixed share of addresses (chosen by a
 * keyed hash of the address, so one address always costs the same on every instance) takes the
 * bcrypt path, that share being the database's own share of bcrypt hashes (issue 10, item 13).
 */
export class AbsentAccounts {
  private mix: HashMix | undefined;
  private loading: Promise<HashMix> | undefined;
  private loadedAt = 0;
  /** How long a bcrypt verification at the database's cost takes on this machine (ms, a moving average). */
  private bcryptMs: number | undefined;
  /** A bcrypt hash was verified or made since the mix was read: refusals wait for bcrypt's time. */
  private bcryptSeen = false;

  constructor(
    private readonly db: Database,
    private readonly key: string,
    private readonly argon2Parameters: Argon2Parameters,
  ) {}

  /** Spends the time a real account with this email would take to refuse `password`. */
  async verify(canonicalEmail: string, password: string): Promise<void> {
    const mix = await this.current();
    if (mix.bcryptShare > 0 && this.position(canonicalEmail) < mix.bcryptShare) await this.timedBcrypt(() => verifyDummyBcrypt(password, mix.bcryptCost));
    else await verifyDummy(password, this.argon2Parameters);
  }

  /**
   * Runs a bcrypt verification or hash (a real account's, a new password's, or the dummy's), noting
   * how long it took. It also tells refusalFloor that the database holds a bcrypt hash from now on,
   * without waiting for the next read of the mix (a hash this server made, or an account the
   * original service added since that read).
   */
  async timedBcrypt<T>(work: () => Promise<T>): Promise<T> {
    const began = performance.now();
    const result = await work();
    const took = performance.now() - began;
    this.bcryptMs = this.bcryptMs === undefined ? took : 0.8 * this.bcryptMs + 0.2 * took;
    this.bcryptSeen = true;
    return result;
  }

  /**
   * Waits until a refused sign-in that began at `began` (performance.now()) has lasted what a
   * bcrypt verification does, while any account of the database is still on a bcrypt hash. An
   * argon2 account or an unknown email is refused ~8x sooner than a bcrypt account otherwise, and
   * that told which addresses are accounts not yet signed in since the move from the original
   * (break test of 2026-12-04). A wait, not work: it holds no hashing slot and no CPU.
   */
  async refusalFloor(began: number): Promise<void> {
    const mix = await this.current();
    if ((mix.bcryptShare === 0 && !this.bcryptSeen) || this.bcryptMs === undefined) return;
    const wait = began + REFUSAL_FLOOR_MARGIN * this.bcryptMs - performance.now();
    if (wait > 0) await sleep(wait);
  }

  /**
   * Reads the mix and makes (and times) the bcrypt dummy now, beside start-up, so the first
   * refused sign-in after a start costs what every later one does.
   */
  prepare(): Promise<HashMix> {
    return this.current();
  }

  /** Whether the mix has been read (by prepare at start-up, or by a refusal). */
  get prepared(): boolean {
    return this.mix !== undefined;
  }

  /** Where this address falls in [0, 1): the same for every instance sharing SECRET_KEY. */
  private position(canonicalEmail: string): number {
    const digest = createHmac('sha256', this.key).update(`absent:${canonicalEmail}`).digest();
    return digest.readUInt32BE(0) / 2 ** 32;
  }

  private async current(): Promise<HashMix> {
    const stale = Date.now() - this.loadedAt > REFRESH_MS;
    if (this.mix && !stale) return this.mix;
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    // The first sign-in waits for the mix; later ones use the last known mix while it refreshes.
    return this.mix ?? this.loading;
  }

  private async load(): Promise<HashMix> {
    // What the count below does not see yet (a bcrypt hash checked or made from now on) sets it again.
    this.bcryptSeen = false;
    const [row] = await queryRows<{ legacy: string | number; total: string | number; cost: string | null }>(
      this.db,
      sql`select count(*) filter (where ${users.hashedPassword} like '$2%') as legacy, count(*) as total,
                 (select substr(${users.hashedPassword}, 5, 2) from ${users} where ${users.hashedPassword} like '$2%' limit 1) as cost
            from ${users}`,
    );
    const total = Number(row?.total ?? 0);
    const cost = Number(row?.cost ?? 12);
    const mix = {
      bcryptShare: total === 0 ? 0 : Number(row?.legacy ?? 0) / total,
      // A dearer cost is refused at sign-in, never computed (MAX_BCRYPT_COST).
      bcryptCost: Number.isInteger(cost) && cost >= 4 && cost <= MAX_BCRYPT_COST ? cost : 12,
    };
    // Make the dummy hash now, so the first unknown email does not also pay for making it, and time
    // one verification for refusalFloor (a refresh times one more).
    if (mix.bcryptShare > 0) {
      await dummyBcryptHash(mix.bcryptCost);
      await this.timedBcrypt(() => verifyDummyBcrypt('warm-up', mix.bcryptCost));
    }
    this.mix = mix;
    this.loadedAt = Date.now();
    return mix;
  }
}
