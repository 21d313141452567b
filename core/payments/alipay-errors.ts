import { AlipayRequestError } from 'alipay-sdk';
import { PaymentProviderError, type PaymentProviderErrorCode } from './payment-errors.js';

/**
 * Alipay codes that mean "try again later": `20000`/`isp.unknow-error`/`aop.unknow-error` (service unavailable),
 * `ACQ.SYSTEM_ERROR` (the trade system's own), and call-rate limits.
 */
const RETRYABLE_CODES: Record<string, PaymentProviderErrorCode> = {
  '20000': 'PROVIDER_UNAVAILABLE',
  'isp.unknow-error': 'PROVIDER_UNAVAILABLE',
  'aop.unknow-error': 'PROVIDER_UNAVAILABLE',
  'ACQ.SYSTEM_ERROR': 'PROVIDER_UNAVAILABLE',
  SYSTEM_ERROR: 'PROVIDER_UNAVAILABLE',
  'app-call-limited': 'RATE_LIMITED',
};

/** The SDK's own codes for an answer that did not verify against Alipay's public key. */
const SIGNATURE_CODES = new Set(['response-signature-verify-error', 'response-alipay-sn-verify-error']);

const TIMEOUT_ERRORS = new Set(['HttpClientRequestTimeoutError', 'HttpClientConnectTimeoutError']);

function codeFor(error: AlipayRequestError): PaymentProviderErrorCode {
  if (error.code && SIGNATURE_CODES.has(error.code)) return 'BAD_RESPONSE_SIGNATURE';
  // No HTTP status: the request never got an answer (refused, reset, timed out).
  if (error.responseHttpStatus === undefined) return TIMEOUT_ERRORS.has((error.cause as Error | undefined)?.name ?? '') ? 'TIMEOUT' : 'NETWORK';
  const known = error.code ? RETRYABLE_CODES[error.code] : undefined;
  if (known) return known;
  if (error.responseHttpStatus === 429) return 'RATE_LIMITED';
  return error.responseHttpStatus >= 500 ? 'PROVIDER_UNAVAILABLE' : 'REJECTED';
}

/**
 * Translates what `sdk.curl` throws. The SDK JSON-parses error bodies unguarded, so a proxy's HTML error page
 * arrives as a SyntaxError: that is an unavailable provider, not a bug of ours. Anything else is rethrown as is.
 */
export function alipayProviderError(operation: string, error: unknown): PaymentProviderError {
  if (error instanceof AlipayRequestError) {
    const providerCode = error.code && !SIGNATURE_CODES.has(error.code) ? error.code : undefined;
    return new PaymentProviderError(
      'alipay',
      codeFor(error),
      { operation, ...(error.responseHttpStatus !== undefined && { httpStatus: error.responseHttpStatus }), ...(providerCode && { providerCode }) },
      { cause: error },
    );
  }
  if (error instanceof SyntaxError) return new PaymentProviderError('alipay', 'PROVIDER_UNAVAILABLE', { operation }, { cause: error });
  throw error;
}
