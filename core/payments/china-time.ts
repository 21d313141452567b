/**
 * Both providers speak Beijing time (UTC+8, no daylight saving): WeChat as RFC 3339 with `+08:00`, Alipay as
 * `yyyy-MM-dd HH:mm:ss` without a zone. Our servers may run in any zone, so never format with local time.
 */

const OFFSET_MS = 8 * 3600 * 1000;

/** The wall-clock fields of `date` in Beijing, as `yyyy-MM-ddTHH:mm:ss` (no fraction, no zone). */
function beijingWallClock(date: Date): string {
  return new Date(date.getTime() + OFFSET_MS).toISOString().slice(0, 19);
}

/** `2026-11-26T13:29:35+08:00` (WeChat `time_expire`). */
export function toBeijingRfc3339(date: Date): string {
  return `${beijingWallClock(date)}+08:00`;
}

/** `2026-11-26 13:29:35` (Alipay `time_expire`, `gmt_payment`, `send_pay_date`). */
export function toBeijingDateTime(date: Date): string {
  return beijingWallClock(date).replace('T', ' ');
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Parses Alipay's zone-less Beijing time; undefined for anything else. */
export function parseBeijingDateTime(value: string | undefined): Date | undefined {
  if (!value || !DATE_TIME.test(value)) return undefined;
  const date = new Date(`${value.replace(' ', 'T')}+08:00`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Parses an RFC 3339 time with an explicit zone (WeChat `success_time`); undefined for anything else. */
export function parseRfc3339(value: string | undefined): Date | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
