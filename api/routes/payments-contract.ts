import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { errorEnvelope, errorResponses, OUTAGE } from '../contract/error-responses.js';
import { idParams, localizedText, timestamp } from '../contract/common-schemas.js';
import { security } from '../contract/security.js';

export const paymentProvider = z.enum(['wechat', 'alipay', 'sandbox']).meta({ id: 'PaymentProvider' });

export const paymentOrderStatus = z
  .enum(['pending', 'paid', 'closed', 'failed'])
  .meta({ id: 'PaymentOrderStatus', description: '`pending` until paid; `closed` when it expired or was closed unpaid.' });

export const creditPackage = z
  .object({
    id: z.string(),
    credits: z.number().int(),
    priceFen: z.number().int().meta({ description: 'Integer fen (1 CNY = 100 fen).' }),
    name: localizedText,
  })
  .meta({ id: 'CreditPackage' });

export const creditPackageList = z.object({ items: z.array(creditPackage) }).meta({ id: 'CreditPackageList' });

export const paymentProviderList = z
  .object({ items: z.array(paymentProvider).meta({ description: 'The providers configured on this server, in the order to offer them.' }) })
  .meta({ id: 'PaymentProviderList' });

export const createPaymentOrderBody = z
  .object({
    packageId: z.string().min(1).max(100),
    provider: paymentProvider,
  })
  .meta({ id: 'CreatePaymentOrderRequest' });

export const listPaymentOrdersQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) });

export const paymentOrder = z
  .object({
    id: z.uuid(),
    outTradeNo: z.string().meta({ description: 'The order number the provider shows on its receipt.' }),
    provider: paymentProvider,
    packageId: z.string(),
    credits: z.number().int(),
    amountFen: z.number().int().meta({ description: 'Integer fen (1 CNY = 100 fen).' }),
    status: paymentOrderStatus,
    qrCode: z
      .string()
      .optional()
      .meta({ description: 'WeChat `code_url` / Alipay `qr_code`, to render as a QR code; only while the order is pending.' }),
    payUrl: z.string().optional().meta({ description: 'The sandbox’s local pay page; only while the order is pending.' }),
    expiresAt: timestamp,
    paidAt: timestamp.optional(),
    createdAt: timestamp,
  })
  .meta({ id: 'PaymentOrder' });

export const paymentOrderEnvelope = z.object({ order: paymentOrder }).meta({ id: 'PaymentOrderEnvelope' });

export const paymentOrderList = z
  .object({ items: z.array(paymentOrder).meta({ description: 'Newest first.' }) })
  .meta({ id: 'PaymentOrderList' });

/** WeChat Pay's own failure reply: any answer but 2xx makes it resend the notification. */
export const wechatNotifyFailure = z
  .object({ code: z.literal('FAIL'), message: z.string() })
  .meta({ id: 'WechatPayNotifyFailure' });

/** What WeChat Pay posts (APIv3): the payment itself is in `resource`, encrypted with the APIv3 key. */
export const wechatNotification = z
  .looseObject({
    id: z.string(),
    create_time: z.string(),
    event_type: z.string().meta({ description: '`TRANSACTION.SUCCESS` for a payment.' }),
    resource_type: z.string(),
    resource: z.looseObject({
      algorithm: z.string().meta({ description: '`AEAD_AES_256_GCM`.' }),
      ciphertext: z.string(),
      nonce: z.string(),
      associated_data: z.string().optional(),
    }),
    summary: z.string().optional(),
  })
  .meta({ id: 'WechatPayNotification' });

/** What Alipay posts: the trade's fields, signed (RSA2) over all of them but `sign` and `sign_type`. */
export const alipayNotification = z
  .looseObject({
    notify_id: z.string(),
    out_trade_no: z.string(),
    trade_no: z.string().optional(),
    notify_type: z.string().meta({ description: '`trade_status_sync`.' }),
    trade_status: z.string().meta({ description: '`TRADE_SUCCESS` or `TRADE_FINISHED` for a payment.' }),
    total_amount: z.string().meta({ description: 'Yuan, two decimals.' }),
    app_id: z.string(),
    sign_type: z.literal('RSA2'),
    sign: z.string().meta({ description: 'The signature, checked with Alipay’s public key before anything else is read.' }),
  })
  .meta({ id: 'AlipayNotification' });

const json = <S extends z.ZodType>(schema: S) => ({ 'application/json': { schema } });
const plainText = <S extends z.ZodType>(schema: S) => ({ 'text/plain': { schema } });
const signedInErrors = ['UNAUTHENTICATED', 'RATE_LIMITED', ...OUTAGE] as const;
/** A notify route answers 404 while its provider is not configured, and 413 past its own size limit. */
const notifyErrors = errorResponses('NOT_FOUND', 'PAYLOAD_TOO_LARGE');
/** A bug outside the provider's handling still answers with our envelope. */
const internalError = errorEnvelope(['INTERNAL']);

export const paymentPaths: ZodOpenApiPathsObject = {
  '/api/credit-packages': {
    get: {
      tags: ['payments'],
      summary: 'The credit packages on sale',
      security: security.none,
      responses: {
        '200': { description: 'Every enabled package, in display order.', content: json(creditPackageList) },
        ...errorResponses('RATE_LIMITED', ...OUTAGE),
      },
    },
  },
  '/api/payments/providers': {
    get: {
      tags: ['payments'],
      summary: 'The payment providers on offer',
      security: security.none,
      responses: {
        '200': { description: 'The configured providers.', content: json(paymentProviderList) },
        ...errorResponses('RATE_LIMITED'),
      },
    },
  },
  '/api/payments/orders': {
    post: {
      tags: ['payments'],
      summary: 'Order a credit package',
      description:
        'Creates the order at the provider and answers what to show for paying it (a QR code, or the sandbox’s pay ' +
        'page). Credits are added once the provider’s signed notification (or a reconciliation query) confirms the ' +
        'payment; poll `GET /api/payments/orders/{id}`. A JSON body of at most 4 KB.',
      security: security.bearer,
      requestBody: { required: true, content: json(createPaymentOrderBody) },
      responses: {
        '201': { description: 'Created, pending payment.', content: json(paymentOrderEnvelope) },
        ...errorResponses('VALIDATION_FAILED', 'PROVIDER_UNAVAILABLE', 'NOT_FOUND', 'PAYLOAD_TOO_LARGE', 'PROVIDER_FAILED', ...signedInErrors),
      },
    },
    get: {
      tags: ['payments'],
      summary: 'The account’s orders, newest first',
      security: security.bearer,
      requestParams: { query: listPaymentOrdersQuery },
      responses: {
        '200': { description: 'The latest `limit` orders.', content: json(paymentOrderList) },
        ...errorResponses('VALIDATION_FAILED', ...signedInErrors),
      },
    },
  },
  '/api/payments/orders/{id}': {
    get: {
      tags: ['payments'],
      summary: 'One order',
      security: security.bearer,
      requestParams: { path: idParams },
      responses: {
        '200': { description: 'The order.', content: json(paymentOrderEnvelope) },
        ...errorResponses('NOT_FOUND', ...signedInErrors),
      },
    },
  },
  '/api/payments/sandbox/{id}/pay': {
    post: {
      tags: ['payments'],
      summary: 'Pay a sandbox order',
      description:
        'Only when the sandbox provider is enabled (else 404). Pays through the same path as a real provider: a ' +
        'signed notification, verified, then settled. Paying a paid order again answers it unchanged; an expired, ' +
        'closed or failed one is a 409 whose `details.status` says which.',
      security: security.bearer,
      requestParams: { path: idParams },
      responses: {
        '200': { description: 'The order, now paid.', content: json(paymentOrderEnvelope) },
        ...errorResponses('NOT_FOUND', 'CONFLICT', ...signedInErrors),
      },
    },
  },
  '/api/payments/wechat/notify': {
    post: {
      tags: ['payments'],
      summary: 'WeChat Pay’s payment notification',
      description:
        'Called by WeChat Pay, not by clients, and answered as WeChat Pay expects rather than with the API’s error ' +
        'envelope: 204 when the notification is taken (also again for one already taken), a 4xx when it fails ' +
        'verification, a 5xx when we could not process it now (WeChat Pay resends). Outside the per-address limit; ' +
        'a body of at most 64 KB.',
      security: security.wechatPaySignature,
      requestParams: {
        header: z.object({
          'wechatpay-timestamp': z.string().meta({ description: 'Unix seconds; signed.' }),
          'wechatpay-nonce': z.string().meta({ description: 'Signed.' }),
          'wechatpay-serial': z.string().meta({ description: 'The platform certificate that signed.' }),
        }),
      },
      requestBody: { required: true, content: json(wechatNotification) },
      responses: {
        '204': { description: 'Taken (or already taken): WeChat Pay stops resending.' },
        '401': { description: 'The signature or the decryption failed; nothing changed.', content: json(wechatNotifyFailure) },
        ...notifyErrors,
        '500': {
          description: 'Not processed now (WeChat Pay resends it), or a bug on our side (`INTERNAL`).',
          content: json(z.union([wechatNotifyFailure, internalError])),
        },
      },
    },
  },
  '/api/payments/alipay/notify': {
    post: {
      tags: ['payments'],
      summary: 'Alipay’s payment notification',
      description:
        'Called by Alipay, not by clients, and answered as Alipay expects rather than with the API’s error envelope: ' +
        '`success` when the notification is taken (also again for one already taken), else `fail` (Alipay resends). ' +
        'Proven by the RSA2 signature in the form body (`sign`), checked with Alipay’s public key: no credential of ' +
        'ours. Outside the per-address limit; a body of at most 64 KB.',
      security: security.alipayFormSignature,
      requestBody: { required: true, content: { 'application/x-www-form-urlencoded': { schema: alipayNotification } } },
      responses: {
        '200': { description: 'Taken (or already taken): Alipay stops resending.', content: plainText(z.literal('success')) },
        '400': { description: 'The signature or the notification’s content failed its checks; nothing changed.', content: plainText(z.literal('fail')) },
        ...notifyErrors,
        '500': {
          description: 'Not processed now (`fail`: Alipay resends it), or a bug on our side (`INTERNAL`).',
          content: { ...plainText(z.literal('fail')), ...json(internalError) },
        },
      },
    },
  },
};
