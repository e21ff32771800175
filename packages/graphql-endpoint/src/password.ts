import { scrypt, randomBytes as secureRandomBytes, timingSafeEqual } from 'node:crypto';
import type { Semaphore } from './semaphore.ts';

/**
 * scrypt with Node's recommended cost (N=2^14, r=8, p=1: ~16 MiB and tens of ms per hash, on libuv's thread
 * pool so the event loop stays free) and a per-user random salt.
 */
export const SCRYPT = { N: 16_384, r: 8, p: 1, keyLength: 64, saltLength: 16 } as const;

export interface PasswordHash {
  readonly hash: Buffer;
  readonly salt: Buffer;
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFC'),
      salt,
      SCRYPT.keyLength,
      { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, maxmem: 64 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

export async function hashPassword(
  password: string,
  randomBytes: (size: number) => Buffer = secureRandomBytes,
): Promise<PasswordHash> {
  const salt = randomBytes(SCRYPT.saltLength);
  return { hash: await derive(password, salt), salt };
}

/** Compares in constant time, so the time taken says nothing about how much of the hash matched. */
export async function verifyPassword(password: string, stored: PasswordHash): Promise<boolean> {
  const candidate = await derive(password, stored.salt);
  return candidate.length === stored.hash.length && timingSafeEqual(candidate, stored.hash);
}

/**
 * Hashing and checking with a bounded number of scrypt runs at once (the rest wait their turn), so a flood
 * of logins cannot take all of libuv's thread pool from the bank's other work.
 */
export class PasswordHasher {
  constructor(
    private readonly slots: Semaphore,
    private readonly randomBytes: (size: number) => Buffer = secureRandomBytes,
  ) {}

  hash(password: string): Promise<PasswordHash> {
    return this.slots.run(() => hashPassword(password, this.randomBytes));
  }

  verify(password: string, stored: PasswordHash): Promise<boolean> {
    return this.slots.run(() => verifyPassword(password, stored));
  }

  /** Most scrypt runs ever at once: never above the bound. */
  get peak(): number {
    return this.slots.peak;
  }

  get running(): number {
    return this.slots.running;
  }
}
