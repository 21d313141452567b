import { hash, verify, type Algorithm, type Options } from '@node-rs/argon2';

/**
 * OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): a few tens of milliseconds per hash, which keeps
 * sign-in snappy and tests fast while making offline guessing expensive. The parameters are stored in each
 * hash, so raising them later only affects new hashes.
 */
const ARGON2ID_OPTIONS: Options = {
  // `Algorithm` is an ambient const enum, which isolatedModules cannot reference by member: 2 is Argon2id.
  algorithm: 2 satisfies Algorithm,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2ID_OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Checks a password against a stored hash. With no stored hash (unknown email) it still runs one full
 * argon2id verification against a dummy hash and answers false, so the response time does not reveal
 * whether an account exists.
 */
export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    dummyHash ??= hashPassword('cosnap-dummy-password-for-timing');
    await verify(await dummyHash, password);
    return false;
  }
  return verify(storedHash, password);
}
