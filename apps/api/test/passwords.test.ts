// The salts hashPassword draws itself (synchronously, instead of on libuv's pool): fresh for every
// hash, as long as the libraries' own, and the hashes verify with the libraries and passlib's format.
import bcrypt from 'bcrypt';
import { describe, expect, it } from 'vitest';
import { dummyHash, hashPassword, verifyPassword } from '../src/lib/passwords.js';

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
