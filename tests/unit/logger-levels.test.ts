import { describe, expect, it } from 'vitest';
import { capturingLogger } from '../support/capturing-logger.js';

describe('log levels', () => {
  it('neither formats nor writes a line below the configured level', () => {
    const { logger, lines } = capturingLogger({ level: 'warn', json: true });
    let fieldsRead = 0;
    // winston copies the top-level fields itself; only formatting (redaction, JSON) reads nested ones.
    const fields = {
      request: {
        get path() {
          fieldsRead++;
          return '/api/jobs';
        },
      },
    };
    logger.http('request', fields);
    logger.info('request refused', fields);
    expect(lines).toEqual([]);
    expect(fieldsRead).toBe(0);
  });

  it('writes lines at and above the configured level, formatted', () => {
    const { logger, lines } = capturingLogger({ level: 'http', json: true });
    logger.http('request', { path: '/api/jobs', status: 200 });
    logger.error('failed', { status: 500 });
    logger.debug('hidden');
    expect(lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toMatchObject([
      { level: 'http', message: 'request', path: '/api/jobs', status: 200, service: 'test' },
      { level: 'error', message: 'failed', status: 500 },
    ]);
  });
});
