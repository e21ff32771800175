import { describe, expect, it } from 'vitest';
import { hashPassword, PasswordHasher, SCRYPT, verifyPassword } from './password.ts';
import { Semaphore } from './semaphore.ts';

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse');
    expect(stored.hash).toHaveLength(SCRYPT.keyLength);
    expect(stored.salt).toHaveLength(SCRYPT.saltLength);
    expect(await verifyPassword('correct horse', stored)).toBe(true);
    expect(await verifyPassword('correct hors', stored)).toBe(false);
    expect(await verifyPassword('Correct horse', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('salts per user: the same password hashes differently with another salt', async () => {
    const a = await hashPassword('same password');
    const b = await hashPassword('same password');
    expect(a.salt.equals(b.salt)).toBe(false);
    expect(a.hash.equals(b.hash)).toBe(false);
  });

  it('is deterministic for a given salt, which comes from the injected source', async () => {
    const fixed = (n: number) => Buffer.alloc(n, 7);
    const a = await hashPassword('pw123456', fixed);
    const b = await hashPassword('pw123456', fixed);
    expect(a.salt.equals(Buffer.alloc(16, 7))).toBe(true);
    expect(a.hash.equals(b.hash)).toBe(true);
  });

  it('treats unicode input the same whether composed or not', async () => {
    const stored = await hashPassword('caf\u00e9-geheim');
    expect(await verifyPassword('cafe\u0301-geheim', stored)).toBe(true);
  });

  it('refuses a stored hash of another length instead of throwing', async () => {
    const stored = await hashPassword('pw123456');
    expect(await verifyPassword('pw123456', { ...stored, hash: stored.hash.subarray(0, 32) })).toBe(false);
  });
});

describe('PasswordHasher', () => {
  it('runs at most its bound of scrypt hashes at once, however many logins arrive', async () => {
    const hasher = new PasswordHasher(new Semaphore(2));
    const stored = await hasher.hash('right');
    let most = 0;
    const probe = setInterval(() => {
      most = Math.max(most, hasher.running);
    }, 1);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => hasher.verify(i % 2 === 0 ? 'right' : 'wrong', stored)),
    );
    clearInterval(probe);
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i % 2 === 0));
    expect(hasher.peak).toBe(2);
    expect(most).toBeLessThanOrEqual(2);
    expect(hasher.running).toBe(0);
  });
});
