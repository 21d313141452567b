import { createCipheriv, createSign, createVerify, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import {
  FakePaymentGateway,
  flipFirstCharacter,
  rsaKeys,
  type DeliveryOptions,
  type DeliveryResult,
  type GatewayCounters,
  type GatewayReply,
  type ReceivedRequest,
} from './fake-gateway-server.js';

/**
 * A fake WeChat Pay API v3 (Native) faithful to the protocol: it verifies OUR request signatures with the
 * merchant public key (401 SIGN_ERROR otherwise), validates bodies (400 PARAM_ERROR), signs every answer and
 * notification with ITS keys (a platform certificate serial and a `PUB_KEY_ID_…` key), and encrypts
 * notification resources with the APIv3 key. Tests mark orders paid, closed or lost, and inject failures.
 */

export interface WechatPayGatewayOptions {
  appId: string;
  mchId: string;
  merchantPublicKey: KeyObject;
  merchantCertSerial: string;
  apiV3Key: string;
}

export type WechatTradeState = 'NOTPAY' | 'SUCCESS' | 'CLOSED' | 'REFUND';

export interface FakeWechatOrder {
  appid: string;
  mchid: string;
  outTradeNo: string;
  description: string;
  total: number;
  currency: string;
  notifyUrl: string;
  timeExpire?: string;
  codeUrl: string;
  state: WechatTradeState;
  transactionId?: string;
  successTime?: string;
}

/** How a notification is spoiled, each the way an attacker (or WeChat's probe) would spoil it. */
export type WechatNotificationTamper =
  | 'signature' // signature bytes altered
  | 'amount' // amount changed, re-encrypted and re-signed with a key that is not WeChat's
  | 'unknown_serial' // signed by a key under a serial we never configured
  | 'stale' // a genuine notification replayed 10 minutes later
  | 'appid' // genuine signature, another app's transaction
  | 'mchid' // genuine signature, another merchant's transaction
  | 'probe' // WeChat's WECHATPAY/SIGNTEST/ probe
  | 'apiv3_key'; // resource encrypted with another APIv3 key

const ORDER_PATH = /^\/v3\/pay\/transactions\/out-trade-no\/([^/?]+)(\/close)?(?:\?(.*))?$/;
const OUT_TRADE_NO = /^[0-9A-Za-z_|*-]{6,32}$/;
/** https without a query, as WeChat Pay demands; plain http on loopback too, so tests can point it at our API. */
const NOTIFY_URL = /^(https:\/\/|http:\/\/(127\.0\.0\.1|localhost)[:/])[^?#]+$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const pem = (key: KeyObject) => String(key.export({ type: 'spki', format: 'pem' }));
const json = (status: number, body: unknown): GatewayReply => ({ status, body: body === undefined ? '' : JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
const error = (status: number, code: string, message: string) => json(status, { code, message });
const beijingNow = () => `${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19)}+08:00`;

function signMessage(key: KeyObject, timestamp: string, nonce: string, body: string): string {
  return createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${body}\n`).sign(key, 'base64');
}

export class FakeWechatPayGateway extends FakePaymentGateway<{ create: number; query: number; close: number } & GatewayCounters, FakeWechatOrder> {
  readonly platformSerial = randomBytes(20).toString('hex').toUpperCase();
  readonly publicKeyId = `PUB_KEY_ID_0${randomBytes(12).toString('hex').toUpperCase()}`;
  /** Which of WeChat's keys signs answers and notifications (a merchant mid-switch sees both). */
  signWith: 'certificate' | 'public_key' = 'certificate';
  protected readonly systemErrorCode = 'SYSTEM_ERROR';
  private readonly platformKeys = rsaKeys();
  private readonly publicKeyKeys = rsaKeys();

  private constructor(private readonly options: WechatPayGatewayOptions) {
    super({ create: 0, query: 0, close: 0, refusedSignatures: 0, notificationsSent: 0 });
  }

  static start(options: WechatPayGatewayOptions): Promise<FakeWechatPayGateway> {
    return new FakeWechatPayGateway(options).listen();
  }

  /** The serial → key map our provider needs, in both modes. */
  get verificationKeys(): Record<string, string> {
    return { [this.platformSerial]: pem(this.platformKeys.publicKey), [this.publicKeyId]: pem(this.publicKeyKeys.publicKey) };
  }

  markPaid(outTradeNo: string): FakeWechatOrder {
    const order = this.order(outTradeNo);
    Object.assign(order, { state: 'SUCCESS', transactionId: `42000${Date.now()}${randomBytes(4).readUInt32BE(0)}`, successTime: beijingNow() });
    return order;
  }
  markClosed(outTradeNo: string): void {
    this.order(outTradeNo).state = 'CLOSED';
  }

  /**
   * Posts the TRANSACTION.SUCCESS notification of an order, genuine or spoiled, to the notify_url it was created
   * with (or to `url`). Each delivery of a real retry is signed anew; `stale` replays an old one.
   */
  async notify(
    outTradeNo: string,
    options: DeliveryOptions & { url?: string; tamper?: WechatNotificationTamper } = {},
  ): Promise<DeliveryResult[]> {
    const order = this.order(outTradeNo);
    return this.deliver(options.url ?? order.notifyUrl, this.notification(order, options.tamper), options);
  }

  /** The notification as WeChat would send it (body and headers), for tests that post it themselves. */
  notification(order: FakeWechatOrder, tamper?: WechatNotificationTamper): { body: string; headers: Record<string, string> } {
    const transaction = this.transaction(order);
    if (tamper === 'amount') transaction.amount = { ...transaction.amount, total: order.total + 1, payer_total: order.total + 1 };
    if (tamper === 'appid') transaction.appid = 'wx0000000000000000';
    if (tamper === 'mchid') transaction.mchid = '1900000000';
    const key = tamper === 'apiv3_key' ? randomBytes(16).toString('hex') : this.options.apiV3Key;
    const nonce = randomBytes(6).toString('hex');
    const cipher = createCipheriv('aes-256-gcm', Buffer.from(key, 'utf8'), Buffer.from(nonce, 'utf8'));
    cipher.setAAD(Buffer.from('transaction', 'utf8'));
    const sealed = Buffer.concat([cipher.update(JSON.stringify(transaction), 'utf8'), cipher.final(), cipher.getAuthTag()]);
    const body = JSON.stringify({
      id: randomUUID(),
      create_time: beijingNow(),
      resource_type: 'encrypt-resource',
      event_type: 'TRANSACTION.SUCCESS',
      summary: '支付成功',
      resource: { original_type: 'transaction', algorithm: 'AEAD_AES_256_GCM', ciphertext: sealed.toString('base64'), associated_data: 'transaction', nonce },
    });
    const age = tamper === 'stale' ? 600 : 0;
    const headers = this.signatureHeaders(body, tamper === 'amount' || tamper === 'unknown_serial', age);
    if (tamper === 'unknown_serial') headers['Wechatpay-Serial'] = randomBytes(20).toString('hex').toUpperCase();
    if (tamper === 'signature') headers['Wechatpay-Signature'] = flipFirstCharacter(headers['Wechatpay-Signature']!);
    if (tamper === 'probe') headers['Wechatpay-Signature'] = `WECHATPAY/SIGNTEST/${randomBytes(32).toString('base64')}`;
    return { body, headers: { ...headers, 'Content-Type': 'application/json' } };
  }

  private transaction(order: FakeWechatOrder) {
    return {
      appid: order.appid,
      mchid: order.mchid,
      out_trade_no: order.outTradeNo,
      trade_type: 'NATIVE',
      trade_state: order.state,
      trade_state_desc: order.state === 'SUCCESS' ? '支付成功' : '未支付',
      bank_type: 'OTHERS',
      attach: '',
      payer: { openid: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' },
      amount: { total: order.total, payer_total: order.total, currency: order.currency, payer_currency: order.currency },
      ...(order.transactionId && { transaction_id: order.transactionId, success_time: order.successTime }),
    };
  }

  private signatureHeaders(body: string, rogue: boolean, ageSeconds = 0): Record<string, string> {
    const timestamp = String(Math.floor(Date.now() / 1000) - ageSeconds);
    const nonce = randomBytes(16).toString('hex');
    const [serial, key] =
      this.signWith === 'certificate' ? [this.platformSerial, this.platformKeys.privateKey] : [this.publicKeyId, this.publicKeyKeys.privateKey];
    return {
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': nonce,
      'Wechatpay-Serial': serial,
      'Wechatpay-Signature': signMessage(rogue ? this.rogueKeys.privateKey : key, timestamp, nonce, body),
      'Request-ID': randomUUID(),
    };
  }


  protected errorReply(status: number, code: string, message: string): GatewayReply {
    return error(status, code, message);
  }

  protected handle(request: ReceivedRequest): GatewayReply {
    const reply = this.route(request);
    // Every answer WeChat gives is signed; the client checks only 2xx ones, as the official SDKs do.
    return { ...reply, headers: { ...reply.headers, ...this.signatureHeaders(reply.body, this.forgeResponses) } };
  }

  private route(request: ReceivedRequest): GatewayReply {
    const refusal = this.checkAuthorization(request);
    if (refusal) return this.refuse(refusal);
    if (request.method === 'POST' && request.pathWithQuery === '/v3/pay/transactions/native') return this.create(request);
    const match = ORDER_PATH.exec(request.pathWithQuery);
    if (!match) return error(404, 'NOT_FOUND', 'no such API');
    const [, outTradeNo = '', close, query = ''] = match;
    if (close && request.method === 'POST') return this.close(outTradeNo, request);
    if (!close && request.method === 'GET') return this.query(outTradeNo, new URLSearchParams(query).get('mchid'));
    return error(405, 'METHOD_NOT_ALLOWED', 'method not allowed');
  }

  /** `WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",signature="…",timestamp="…",serial_no="…"` over our five lines. */
  private checkAuthorization(request: ReceivedRequest): GatewayReply | undefined {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('WECHATPAY2-SHA256-RSA2048 ')) return error(401, 'SIGN_ERROR', '缺少签名信息');
    const fields = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map(([, name, value]) => [name, value]));
    if (fields.mchid !== this.options.mchId) return error(401, 'SIGN_ERROR', '商户号不匹配');
    if (fields.serial_no !== this.options.merchantCertSerial) return error(401, 'SIGN_ERROR', '商户证书序列号有误');
    if (Math.abs(Date.now() / 1000 - Number(fields.timestamp)) > 300) return error(401, 'SIGN_ERROR', '时间戳过期');
    const message = `${request.method}\n${request.pathWithQuery}\n${fields.timestamp}\n${fields.nonce_str}\n${request.rawBody.toString('utf8')}\n`;
    const valid = createVerify('RSA-SHA256').update(message).verify(this.options.merchantPublicKey, fields.signature ?? '', 'base64');
    return valid ? undefined : error(401, 'SIGN_ERROR', '签名错误');
  }

  private create(request: ReceivedRequest): GatewayReply {
    this.counters.create += 1;
    const body = JSON.parse(request.rawBody.toString('utf8')) as Record<string, any>;
    if (body.appid !== this.options.appId || body.mchid !== this.options.mchId) return error(400, 'APPID_MCHID_NOT_MATCH', 'appid和mch_id不匹配');
    const problems = [
      typeof body.description === 'string' && body.description.length > 0 && body.description.length <= 127,
      typeof body.out_trade_no === 'string' && OUT_TRADE_NO.test(body.out_trade_no),
      typeof body.notify_url === 'string' && NOTIFY_URL.test(body.notify_url),
      Number.isSafeInteger(body.amount?.total) && body.amount.total > 0 && [undefined, 'CNY'].includes(body.amount?.currency),
      body.time_expire === undefined || RFC3339.test(body.time_expire),
    ];
    if (problems.includes(false)) return error(400, 'PARAM_ERROR', '参数错误');
    const existing = this.orders.get(body.out_trade_no);
    if (existing?.state === 'SUCCESS') return error(400, 'ORDERPAID', '该订单已支付');
    if (existing?.state === 'CLOSED') return error(400, 'ORDER_CLOSED', '订单已关闭');
    // The same request again before expiry answers the same code_url.
    if (existing) return json(200, { code_url: existing.codeUrl });
    const order: FakeWechatOrder = {
      appid: body.appid,
      mchid: body.mchid,
      outTradeNo: body.out_trade_no,
      description: body.description,
      total: body.amount.total,
      currency: body.amount.currency ?? 'CNY',
      notifyUrl: body.notify_url,
      timeExpire: body.time_expire,
      codeUrl: `weixin://wxpay/bizpayurl?pr=${randomBytes(6).toString('base64url')}`,
      state: 'NOTPAY',
    };
    this.orders.set(order.outTradeNo, order);
    return json(200, { code_url: order.codeUrl });
  }

  private query(outTradeNo: string, mchid: string | null): GatewayReply {
    this.counters.query += 1;
    if (mchid !== this.options.mchId) return error(400, 'PARAM_ERROR', 'mchid与请求头不一致');
    const order = this.orders.get(outTradeNo);
    return order ? json(200, this.transaction(order)) : error(404, 'ORDER_NOT_EXIST', '订单不存在');
  }

  private close(outTradeNo: string, request: ReceivedRequest): GatewayReply {
    this.counters.close += 1;
    const body = JSON.parse(request.rawBody.toString('utf8') || '{}') as { mchid?: string };
    if (body.mchid !== this.options.mchId) return error(400, 'PARAM_ERROR', 'mchid与请求头不一致');
    const order = this.orders.get(outTradeNo);
    if (!order) return error(404, 'ORDER_NOT_EXIST', '订单不存在');
    if (order.state === 'SUCCESS' || order.state === 'REFUND') return error(400, 'ORDERPAID', '该订单已支付');
    order.state = 'CLOSED';
    return { status: 204, body: '' };
  }
}
