import { createHmac } from 'node:crypto';
import { queryRows, users, type Database } from '@agentcaller/db';
import { sql } from 'drizzle-orm';
import { verifyDummy, verifyDummyBcrypt, type Argon2Parameters } from '../lib/passwords.js';

/** The mix of password hashes in the database: the share still on legacy bcrypt, and its cost. */
interface HashMix {
  bcryptShare: number;
  bcryptCost: number;
}

const REFRESH_MS = 5 * 60_000;

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

  constructor(
    private readonly db: Database,
    private readonly key: string,
    private readonly argon2Parameters: Argon2Parameters,
  ) {}

  /** Spends the time a real account with this email would take to refuse `password`. */
  async verify(canonicalEmail: string, password: string): Promise<void> {
    const mix = await this.current();
    if (mix.bcryptShare > 0 && this.position(canonicalEmail) < mix.bcryptShare) await verifyDummyBcrypt(password, mix.bcryptCost);
    else await verifyDummy(password, this.argon2Parameters);
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
      bcryptCost: Number.isInteger(cost) && cost >= 4 && cost <= 31 ? cost : 12,
    };
    // Make the dummy hash now, so the first unknown email does not also pay for making it.
    if (mix.bcryptShare > 0) await verifyDummyBcrypt('warm-up', mix.bcryptCost);
    this.mix = mix;
    this.loadedAt = Date.now();
    return mix;
  }
}
