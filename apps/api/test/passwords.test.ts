// The salts hashPassword draws itself (synchronously, instead of on libuv's pool): fresh for every
// hash, as long as the libraries' own, and the hashes verify with the libraries and passlib's format.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, MAX_BCRYPT_COST, overCost, verifyPassword } from '../src/lib/passwords.js';

const CHEAP = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

describe('hashPassword salts', () => {
  it('argon2id: a fresh 16-byte salt for every hash', async () => {
    const hashes = await Promise.all([1, 2, 3].map(() => hashPassword('same password', 'argon2id', CHEAP)));
    const salts = hashes.map((hash) => hash.split('$')[4] ?? '');
    expect(new Set(salts).size).toBe(3);
    for (const salt of salts) expect(Buffer.from(salt, 'base64')).toHaveLength(16);
    for (const hash of hashes) expect(await verifyPassword(hash, 'same password', 'argon2id', CHEAP)).toEqual({ ok: true, needsRehash: false });
  });

  it('bcrypt: $2b$12$ with a fresh salt for every hash, verified by the library', async () => {
    const hashes = await Promise.all([1, 2].map(() => hashPassword('same password', 'bcrypt')));
    for (const hash of hashes) {
      expect(hash).toMatch(/^\$2b\$12\$[./A-Za-z0-9]{53}$/);
      expect(await bcrypt.compare('same password', hash)).toBe(true);
    }
    expect(hashes[0]!.slice(7, 29)).not.toBe(hashes[1]!.slice(7, 29));
  });
});

describe('dummyHash (the hash an unknown email is verified against)', () => {
  it('is made once per set of parameters, and made again after it failed', async () => {
    const cheap = { memoryCost: 1024, timeCost: 2, parallelism: 1 };
    const first = dummyHash(cheap);
    expect(dummyHash(cheap)).toBe(first);
    expect(await first).toMatch(/^\$argon2id\$v=19\$m=1024,t=2,p=1\$/);
    // argon2 refuses a memory cost under 8 KiB per lane: the failed hash is not kept.
    const broken = { memoryCost: 1, timeCost: 2, parallelism: 1 };
    const failed = dummyHash(broken);
    await expect(failed).rejects.toThrow();
    expect(dummyHash(broken)).not.toBe(failed);
    await expect(dummyHash(broken)).rejects.toThrow();
  });
});

// Round 10's break test: a stored `$argon2id$…m=4194304,t=100…` took an instance to 4.4 GB and a
// hashing thread for 8 minutes on one anonymous sign-in.
describe('a stored hash dearer than any the API or the original makes', () => {
  const SALT_AND_HASH = 'c29tZXNhbHRzb21lc2FsdA$RdescudvJCsgt3ub+b+dWRWJTmaaJObGRdescudvJCs';
  const BCRYPT_TAIL = 'N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

  it('is refused without being computed, at about the cost of an ordinary check', async () => {
    // Computed, each would take seconds to minutes: 128 MiB × 50 passes, and bcrypt at cost 20.
    for (const hash of [`$argon2id$v=19$m=131072,t=50,p=1$${SALT_AND_HASH}`, `$argon2i$m=65536,t=500,p=1$${SALT_AND_HASH}`, `$2b$20$${BCRYPT_TAIL}`]) {
      expect(overCost(hash), hash).toBe(true);
      const started = performance.now();
      expect(await verifyPassword(hash, 'any password at all')).toEqual({ ok: false, needsRehash: false });
      expect(performance.now() - started, hash).toBeLessThan(1500);
    }
  });

  it("leaves the original's bcrypt, dearer bcrypt up to the bound and this API's argon2id alone", async () => {
    expect(MAX_BCRYPT_COST).toBe(14);
    const ours = await hashPassword('the right password');
    expect(overCost(ours)).toBe(false);
    expect(await verifyPassword(ours, 'the right password')).toMatchObject({ ok: true });
    for (const cost of [4, 12, 14]) expect(overCost(`$2b$${String(cost).padStart(2, '0')}$${BCRYPT_TAIL}`)).toBe(false);
    expect(overCost(`$2b$15$${BCRYPT_TAIL}`)).toBe(true);
    const legacy = await bcrypt.hash('the right password', 12);
    expect(await verifyPassword(legacy, 'the right password')).toMatchObject({ ok: true });
  });
});
