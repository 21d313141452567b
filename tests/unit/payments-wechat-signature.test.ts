import { execFileSync } from 'node:child_process';
import { createCipheriv, createSign, createVerify, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRsaPublicKey } from '../../core/payments/provider-options.js';
import { decryptWechatResource } from '../../core/payments/wechat-pay-resource.js';
import {
  normaliseSerial,
  requestSignatureMessage,
  responseSignatureMessage,
  verifyWechatSignature,
  wechatAuthorization,
} from '../../core/payments/wechat-pay-signature.js';
import { apiV3Key, certificateSerial, rsaKeyPair } from '../support/payment-keys.js';

const merchant = rsaKeyPair();
const platform = rsaKeyPair();
const serial = certificateSerial();
const keys = new Map([[serial, platform.publicKey]]);

function signedBy(key = platform.privateKey, body = '{"code_url":"weixin://wxpay/bizpayurl?pr=abc"}', timestamp = Math.floor(Date.now() / 1000)) {
  const nonce = randomBytes(16).toString('hex');
  const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(key, 'base64');
  return {
    rawBody: Buffer.from(body),
    headers: { 'wechatpay-timestamp': String(timestamp), 'wechatpay-nonce': nonce, 'wechatpay-signature': signature, 'wechatpay-serial': serial },
  };
}

describe('WeChat Pay request signing', () => {
  it('signs five lines, each ending in a newline, with an empty body line for GET', () => {
    expect(requestSignatureMessage('GET', '/v3/pay/transactions/out-trade-no/T1?mchid=1900000001', '1700000000', 'n0nce', '')).toBe(
      'GET\n/v3/pay/transactions/out-trade-no/T1?mchid=1900000001\n1700000000\nn0nce\n\n',
    );
    expect(requestSignatureMessage('POST', '/v3/pay/transactions/native', '1700000000', 'n0nce', '{"a":1}')).toBe(
      'POST\n/v3/pay/transactions/native\n1700000000\nn0nce\n{"a":1}\n',
    );
  });

  it('builds an Authorization header whose signature the merchant public key verifies', () => {
    const header = wechatAuthorization({ mchId: '1900000001', serialNo: 'ABC123DEF456', privateKey: merchant.privateKey }, 'POST', '/v3/x', '{"a":1}', 1_700_000_000_000);
    expect(header).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900000001",nonce_str="\w+",signature="[\w+/=]+",timestamp="1700000000",serial_no="ABC123DEF456"$/);
    const fields = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
    const message = requestSignatureMessage('POST', '/v3/x', fields.timestamp, fields.nonce_str, '{"a":1}');
    expect(createVerify('RSA-SHA256').update(message).verify(merchant.publicKey, fields.signature, 'base64')).toBe(true);
  });
});

describe('WeChat Pay response and notification verification', () => {
  it('verifies the three-line message over the raw bytes, multi-byte characters included', () => {
    const message = signedBy(platform.privateKey, '{"summary":"支付成功"}');
    expect(responseSignatureMessage('1', 'n', Buffer.from('支付')).toString()).toBe('1\nn\n支付\n');
    expect(verifyWechatSignature(message, keys)).toEqual({ ok: true });
  });

  it('refuses the same JSON re-serialised: only the exact bytes verify', () => {
    const message = signedBy(platform.privateKey, '{"a": 1}');
    const reserialised = { ...message, rawBody: Buffer.from(JSON.stringify(JSON.parse('{"a": 1}'))) };
    expect(verifyWechatSignature(reserialised, keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a signature made by another key under a known serial', () => {
    expect(verifyWechatSignature(signedBy(rsaKeyPair().privateKey), keys)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  it('refuses a serial that is not in the map, and matches hex serials whatever their case', () => {
    const message = signedBy();
    expect(verifyWechatSignature({ ...message, headers: { ...message.headers, 'wechatpay-serial': certificateSerial() } }, keys)).toMatchObject({
      ok: false,
      reason: 'unknown_serial',
    });
    expect(verifyWechatSignature({ ...message, headers: { ...message.headers, 'wechatpay-serial': serial.toLowerCase() } }, keys)).toEqual({ ok: true });
    expect(normaliseSerial('PUB_KEY_ID_0114abc')).toBe('PUB_KEY_ID_0114abc');
  });

  it('accepts a timestamp up to 300 s away and refuses one further', () => {
    const now = Date.now();
    const at = (offsetS: number) => signedBy(platform.privateKey, '{}', Math.floor(now / 1000) + offsetS);
    expect(verifyWechatSignature(at(-299), keys, now)).toEqual({ ok: true });
    expect(verifyWechatSignature(at(299), keys, now)).toEqual({ ok: true });
    expect(verifyWechatSignature(at(-301), keys, now)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
    expect(verifyWechatSignature(at(301), keys, now)).toMatchObject({ ok: false, reason: 'stale_timestamp' });
  });

  it('refuses WeChat signature probes and messages without the signature headers', () => {
    const message = signedBy();
    const probe = { ...message, headers: { ...message.headers, 'wechatpay-signature': `WECHATPAY/SIGNTEST/${randomBytes(32).toString('base64')}` } };
    expect(verifyWechatSignature(probe, keys)).toMatchObject({ ok: false, reason: 'signature_probe' });
    expect(verifyWechatSignature({ rawBody: message.rawBody, headers: {} }, keys)).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  it('takes a platform certificate in the serial map as well as a public key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cosnap-cert-'));
    try {
      try {
        execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-subj', '/CN=Tenpay.com Root CA', '-days', '1'], { stdio: 'ignore' });
      } catch (error) {
        throw new Error('this test makes a certificate with the openssl command, which failed or is missing', { cause: error });
      }
      const certificate = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const key = parseRsaPublicKey(certificate);
      expect(key?.export({ type: 'spki', format: 'pem' })).toBe(new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'pem' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('WeChat Pay notification resources', () => {
  const key = apiV3Key();
  const seal = (plaintext: string, nonce = 'a1b2c3d4e5f6', aad = 'transaction', withKey = key) => {
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(withKey), Buffer.from(nonce));
    cipher.setAAD(Buffer.from(aad));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
    return { algorithm: 'AEAD_AES_256_GCM', ciphertext, associated_data: aad, nonce, original_type: 'transaction' };
  };

  it('decrypts AES-256-GCM with the APIv3 key, the nonce as IV and associated_data as AAD', () => {
    const plaintext = JSON.stringify({ out_trade_no: 'order_0001', trade_state: 'SUCCESS', trade_state_desc: '支付成功' });
    expect(decryptWechatResource(seal(plaintext), Buffer.from(key))).toBe(plaintext);
  });

  it('fails on another APIv3 key, altered associated data or an altered ciphertext', () => {
    const resource = seal('{"out_trade_no":"order_0001"}');
    expect(() => decryptWechatResource(seal('{}', 'a1b2c3d4e5f6', 'transaction', apiV3Key()), Buffer.from(key))).toThrow();
    expect(() => decryptWechatResource({ ...resource, associated_data: 'refund' }, Buffer.from(key))).toThrow();
    const bytes = Buffer.from(resource.ciphertext, 'base64');
    bytes[0]! ^= 1;
    expect(() => decryptWechatResource({ ...resource, ciphertext: bytes.toString('base64') }, Buffer.from(key))).toThrow();
    expect(() => decryptWechatResource({ ...resource, algorithm: 'AEAD_SM4_GCM' }, Buffer.from(key))).toThrow(/unsupported/);
  });
});
