import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';
import { startPaymentGateways, type PaymentGateways } from '../support/payment-gateways.js';
import { apiContract } from '../support/openapi-contract.js';

/*
 * Thousands of generated requests against every JSON route and the upload route: bodies, headers, ids and query
 * strings built from nasty text (NUL, lone surrogates, bidi marks, path tricks, huge numbers, deep nesting).
 * Whatever arrives, the API must answer below 500, and a refused request must change no row and no balance.
 * The number of runs is fixed, so the time is bounded; a failure prints the seed that reproduces it.
 */

/** Runs per route; times the routes below, a few thousand requests in all. */
const RUNS = 120;

let stack: TestStack;
/** Signed in and with credits, but without an upload of its own: no submission of it can be valid. */
let alice: TestUser;
/** Owns the only upload and a queued job, which Alice's requests must never touch. */
let bob: TestUser;
let bobUpload: string;
let bobJob: string;
/** Bob's pending sandbox order. */
let bobOrder: string;
let gateways: PaymentGateways;

beforeAll(async () => {
  gateways = await startPaymentGateways();
  stack = await startTestStack(gateways.env);
  const client = apiClient(stack.baseUrl);
  [alice, bob] = [await registerUser(client, 'alice'), await registerUser(client, 'bob')];
  bobUpload = (await uploadImage(stack.baseUrl, bob.token, await makeJpeg(32, 32))).body.id;
  const submitted = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: bobUpload }, bob.token);
  expect(submitted.status).toBe(202);
  bobJob = submitted.body.job.id;
  const order = await client.post('/api/payments/orders', { packageId: 'credits-60', provider: 'sandbox' }, bob.token);
  expect(order.status).toBe(201);
  bobOrder = order.body.order.id;
});

afterAll(async () => {
  await stack?.close();
  await gateways?.stop();
});

interface Snapshot {
  users: number;
  ledger: number;
  jobs: number;
  uploads: number;
  tokens: number;
  revoked: number;
  credits: number;
  jobsChangedAt: string | null;
  orders: number;
  ordersChangedAt: string | null;
}

/** Everything a request could change, in one round trip. */
async function snapshot(): Promise<Snapshot> {
  const result = await stack.db.raw<{ rows: Snapshot[] }>(`
    SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM credit_ledger)::int AS ledger,
           (SELECT count(*) FROM effect_jobs)::int AS jobs, (SELECT count(*) FROM uploads)::int AS uploads,
           (SELECT count(*) FROM refresh_tokens)::int AS tokens,
           (SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NOT NULL)::int AS revoked,
           (SELECT coalesce(sum(credit_balance), 0) FROM users)::int AS credits,
           (SELECT max(updated_at)::text FROM effect_jobs) AS "jobsChangedAt",
           (SELECT count(*) FROM payment_orders)::int AS orders,
           (SELECT max(updated_at)::text FROM payment_orders) AS "ordersChangedAt"`);
  return result.rows[0]!;
}

const balances = async () =>
  Object.fromEntries((await stack.db('users').whereIn('id', [alice.id, bob.id]).select('id', 'credit_balance')).map((row) => [row.id, row.credit_balance]));

// --- generators -------------------------------------------------------------------------------------------------

const nastyUnit = fc.constantFrom('\u0000', '\ud800', '\udfff', '\u202e', '\uffff', '\u00e9', '😀', '%', '%00', '../', '\\', '"', "'", ';', '\n', ' ');
const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.string({ unit: nastyUnit, maxLength: 12 }),
  fc.constantFrom('', 'sketch', 'passthrough', 'admin', 'null', '-1', '1e309', 'a'.repeat(300)),
);
/** Ids: garbage, fresh UUIDs, and the ids of Bob's rows, which Alice must never reach. */
// Bob's ids exist only once `beforeAll` ran: read them when a value is generated, not when this is defined.
const anyId = fc.oneof(text, fc.uuid(), fc.constant(null).map(() => bobUpload), fc.constant(null).map(() => bobJob), fc.constant(null).map(() => bobOrder));

const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** JSON text, malformed text, or absurd shapes (deep nesting, huge numbers). */
const rawBody = fc.oneof(
  { weight: 4, arbitrary: json.map((value) => JSON.stringify(value) ?? 'null') },
  text,
  fc.integer({ min: 1, max: 3000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth)),
  fc.constantFrom('{"a":1e999999}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{', '\u0000', '[]', '""'),
);
const contentType = fc.oneof(
  { weight: 4, arbitrary: fc.constant('application/json') },
  fc.constantFrom('application/json; charset=latin1', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', ''),
);

/** Header values fetch is willing to send: visible Latin-1, no leading or trailing space. */
const headerValue = fc
  .string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 60 })
  .map((value) => value.trim());
const authorization = fc.oneof(
  headerValue,
  headerValue.map((value) => `Bearer ${value}`),
  fc.constantFrom('Bearer a.b.c', 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'Basic YWRtaW46YWRtaW4='),
);

/** Often nearly valid, so requests get past validation to the database function that accepts a job. */
const jobBody = fc.oneof(
  rawBody,
  fc
    .record({ effectId: fc.oneof(text, json), uploadId: fc.oneof(anyId, json), params: json }, { requiredKeys: [] })
    .map((body) => JSON.stringify(body)),
  fc
    .record({
      effectId: fc.oneof(fc.constantFrom('sketch', 'passthrough', 'cartoon', 'vintage'), text),
      uploadId: anyId,
      params: fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom('holdMs', 'strength', 'x'), json, { maxKeys: 2 })),
    })
    .map((body) => JSON.stringify(body)),
);

/** Orders: garbage, and nearly valid ones with unknown packages and providers. */
const orderBody = fc
  .record({ packageId: fc.oneof(fc.constantFrom('credits-60', 'credits-1000', 'nope'), text), provider: fc.oneof(fc.constantFrom('wechat', 'alipay', 'sandbox', 'paypal'), text) }, { requiredKeys: [] })
  .map((body) => JSON.stringify(body));

/** WeChat Pay notifications shaped like real ones, with signature headers that cannot verify. */
const wechatNotification = fc
  .record({ id: text, event_type: fc.oneof(fc.constant('TRANSACTION.SUCCESS'), text), resource: fc.oneof(json, fc.record({ algorithm: text, ciphertext: text, nonce: text, associated_data: text })) }, { requiredKeys: [] })
  .map((body) => JSON.stringify(body));
const wechatHeaders = fc.record(
  {
    'Wechatpay-Timestamp': fc.oneof(headerValue, fc.constant(null).map(() => String(Math.floor(Date.now() / 1000)))),
    'Wechatpay-Nonce': headerValue,
    'Wechatpay-Serial': headerValue,
    'Wechatpay-Signature': fc.oneof(headerValue, fc.constant('WECHATPAY/SIGNTEST/AAAA')),
  },
  { requiredKeys: [] },
);

/** Alipay notifications: urlencoded forms with the real field names and garbage values (and `%` and `+` traps). */
const alipayForm = fc
  .dictionary(fc.oneof(fc.constantFrom('app_id', 'out_trade_no', 'trade_no', 'trade_status', 'total_amount', 'sign', 'sign_type', 'notify_id', 'charset'), text), text, { maxKeys: 8 })
  .map((form) => new URLSearchParams(form).toString());

const multipart = fc
  .record({
    boundary: fc.oneof(fc.constant('fuzzboundary'), headerValue.filter((value) => value.length > 0 && !/[";]/.test(value))),
    field: fc.oneof(fc.constant('file'), text),
    filename: text,
    type: fc.oneof(fc.constantFrom('image/jpeg', 'image/png', 'image/webp', 'application/octet-stream'), headerValue),
    bytes: fc.uint8Array({ maxLength: 2048 }),
    truncate: fc.boolean(),
  })
  .map(({ boundary, field, filename, type, bytes, truncate }) => {
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`;
    const tail = truncate ? '' : `\r\n--${boundary}--\r\n`;
    return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat([Buffer.from(head), Buffer.from(bytes), Buffer.from(tail)]) };
  });

// --- the property -----------------------------------------------------------------------------------------------

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const statuses = new Map<string, Map<number, number>>();

/** Sends one request and checks the invariants; `route` names it for the summary. */
async function check(route: string, request: FuzzRequest): Promise<void> {
  const before = await snapshot();
  let response: Response;
  try {
    response = await fetch(`${stack.baseUrl}${request.path}`, {
      method: request.method,
      headers: request.headers,
      body: request.body === undefined ? undefined : new Uint8Array(Buffer.from(request.body)),
      signal: AbortSignal.timeout(15_000),
    });
  } catch (error) {
    // fetch refuses to send some generated requests (an invalid header value): nothing reached the API.
    if (error instanceof TypeError && !(error.cause instanceof Error && 'code' in error.cause)) return;
    throw new Error(`${request.method} ${request.path} failed: ${String(error)}`, { cause: error });
  }
  const text = await response.text();
  const counts = statuses.get(route) ?? new Map<number, number>();
  counts.set(response.status, (counts.get(response.status) ?? 0) + 1);
  statuses.set(route, counts);

  expect(response.status, `${request.method} ${request.path} answered ${response.status}: ${text.slice(0, 300)}`).toBeLessThan(500);
  const body: unknown = response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text;
  apiContract().assertResponse({ method: request.method, path: request.path, status: response.status, headers: response.headers, body });
  if (response.status >= 400) {
    expect(await snapshot(), `${request.method} ${request.path} was refused (${response.status}) but changed rows`).toEqual(before);
    // The payment providers' notify routes answer in each provider's own format (WeChat `{code: "FAIL"}`, Alipay
    // plain text), not our envelope — except for refusals before the provider is involved (413, 404).
    const providerReply = /^\/api\/payments\/(wechat|alipay)\/notify$/.test(request.path) && response.status !== 413;
    if (providerReply) expect(request.path.includes('wechat') ? JSON.parse(text) : text).toMatchObject(request.path.includes('wechat') ? { code: 'FAIL' } : /^fail$/);
    else if (response.headers.get('content-type')?.includes('json')) expect(JSON.parse(text)).toHaveProperty('error.code');
  }
}

const bearer = () => ({ Authorization: `Bearer ${alice.token}` });
const LONE_SURROGATE = /([\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF])/;
/** encodeURIComponent, except that a lone surrogate goes out as the three bytes it would take (invalid UTF-8). */
const encode = (value: string) =>
  value
    .split(LONE_SURROGATE)
    .map((part) =>
      LONE_SURROGATE.test(part)
        ? [0xe0 | (part.charCodeAt(0) >> 12), 0x80 | ((part.charCodeAt(0) >> 6) & 63), 0x80 | (part.charCodeAt(0) & 63)]
            .map((byte) => `%${byte.toString(16).toUpperCase()}`)
            .join('')
        : encodeURIComponent(part),
    )
    .join('');
const query = fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 3 })), { maxKeys: 4 }).map((entries) => {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(entries)) for (const item of [value].flat()) params.append(key, item);
  // URLSearchParams sends a lone surrogate as U+FFFD; put back the bytes it would have had, invalid UTF-8.
  return params.toString().replaceAll('%EF%BF%BD', '%ED%A0%80');
});

describe('fuzzing every JSON route and the upload route', () => {
  const property = <T>(route: string, arbitrary: fc.Arbitrary<T>, toRequest: (value: T) => FuzzRequest) =>
    fc.assert(
      fc.asyncProperty(arbitrary, (value) => check(route, toRequest(value))),
      { numRuns: RUNS },
    );

  it('never answers 5xx nor changes a row or a balance on a refusal', async () => {
    const balancesBefore = await balances();
    const jsonPost = (path: string, auth?: Record<string, string>) =>
      property(path, fc.record({ body: rawBody, type: contentType }), ({ body, type }) => ({
        method: 'POST',
        path,
        headers: { ...(type && { 'Content-Type': type }), ...auth },
        body,
      }));

    await jsonPost('/api/auth/register');
    await jsonPost('/api/auth/login');
    await property('/api/auth/login (shaped)', fc.record({ email: fc.oneof(text, json), password: fc.oneof(text, json) }, { requiredKeys: [] }), (body) => ({
      method: 'POST',
      path: '/api/auth/login',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }));
    await jsonPost('/api/auth/password', bearer());
    await property('/api/auth/refresh', fc.record({ cookie: headerValue, auth: authorization }), ({ cookie, auth }) => ({
      method: 'POST',
      path: '/api/auth/refresh',
      headers: { Cookie: `cosnap_refresh=${cookie}`, Authorization: auth },
    }));
    await property('/api/auth/logout', fc.record({ cookie: headerValue, auth: authorization, body: rawBody }), ({ cookie, auth, body }) => ({
      method: 'POST',
      path: '/api/auth/logout',
      headers: { Cookie: `cosnap_refresh=${cookie}`, Authorization: auth, 'Content-Type': 'application/json' },
      body,
    }));
    await property('/api/me', authorization, (auth) => ({ method: 'GET', path: '/api/me', headers: { Authorization: auth } }));
    await property('POST /api/jobs', fc.record({ body: jobBody, type: contentType, key: fc.option(fc.oneof(headerValue, fc.uuid())) }), ({ body, type, key }) => ({
      method: 'POST',
      path: '/api/jobs',
      headers: { ...bearer(), ...(type && { 'Content-Type': type }), ...(key !== null && { 'Idempotency-Key': key }) },
      body,
    }));
    await property('GET /api/jobs', query, (search) => ({ method: 'GET', path: `/api/jobs?${search}`, headers: bearer() }));
    await property('GET /api/jobs/:id', anyId, (id) => ({ method: 'GET', path: `/api/jobs/${encode(id)}`, headers: bearer() }));
    await property('POST /api/jobs/:id/cancel', fc.record({ id: anyId, body: rawBody }), ({ id, body }) => ({
      method: 'POST',
      path: `/api/jobs/${encode(id)}/cancel`,
      headers: { ...bearer(), 'Content-Type': 'application/json' },
      body,
    }));
    await property('GET /api/jobs/:id/events', fc.record({ id: anyId, token: fc.oneof(text, fc.constant(alice.token)), lastId: headerValue }), ({ id, token, lastId }) => ({
      method: 'GET',
      path: `/api/jobs/${encode(id)}/events?access_token=${encode(token)}`,
      headers: { 'Last-Event-ID': lastId },
    }));
    await property('GET /api/uploads/:id', anyId, (id) => ({ method: 'GET', path: `/api/uploads/${encode(id)}`, headers: bearer() }));
    await property('POST /api/uploads (multipart)', multipart, ({ contentType: type, body }) => ({
      method: 'POST',
      path: '/api/uploads',
      headers: { ...bearer(), 'Content-Type': type },
      body,
    }));
    await property('POST /api/uploads (raw)', fc.record({ body: fc.uint8Array({ maxLength: 2048 }), type: fc.oneof(contentType, headerValue) }), ({ body, type }) => ({
      method: 'POST',
      path: '/api/uploads',
      headers: { ...bearer(), ...(type && { 'Content-Type': type }) },
      body: Buffer.from(body),
    }));
    await property('/api/admin/session', fc.record({ auth: fc.oneof(authorization, fc.constant(`Bearer ${alice.token}`)), method: fc.constantFrom('POST', 'DELETE') }), ({ auth, method }) => ({
      method,
      path: '/api/admin/session',
      headers: { Authorization: auth },
    }));
    await property('POST /api/payments/orders', fc.record({ body: fc.oneof(rawBody, orderBody), type: contentType }), ({ body, type }) => ({
      method: 'POST',
      path: '/api/payments/orders',
      headers: { ...bearer(), ...(type && { 'Content-Type': type }) },
      body,
    }));
    await property('GET /api/payments/orders', query, (search) => ({ method: 'GET', path: `/api/payments/orders?${search}`, headers: bearer() }));
    await property('GET /api/payments/orders/:id', anyId, (id) => ({ method: 'GET', path: `/api/payments/orders/${encode(id)}`, headers: bearer() }));
    await property('POST /api/payments/sandbox/:id/pay', fc.record({ id: anyId, body: rawBody }), ({ id, body }) => ({
      method: 'POST',
      path: `/api/payments/sandbox/${encode(id)}/pay`,
      headers: bearer(),
      body,
    }));
    await property('POST /api/payments/wechat/notify', fc.record({ body: fc.oneof(rawBody, wechatNotification), headers: wechatHeaders }), ({ body, headers }) => ({
      method: 'POST',
      path: '/api/payments/wechat/notify',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
    }));
    await property('POST /api/payments/alipay/notify', fc.oneof(rawBody, alipayForm), (body) => ({
      method: 'POST',
      path: '/api/payments/alipay/notify',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body,
    }));
    await property('GET /api/effects', query, (search) => ({ method: 'GET', path: `/api/effects?${search}`, headers: {} }));
    await property('GET /files/*', fc.record({ key: fc.oneof(text, fc.constant(`uploads/${bob.id}/${bobUpload}.jpg`)), search: query }), ({ key, search }) => ({
      method: 'GET',
      path: `/files/${key.split('/').map(encode).join('/')}?${search}`,
      headers: {},
    }));

    expect(await balances()).toEqual(balancesBefore);
    expect((await stack.db('effect_jobs').where('id', bobJob).first('status'))?.status).toBe('queued');
    expect((await stack.db('payment_orders').where('id', bobOrder).first('status'))?.status).toBe('pending');
    const summary = [...statuses].map(([route, counts]) => `${route}: ${[...counts].map(([status, n]) => `${status}×${n}`).join(' ')}`);
    console.log(`fuzzed statuses\n  ${summary.join('\n  ')}`);
  }, 600_000);
});
