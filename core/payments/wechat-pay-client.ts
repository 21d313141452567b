import { PaymentProviderError, type PaymentProviderErrorCode } from './payment-errors.js';
import { withProviderRetries } from './provider-retry.js';
import type { WechatPaySettings } from './wechat-pay-options.js';
import { verifyWechatSignature, wechatAuthorization } from './wechat-pay-signature.js';

/** WeChat's own error codes that mean "try again later"; every other code will be repeated as is. */
const RETRYABLE_CODES: Record<string, PaymentProviderErrorCode> = {
  SYSTEM_ERROR: 'PROVIDER_UNAVAILABLE',
  SYSTEMERROR: 'PROVIDER_UNAVAILABLE',
  BANK_ERROR: 'PROVIDER_UNAVAILABLE',
  FREQUENCY_LIMITED: 'RATE_LIMITED',
};

export interface WechatPayClient {
  /**
   * One signed call with retries for retryable failures. Resolves with the verified, parsed body of a 2xx answer
   * (undefined for 204); throws PaymentProviderError otherwise, `providerCode` carrying WeChat's `code`.
   */
  call(operation: string, method: 'GET' | 'POST', pathWithQuery: string, payload?: unknown): Promise<unknown>;
}

function errorCodeFor(httpStatus: number, providerCode: string | undefined): PaymentProviderErrorCode {
  const known = providerCode ? RETRYABLE_CODES[providerCode] : undefined;
  if (known) return known;
  if (httpStatus === 429) return 'RATE_LIMITED';
  return httpStatus >= 500 ? 'PROVIDER_UNAVAILABLE' : 'REJECTED';
}

function parseJson(raw: Buffer): unknown {
  return raw.length === 0 ? undefined : JSON.parse(raw.toString('utf8'));
}

export function createWechatPayClient(settings: WechatPaySettings): WechatPayClient {
  const signer = { mchId: settings.mchId, serialNo: settings.merchantCertSerial, privateKey: settings.merchantPrivateKey };

  const attempt = async (operation: string, method: 'GET' | 'POST', pathWithQuery: string, payload: unknown): Promise<unknown> => {
    const fail = (code: PaymentProviderErrorCode, extra: { httpStatus?: number; providerCode?: string } = {}, cause?: unknown) =>
      new PaymentProviderError('wechat', code, { operation, ...extra }, { cause });
    const body = payload === undefined ? '' : JSON.stringify(payload);
    let response: Response;
    let raw: Buffer;
    try {
      response = await fetch(`${settings.baseUrl}${pathWithQuery}`, {
        method,
        headers: {
          Authorization: wechatAuthorization(signer, method, pathWithQuery, body),
          Accept: 'application/json',
          ...(body && { 'Content-Type': 'application/json' }),
        },
        body: body || undefined,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      raw = Buffer.from(await response.arrayBuffer());
    } catch (error) {
      throw fail((error as Error).name === 'TimeoutError' ? 'TIMEOUT' : 'NETWORK', {}, error);
    }
    const httpStatus = response.status;
    if (httpStatus < 200 || httpStatus >= 300) {
      // Error answers are not verified (the official SDKs don't either): they can only make us retry or give up.
      let providerCode: string | undefined;
      try {
        const parsed = parseJson(raw) as { code?: unknown } | undefined;
        if (typeof parsed?.code === 'string') providerCode = parsed.code;
      } catch {
        // a proxy's HTML error page: the status says enough
      }
      throw fail(errorCodeFor(httpStatus, providerCode), { httpStatus, ...(providerCode && { providerCode }) });
    }
    const verdict = verifyWechatSignature({ rawBody: raw, headers: Object.fromEntries(response.headers) }, settings.verificationKeys);
    if (!verdict.ok) throw fail('BAD_RESPONSE_SIGNATURE', { httpStatus, providerCode: verdict.reason });
    try {
      return parseJson(raw);
    } catch (error) {
      throw fail('BAD_RESPONSE', { httpStatus }, error);
    }
  };

  return {
    call: (operation, method, pathWithQuery, payload) =>
      withProviderRetries(settings.retry, () => attempt(operation, method, pathWithQuery, payload)),
  };
}
