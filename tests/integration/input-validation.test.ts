import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, registerUser, uploadImage, type ApiClient, type TestUser } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { startTestStack, type TestStack } from '../support/test-stack.js';

let stack: TestStack;
let client: ApiClient;
let user: TestUser;
let uploadId: string;

beforeAll(async () => {
  stack = await startTestStack();
  client = apiClient(stack.baseUrl);
  user = await registerUser(client);
  uploadId = (await uploadImage(stack.baseUrl, user.token, await makeJpeg(32, 32))).body.id;
});

afterAll(() => stack?.close());

const rowCounts = async () => {
  const [jobs, ledger, users] = await Promise.all(
    ['effect_jobs', 'credit_ledger', 'users'].map(async (table) => Number((await stack.db(table).count({ n: '*' }))[0]!.n)),
  );
  return { jobs, ledger, users };
};

/** `cosnap_errors_total` of the API for one error class, read from its registry. */
const errorsOfClass = async (errorClass: string) =>
  (await stack.api.deps.metrics.errors.get()).values
    .filter((sample) => sample.labels.class === errorClass && sample.labels.source === 'api')
    .reduce((total, sample) => total + sample.value, 0);

/** JSON text exactly as written: JSON.stringify would escape lone surrogates, and the point is to send them. */
const rawJson = (body: string) => ({ headers: { 'Content-Type': 'application/json' }, body });

describe('strings Postgres cannot store', () => {
  it.each([
    ['a NUL byte in effectId', `{"effectId": "passthrough\\u0000", "uploadId": "%UPLOAD%"}`, 'effectId'],
    ['a NUL byte deep in params', `{"effectId": "passthrough", "uploadId": "%UPLOAD%", "params": {"a": [{"b": "x\\u0000y"}]}}`, 'params.a.0.b'],
    ['a NUL byte in a params key', `{"effectId": "passthrough", "uploadId": "%UPLOAD%", "params": {"ho\\u0000ld": 1}}`, 'params.ho\uFFFDld'],
    ['a lone high surrogate', `{"effectId": "pass\\ud800through", "uploadId": "%UPLOAD%"}`, 'effectId'],
    ['a lone low surrogate in params', `{"effectId": "passthrough", "uploadId": "%UPLOAD%", "params": {"note": "\\udc00"}}`, 'params.note'],
  ])('refuses %s with 400 VALIDATION_FAILED before the database, counted as validation', async (_case, body, field) => {
    const before = await rowCounts();
    const [databaseErrors, validationErrors] = [await errorsOfClass('database'), await errorsOfClass('validation')];
    const response = await client.request('POST', '/api/jobs', { token: user.token, ...rawJson(body.replace('%UPLOAD%', uploadId)) });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('VALIDATION_FAILED');
    expect(Object.keys(response.body.error.details.fields)).toEqual([field]);
    expect(await rowCounts()).toEqual(before);
    expect(await errorsOfClass('database')).toBe(databaseErrors);
    expect(await errorsOfClass('validation')).toBe(validationErrors + 1);
  });

  it('accepts a well-formed astral character (a surrogate pair)', async () => {
    const email = `astral-${Date.now()}@example.test`;
    const response = await client.request('POST', '/api/auth/register', rawJson(`{"email": "${email}", "password": "camera \\ud83d\\udcf7 password"}`));
    expect(response.status).toBe(201);
    expect((await client.post('/api/auth/login', { email, password: 'camera \u{1F4F7} password' })).status).toBe(200);
  });

  it('refuses them in sign-up fields and query strings', async () => {
    const before = await rowCounts();
    const register = await client.request('POST', '/api/auth/register', rawJson('{"email": "nul\\u0000@example.test", "password": "long enough password"}'));
    expect(register.status).toBe(400);
    expect(register.body.error.details.fields).toHaveProperty('email');
    const login = await client.request('POST', '/api/auth/login', rawJson('{"email": "a@example.test", "password": "\\ud800\\ud800"}'));
    expect(login.status).toBe(400);
    const list = await client.get('/api/jobs?cursor=%00', user.token);
    expect(list.status).toBe(400);
    expect(list.body.error.details.fields).toHaveProperty('cursor');
    expect(await rowCounts()).toEqual(before);
  });

  it('never lets a NUL byte in Idempotency-Key reach the application', async () => {
    const before = await rowCounts();
    const body = JSON.stringify({ effectId: 'passthrough', uploadId });
    // fetch refuses to send such a header, so the request is written by hand.
    const answer = await new Promise<string>((resolve, reject) => {
      const { port } = new URL(stack.baseUrl);
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          `POST /api/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${user.token}\r\nContent-Type: application/json\r\n` +
            `Idempotency-Key: key\0with-nul\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(await rowCounts()).toEqual(before);
  });

  it('refuses an Idempotency-Key outside its alphabet with 400 naming the header', async () => {
    const response = await client.request('POST', '/api/jobs', {
      token: user.token,
      json: { effectId: 'passthrough', uploadId },
      headers: { 'Idempotency-Key': 'spaces are not allowed' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.details.fields).toHaveProperty('idempotency-key');
  });
});
