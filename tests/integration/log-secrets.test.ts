import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startTestStack, type TestStack } from '../support/test-stack.js';
import { apiClient, registerUser, uploadImage } from '../support/http-client.js';
import { makeJpeg } from '../support/images.js';
import { waitFor } from '../support/wait-for.js';

const secret = (name: string) => `${name}-${randomBytes(16).toString('hex')}`;
const env = {
  LOG_LEVEL: 'debug',
  WORKER_LOG_LEVEL: 'debug',
  JWT_ACCESS_SECRET: secret('access-secret'),
  JWT_REFRESH_SECRET: secret('refresh-secret'),
  STORAGE_SIGNING_SECRET: secret('signing-secret'),
  METRICS_TOKEN: secret('metrics-token'),
  ADMIN_BASIC_USER: 'ops',
  ADMIN_BASIC_PASSWORD: secret('basic-password'),
};

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack(env);
});

afterAll(async () => {
  await stack?.close();
});

describe('logs of a full run', () => {
  it('carry the request id from the API request into the worker, and contain no password, token or key the run used', async () => {
    const client = apiClient(stack.baseUrl);
    const workerPort = await freePort();
    const worker = await stack.startWorker({ WORKER_METRICS_PORT: String(workerPort) });
    const used: string[] = Object.entries(env)
      .filter(([key]) => /SECRET|TOKEN|PASSWORD/.test(key))
      .map(([, value]) => value);

    const user = await registerUser(client, 'logs');
    used.push(user.password, user.token);
    const login = await client.post('/api/auth/login', { email: user.email, password: user.password });
    used.push(login.body.accessToken);
    const refreshCookie = /cosnap_refresh=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
    expect(refreshCookie).toBeDefined();
    used.push(refreshCookie!);
    const wrongPassword = secret('wrong-password');
    used.push(wrongPassword);
    expect((await client.post('/api/auth/login', { email: user.email, password: wrongPassword })).status).toBe(401);
    const refreshed = await client.request('POST', '/api/auth/refresh', { headers: { Cookie: `cosnap_refresh=${refreshCookie}` } });
    used.push(refreshed.body.accessToken);
    expect((await client.get('/api/me', `${user.token}x`)).status).toBe(401);
    await stack.db('users').where('id', user.id).update({ role: 'admin' });
    const session = await client.request('POST', '/api/admin/session', { token: user.token });
    const adminCookie = /cosnap_admin=([^;]+)/.exec(session.headers.get('set-cookie') ?? '')?.[1];
    used.push(adminCookie!);
    const basic = `Basic ${Buffer.from(`ops:${env.ADMIN_BASIC_PASSWORD}`).toString('base64')}`;
    used.push(basic.slice('Basic '.length));
    expect((await fetch(`${stack.baseUrl}/admin/queues/api/queues`, { headers: { Authorization: basic } })).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/admin/queues/api/queues`, { headers: { Cookie: `cosnap_admin=${adminCookie}` } })).status).toBe(200);
    expect((await fetch(`${stack.baseUrl}/metrics`, { headers: { Authorization: `Bearer ${env.METRICS_TOKEN}` } })).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${workerPort}/metrics`, { headers: { Authorization: `Bearer ${env.METRICS_TOKEN}` } })).status).toBe(200);

    const upload = await uploadImage(stack.baseUrl, user.token, await makeJpeg(320, 240));
    const requestId = `trace-${randomBytes(6).toString('hex')}`;
    const submitted = await client.post('/api/jobs', { effectId: 'passthrough', uploadId: upload.body.id }, user.token, { 'X-Request-Id': requestId });
    expect(submitted.status).toBe(202);
    await waitFor('the job to succeed', async () => (await stack.db('effect_jobs').where('id', submitted.body.job.id).first()).status === 'succeeded');
    await worker.stop();

    const apiLines = stack.apiLogs().split('\n').filter(Boolean);
    const workerLines = worker.output().split('\n').filter(Boolean);
    expect(apiLines.length).toBeGreaterThan(10);
    expect(workerLines.length).toBeGreaterThan(3);
    // Correlation: the worker's lines for this job carry the id of the HTTP request that submitted it.
    expect(apiLines.some((line) => line.includes(`"requestId":"${requestId}"`))).toBe(true);
    const jobLines = workerLines.filter((line) => line.includes(`"requestId":"${requestId}"`));
    expect(jobLines.some((line) => line.includes('effect job succeeded'))).toBe(true);
    for (const line of [...apiLines, ...workerLines.filter((line) => line.startsWith('{'))]) {
      const parsed = JSON.parse(line) as { level?: string; message?: string; service?: string };
      expect(parsed.level && parsed.message !== undefined && parsed.service, line).toBeTruthy();
    }

    const everything = `${stack.apiLogs()}\n${worker.output()}`;
    for (const value of used) {
      expect(value.length).toBeGreaterThan(8);
      expect(everything.includes(value), `a secret of length ${value.length} leaked into the logs`).toBe(false);
    }
  });
});
