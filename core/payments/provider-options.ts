import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { PaymentProviderId } from './payment-provider.js';

/**
 * A provider built with bad options. Every problem is listed at once, each as `option: reason`; the values of
 * secret options (keys) are never repeated, only what is wrong with them.
 */
export class PaymentOptionsError extends Error {
  constructor(
    readonly provider: PaymentProviderId,
    readonly problems: readonly string[],
  ) {
    super(`${provider} payment options are invalid: ${problems.join('; ')}`);
    this.name = 'PaymentOptionsError';
  }
}

/** A problem with one option, or undefined when it is fine. */
export type OptionCheck = string | undefined;

export function throwOnProblems(provider: PaymentProviderId, checks: readonly OptionCheck[]): void {
  const problems = checks.filter((check): check is string => check !== undefined);
  if (problems.length > 0) throw new PaymentOptionsError(provider, problems);
}

/** A non-secret text option: named with its value when wrong, so the operator sees the typo. */
export function checkText(name: string, value: unknown, pattern: RegExp, expected: string): OptionCheck {
  if (typeof value !== 'string' || value === '') return `${name}: missing`;
  return pattern.test(value) ? undefined : `${name}=${JSON.stringify(value)}: expected ${expected}`;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** A URL option. Providers demand https; plain http is accepted for loopback only (local fakes and tests). */
export function checkUrl(name: string, value: unknown, options: { noQuery?: boolean } = {}): OptionCheck {
  if (typeof value !== 'string' || value === '') return `${name}: missing`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name}=${JSON.stringify(value)}: not a URL`;
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))
    return `${name}=${JSON.stringify(value)}: must be https (http only for a loopback address)`;
  if (options.noQuery && (url.search || url.hash)) return `${name}=${JSON.stringify(value)}: must have no query or fragment`;
  return undefined;
}

export function checkInteger(name: string, value: unknown, min: number, max: number): OptionCheck {
  return Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
    ? undefined
    : `${name}=${String(value)}: expected an integer from ${min} to ${max}`;
}

/** Keys come as PEM, or as the bare base64 the providers' consoles hand out (Alipay does): try both. */
function keyCandidates(text: string, derTypes: readonly string[]): Array<{ key: string | Buffer; format: 'pem' | 'der'; type?: string }> {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return [{ key: trimmed, format: 'pem' }];
  const der = Buffer.from(trimmed.replace(/\s+/g, ''), 'base64');
  return derTypes.map((type) => ({ key: der, format: 'der', type }));
}

/** An RSA private key from PEM (PKCS#8 or PKCS#1) or bare base64 DER; undefined when it is not one. */
export function parseRsaPrivateKey(text: unknown): KeyObject | undefined {
  if (typeof text !== 'string' || text.trim() === '') return undefined;
  for (const candidate of keyCandidates(text, ['pkcs8', 'pkcs1'])) {
    try {
      const key = createPrivateKey(candidate as Parameters<typeof createPrivateKey>[0]);
      if (key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // not this encoding: try the next one
    }
  }
  return undefined;
}

/**
 * An RSA public key from a PEM public key, a PEM X.509 certificate (WeChat Pay platform certificates), or bare
 * base64 DER (SPKI or PKCS#1); undefined when it is not one.
 */
export function parseRsaPublicKey(text: unknown): KeyObject | undefined {
  // createPublicKey would derive a public key from a private one: a private key here is a misplaced secret.
  if (typeof text !== 'string' || text.trim() === '' || text.includes('PRIVATE KEY')) return undefined;
  for (const candidate of keyCandidates(text, ['spki', 'pkcs1'])) {
    try {
      const key =
        candidate.format === 'pem' && String(candidate.key).includes('CERTIFICATE')
          ? new X509Certificate(candidate.key).publicKey
          : createPublicKey(candidate as Parameters<typeof createPublicKey>[0]);
      if (key.type === 'public' && key.asymmetricKeyType === 'rsa') return key;
    } catch {
      // not this encoding: try the next one
    }
  }
  return undefined;
}
