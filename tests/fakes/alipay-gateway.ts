import { createSign, createVerify, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
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
 * A fake Alipay OpenAPI v3 (`/v3/alipay/trade/precreate|query|close`) faithful to the protocol: it verifies OUR
 * `ALIPAY-SHA256withRSA` authorization with the application public key, answers errors as HTTP 4xx/5xx
 * `{code, message}`, signs 2xx answers (`alipay-timestamp/nonce/signature` over `ts\nnonce\nbody\n`) and
 * notifications (RSA2 over the sorted parameters) with ITS key. A precreated trade does not exist at Alipay
 * until its QR code is scanned: queries and closes answer ACQ.TRADE_NOT_EXIST until then.
 */

export interface AlipayGatewayOptions {
  appId: string;
  appPublicKey: KeyObject;
}

export type AlipayTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_FINISHED' | 'TRADE_CLOSED';

export interface FakeAlipayOrder {
  outTradeNo: string;
  totalAmount: string;
  subject: string;
  notifyUrl?: string;
  timeExpire?: string;
  qrCode: string;
  /** Undefined until the buyer scans the QR code: the trade does not exist at Alipay yet. */
  status?: AlipayTradeStatus;
  tradeNo?: string;
  gmtPayment?: string;
}

export type AlipayNotificationTamper =
  | 'signature' // sign altered
  | 'amount' // total_amount changed and re-signed with a key that is not Alipay's
  | 'app_id' // genuine signature, another application's trade
  | 'sign_type_rsa'; // signed with RSA (SHA-1) instead of RSA2

const AMOUNT = /^(0|[1-9]\d*)(\.\d{1,2})?$/;
const beijingNow = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
const json = (status: number, body: unknown, headers: Record<string, string> = {}): GatewayReply => ({
  status,
  body: JSON.stringify(body),
  headers: { 'Content-Type': 'application/json;charset=utf-8', 'alipay-trace-id': randomBytes(16).toString('hex'), ...headers },
});
const error = (status: number, code: string, message: string) => json(status, { code, message });
const notExist = () => error(400, 'ACQ.TRADE_NOT_EXIST', '交易不存在');

/** Alipay's notification sign content: every parameter but `sign` and `sign_type`, sorted, `name=value`, decoded. */
export function alipayNotifySignContent(form: Record<string, string>): string {
  return Object.keys(form)
    .filter((name) => name !== 'sign' && name !== 'sign_type')
    .sort()
    .map((name) => `${name}=${form[name]}`)
    .join('&');
}

export class FakeAlipayGateway extends FakePaymentGateway<{ precreate: number; query: number; close: number } & GatewayCounters, FakeAlipayOrder> {
  protected readonly systemErrorCode = 'ACQ.SYSTEM_ERROR';
  private readonly alipayKeys = rsaKeys();

  private constructor(private readonly options: AlipayGatewayOptions) {
    super({ precreate: 0, query: 0, close: 0, refusedSignatures: 0, notificationsSent: 0 });
  }

  static start(options: AlipayGatewayOptions): Promise<FakeAlipayGateway> {
    return new FakeAlipayGateway(options).listen();
  }

  /** Alipay's public key, as our provider's `alipayPublicKey` option. */
  get alipayPublicKeyPem(): string {
    return String(this.alipayKeys.publicKey.export({ type: 'spki', format: 'pem' }));
  }

  /** The next `times` calls answer a proxy's HTML error page instead of JSON. */
  failNextWithHtml(times: number, status = 502): void {
    this.http.failNext(times, { status, body: '<html><body>502 Bad Gateway</body></html>', headers: { 'Content-Type': 'text/html' } });
  }

  /** The buyer scanned the QR code: the trade now exists, waiting for payment. */
  markScanned(outTradeNo: string): FakeAlipayOrder {
    const order = this.order(outTradeNo);
    order.status ??= 'WAIT_BUYER_PAY';
    order.tradeNo ??= `2026${Date.now()}${randomBytes(4).readUInt32BE(0)}`;
    return order;
  }
  markPaid(outTradeNo: string): FakeAlipayOrder {
    const order = this.markScanned(outTradeNo);
    Object.assign(order, { status: 'TRADE_SUCCESS', gmtPayment: beijingNow() });
    return order;
  }
  markClosed(outTradeNo: string): void {
    this.markScanned(outTradeNo).status = 'TRADE_CLOSED';
  }

  /**
   * Posts the trade_status_sync notification of a scanned order, genuine or spoiled, to the notify_url it was
   * precreated with (or to `url`). `fields` adds or overrides parameters before signing.
   */
  async notify(
    outTradeNo: string,
    options: DeliveryOptions & { url?: string; tamper?: AlipayNotificationTamper; fields?: Record<string, string> } = {},
  ): Promise<DeliveryResult[]> {
    const order = this.order(outTradeNo);
    const url = options.url ?? order.notifyUrl;
    if (!url) throw new Error(`the fake Alipay trade ${outTradeNo} has no notify_url`);
    const form = this.notificationForm(order, options.tamper, options.fields);
    const notification = { body: new URLSearchParams(form).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' } };
    return this.deliver(url, notification, options);
  }

  /** The notification's parameters as Alipay would post them (before urlencoding). */
  notificationForm(order: FakeAlipayOrder, tamper?: AlipayNotificationTamper, fields: Record<string, string> = {}): Record<string, string> {
    if (!order.status || !order.tradeNo) throw new Error(`the fake Alipay trade ${order.outTradeNo} was never scanned: no notification`);
    const form: Record<string, string> = {
      notify_time: beijingNow(),
      notify_type: 'trade_status_sync',
      notify_id: randomBytes(16).toString('hex'),
      app_id: tamper === 'app_id' ? '2021000000000000' : this.options.appId,
      charset: 'utf-8',
      version: '1.0',
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      trade_status: order.status,
      total_amount: tamper === 'amount' ? `${Number.parseInt(order.totalAmount, 10) + 1}.00` : order.totalAmount,
      receipt_amount: order.totalAmount,
      buyer_id: '2088102177846880',
      subject: order.subject,
      gmt_create: beijingNow(),
      ...(order.gmtPayment && { gmt_payment: order.gmtPayment }),
      ...fields,
    };
    const algorithm = tamper === 'sign_type_rsa' ? 'RSA-SHA1' : 'RSA-SHA256';
    const key = tamper === 'amount' ? this.rogueKeys.privateKey : this.alipayKeys.privateKey;
    const sign = createSign(algorithm).update(alipayNotifySignContent(form), 'utf8').sign(key, 'base64');
    return { ...form, sign_type: tamper === 'sign_type_rsa' ? 'RSA' : 'RSA2', sign: tamper === 'signature' ? flipFirstCharacter(sign) : sign };
  }


  protected errorReply(status: number, code: string, message: string): GatewayReply {
    return error(status, code, message);
  }

  protected handle(request: ReceivedRequest): GatewayReply {
    const refusal = this.checkAuthorization(request);
    if (refusal) return this.refuse(refusal);
    const body = JSON.parse(request.rawBody.toString('utf8') || '{}') as Record<string, any>;
    const reply =
      request.method !== 'POST'
        ? error(405, 'method-not-allowed', '不支持的请求方法')
        : request.pathWithQuery === '/v3/alipay/trade/precreate'
          ? this.precreate(body)
          : request.pathWithQuery === '/v3/alipay/trade/query'
            ? this.query(body)
            : request.pathWithQuery === '/v3/alipay/trade/close'
              ? this.close(body)
              : error(404, 'api-not-found', '接口不存在');
    return reply.status >= 200 && reply.status < 300 ? this.signed(reply) : reply;
  }

  /** `ALIPAY-SHA256withRSA app_id=…,nonce=…,timestamp=…,sign=…` over `authString\nMETHOD\npath\nbody\n`. */
  private checkAuthorization(request: ReceivedRequest): GatewayReply | undefined {
    const header = request.headers.authorization ?? '';
    const match = /^ALIPAY-SHA256withRSA (.+),sign=([A-Za-z0-9+/=]+)$/.exec(header);
    if (!match) return error(400, 'missing-timestamp', '缺少时间戳参数');
    const [, authString = '', sign = ''] = match;
    const fields = Object.fromEntries(authString.split(',').map((pair) => pair.split('=') as [string, string]));
    if (fields.app_id !== this.options.appId) return error(400, 'invalid-app-id', '无效的AppID参数');
    if (!/^\d+$/.test(fields.timestamp ?? '') || Math.abs(Date.now() - Number(fields.timestamp)) > 10 * 60_000)
      return error(400, 'invalid-timestamp', '非法的时间戳参数');
    const content = `${authString}\n${request.method}\n${request.pathWithQuery}\n${request.rawBody.toString('utf8')}\n`;
    const valid = createVerify('RSA-SHA256').update(content, 'utf8').verify(this.options.appPublicKey, sign, 'base64');
    return valid ? undefined : error(401, 'invalid-signature', '验签出错');
  }

  private signed(reply: GatewayReply): GatewayReply {
    const timestamp = String(Date.now());
    const nonce = randomUUID();
    const key = this.forgeResponses ? this.rogueKeys.privateKey : this.alipayKeys.privateKey;
    const signature = createSign('RSA-SHA256').update(`${timestamp}\n${nonce}\n${reply.body}\n`, 'utf8').sign(key, 'base64');
    return { ...reply, headers: { ...reply.headers, 'alipay-timestamp': timestamp, 'alipay-nonce': nonce, 'alipay-signature': signature } };
  }

  private precreate(body: Record<string, any>): GatewayReply {
    this.counters.precreate += 1;
    const valid =
      typeof body.out_trade_no === 'string' &&
      /^\w{1,64}$/.test(body.out_trade_no) &&
      typeof body.total_amount === 'string' &&
      AMOUNT.test(body.total_amount) &&
      Number(body.total_amount) > 0 &&
      typeof body.subject === 'string' &&
      body.subject.length > 0;
    if (!valid) return error(400, 'ACQ.INVALID_PARAMETER', '参数无效');
    const existing = this.orders.get(body.out_trade_no);
    if (existing?.status === 'TRADE_SUCCESS' || existing?.status === 'TRADE_FINISHED') return error(400, 'ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
    if (existing?.status === 'TRADE_CLOSED') return error(400, 'ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    if (existing) return json(200, { out_trade_no: existing.outTradeNo, qr_code: existing.qrCode });
    const order: FakeAlipayOrder = {
      outTradeNo: body.out_trade_no,
      totalAmount: body.total_amount,
      subject: body.subject,
      notifyUrl: body.notify_url,
      timeExpire: body.time_expire,
      qrCode: `https://qr.alipay.com/bax0${randomBytes(9).toString('hex')}`,
    };
    this.orders.set(order.outTradeNo, order);
    return json(200, { out_trade_no: order.outTradeNo, qr_code: order.qrCode });
  }

  private query(body: Record<string, any>): GatewayReply {
    this.counters.query += 1;
    const order = this.orders.get(body.out_trade_no);
    if (!order?.status) return notExist();
    return json(200, {
      trade_no: order.tradeNo,
      out_trade_no: order.outTradeNo,
      trade_status: order.status,
      total_amount: order.totalAmount,
      buyer_logon_id: 'tes***@sandbox.com',
      receipt_amount: order.status === 'TRADE_SUCCESS' ? order.totalAmount : '0.00',
      ...(order.gmtPayment && { send_pay_date: order.gmtPayment }),
    });
  }

  private close(body: Record<string, any>): GatewayReply {
    this.counters.close += 1;
    const order = this.orders.get(body.out_trade_no);
    if (!order?.status) return notExist();
    if (order.status === 'TRADE_SUCCESS' || order.status === 'TRADE_FINISHED') return error(400, 'ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
    order.status = 'TRADE_CLOSED';
    return json(200, { trade_no: order.tradeNo, out_trade_no: order.outTradeNo });
  }
}
