import { describe, expect, it } from 'vitest';
import { capturingLogger } from '../support/capturing-logger.js';
import { runWithContext } from '../../core/observability/request-context.js';

describe('the log formatter', () => {
  it('masks passwords, tokens, secrets and payment keys in fields, errors and messages, in JSON and text', () => {
    const secrets = {
      password: 'pw-hunter2-hunter2',
      accessToken: 'tok-0123456789',
      mchKey: 'wechat-mch-key-0123',
      apiV3Key: 'wechat-v3-key-0123',
      appPrivateKey: 'alipay-private-0123',
      accessKeySecret: 'oss-secret-0123',
      paymentKey: 'pay-key-0123',
      sentryDsn: 'https://abc@o1.ingest.sentry.io/1',
    };
    for (const json of [true, false]) {
      const { logger, lines } = capturingLogger({ level: 'debug', json });
      logger.info('login with Authorization: Bearer tok-0123456789', { body: secrets, headers: { cookie: 'cosnap_refresh=r-0123456789' } });
      logger.error('provider failed', { err: new Error('signature check failed for Basic b3BzOnNlY3JldA==') });
      const text = lines.join('\n');
      for (const value of [...Object.values(secrets), 'r-0123456789', 'b3BzOnNlY3JldA==']) expect(text, `${value} (json: ${json})`).not.toContain(value);
      expect(text).toContain('[redacted]');
    }
  });

  it('writes one JSON object a line with the correlation ids of the current request or job', () => {
    const { logger, lines } = capturingLogger({ level: 'debug', json: true });
    runWithContext({ requestId: 'req-12345678', jobId: 'job-1', queue: 'effects' }, () => logger.info('effect job succeeded', { effectJobId: 'e1' }));
    const parsed = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(parsed).toMatchObject({ level: 'info', message: 'effect job succeeded', requestId: 'req-12345678', jobId: 'job-1', queue: 'effects', service: 'test' });
  });
});
