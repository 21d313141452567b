import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM, as a merchant console hands it out. */
  privatePem: string;
  publicPem: string;
}

/** An RSA 2048 key pair made for the test, never a fixture file. */
export function rsaKeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privatePem: String(privateKey.export({ type: 'pkcs8', format: 'pem' })),
    publicPem: String(publicKey.export({ type: 'spki', format: 'pem' })),
  };
}

/** A WeChat Pay APIv3 key: 32 characters. */
export const apiV3Key = () => randomBytes(16).toString('hex');

/** A merchant certificate serial: 40 uppercase hex digits. */
export const certificateSerial = () => randomBytes(20).toString('hex').toUpperCase();
