import winston from 'winston';
import { currentContext } from './request-context.js';
import { redact, redactString } from './redact.js';

export type Logger = winston.Logger;

const withContextAndRedaction = winston.format((info) => {
  const context = currentContext();
  if (context) {
    for (const [key, value] of Object.entries(context)) if (info[key] === undefined) info[key] = value;
  }
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    info[key] = key === 'message' && typeof info[key] === 'string' ? redactString(info[key]) : redact(info[key]);
  }
  return info;
});

/** JSON lines in production (one object a line, for the log pipeline), colourised text on a terminal. */
export function createLogger(options: { level: string; service: string; json: boolean }): Logger {
  // winston runs the whole format chain (redaction, JSON) before its transports drop a line below their level;
  // a line no transport will write is dropped here first, so disabled levels cost next to nothing.
  const dropDisabled = winston.format((info) => (logger.isLevelEnabled(info.level) ? info : false));
  const logger = winston.createLogger({
    level: options.level,
    defaultMeta: { service: options.service },
    format: winston.format.combine(
      dropDisabled(),
      winston.format.errors({ stack: true }),
      withContextAndRedaction(),
      winston.format.timestamp(),
      options.json
        ? winston.format.json()
        : winston.format.combine(
            winston.format.colorize(),
            winston.format.printf(({ level, message, timestamp, service, ...rest }) => {
              const extra = Object.keys(rest).length ? ` ${JSON.stringify(rest)}` : '';
              return `${String(timestamp)} ${String(service)} ${level}: ${String(message)}${extra}`;
            }),
          ),
    ),
    transports: [new winston.transports.Console()],
  });
  return logger;
}
