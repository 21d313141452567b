import { describe, expect, it } from 'vitest';
import { parseBeijingDateTime, parseRfc3339, toBeijingDateTime, toBeijingRfc3339 } from '../../core/payments/china-time.js';
import { fenToYuan, MAX_FEN, yuanToFen } from '../../core/payments/money.js';

describe('fen and yuan', () => {
  it('writes fen as yuan with exactly two decimals', () => {
    expect(fenToYuan(990)).toBe('9.90');
    expect(fenToYuan(5)).toBe('0.05');
    expect(fenToYuan(0)).toBe('0.00');
    expect(fenToYuan(100)).toBe('1.00');
    expect(fenToYuan(123456789)).toBe('1234567.89');
  });

  it('reads the yuan amounts providers send, with one, two or no decimals', () => {
    expect(yuanToFen('9.90')).toBe(990);
    expect(yuanToFen('9.9')).toBe(990);
    expect(yuanToFen('10')).toBe(1000);
    expect(yuanToFen('0.01')).toBe(1);
    expect(yuanToFen('0.29')).toBe(29);
  });

  it('converts every amount up to 1000 yuan there and back without a fen lost', () => {
    const lost: number[] = [];
    for (let fen = 0; fen <= 100_000; fen += 1) if (yuanToFen(fenToYuan(fen)) !== fen) lost.push(fen);
    expect(lost).toEqual([]);
  });

  it('gets the amounts right that floating point gets wrong', () => {
    // 0.29 * 100 is 28.999999999999996 and 1.15 * 100 is 114.99999999999999 in binary floating point.
    expect(yuanToFen('0.29')).toBe(29);
    expect(yuanToFen('1.15')).toBe(115);
    expect(yuanToFen('4.35')).toBe(435);
  });

  it('refuses anything that is not a plain amount instead of guessing', () => {
    for (const text of ['', ' 9.90', '9.90 ', '-1.00', '+1.00', '1e3', '9.999', '09.90', '9.', '.90', '9,90', '0x10', 'NaN', 'Infinity'])
      expect(yuanToFen(text), text).toBeUndefined();
    expect(yuanToFen('99999999999')).toBeUndefined();
  });

  it('refuses to write a fraction of a fen, a negative amount or one past the maximum', () => {
    for (const fen of [-1, 1.5, Number.NaN, MAX_FEN + 1]) expect(() => fenToYuan(fen)).toThrow(RangeError);
  });
});

describe('Beijing time', () => {
  const instant = new Date('2026-11-26T05:29:35.678Z');

  it('formats an instant as Beijing wall-clock time whatever the server zone', () => {
    expect(toBeijingRfc3339(instant)).toBe('2026-11-26T13:29:35+08:00');
    expect(toBeijingDateTime(instant)).toBe('2026-11-26 13:29:35');
    expect(toBeijingDateTime(new Date('2026-12-31T16:00:00Z'))).toBe('2027-01-01 00:00:00');
  });

  it('reads Alipay times as Beijing time and WeChat times with their zone', () => {
    expect(parseBeijingDateTime('2026-11-26 13:29:35')?.toISOString()).toBe('2026-11-26T05:29:35.000Z');
    expect(parseRfc3339('2026-11-26T13:29:35+08:00')?.toISOString()).toBe('2026-11-26T05:29:35.000Z');
    expect(parseBeijingDateTime('2026-11-26T13:29:35')).toBeUndefined();
    expect(parseBeijingDateTime(undefined)).toBeUndefined();
    expect(parseRfc3339('2026-11-26 13:29:35')).toBeUndefined();
    expect(parseRfc3339('2026-11-26T13:29:35')).toBeUndefined();
  });
});
