import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger } from '../../core/observability/logger.js';

/** Our logger with its console transport swapped for an array of the lines it writes. */
export function capturingLogger(options: { level: string; json: boolean }) {
  const lines: string[] = [];
  const logger = createLogger({ ...options, service: 'test' });
  logger.clear();
  logger.add(
    new winston.transports.Stream({
      stream: new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    }),
  );
  return { logger, lines };
}
