import { createDecipheriv } from 'node:crypto';

/** The encrypted part of a WeChat Pay notification (`resource`). */
export interface WechatEncryptedResource {
  algorithm: string;
  ciphertext: string;
  associated_data?: string;
  nonce: string;
  original_type?: string;
}

const TAG_BYTES = 16;

/**
 * AES-256-GCM with the APIv3 key: `nonce` (a 12-character string) is the IV, `associated_data` the AAD, and
 * `ciphertext` is base64 of the encrypted bytes followed by the 16-byte tag. Throws when anything is off — a
 * wrong key and a tampered ciphertext look the same: the tag does not match.
 */
export function decryptWechatResource(resource: WechatEncryptedResource, apiV3Key: Buffer): string {
  if (resource.algorithm !== 'AEAD_AES_256_GCM') throw new Error(`unsupported resource algorithm ${resource.algorithm}`);
  const sealed = Buffer.from(resource.ciphertext, 'base64');
  if (sealed.length <= TAG_BYTES) throw new Error('resource ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', apiV3Key, Buffer.from(resource.nonce, 'utf8'));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
  decipher.setAAD(Buffer.from(resource.associated_data ?? '', 'utf8'));
  return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)), decipher.final()]).toString('utf8');
}
