/**
 * Fen (our integer money) ↔ yuan strings (Alipay's `total_amount`), by string arithmetic only: 0.1 + 0.2 is not
 * 0.3 in floating point, and an amount check that rounds can be fooled by a fen.
 */

/** The largest amount we ever convert: 10 million yuan, far above any credit package, well inside 2^53. */
export const MAX_FEN = 1_000_000_000;

/** 990 → "9.90", 5 → "0.05". Throws on anything but an integer in [0, MAX_FEN]. */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0 || fen > MAX_FEN) throw new RangeError(`not an amount in fen: ${fen}`);
  const digits = String(fen).padStart(3, '0');
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

const YUAN = /^(0|[1-9]\d{0,9})(?:\.(\d{1,2}))?$/;

/**
 * "9.90" → 990, "9.9" → 990, "10" → 1000. Anything else — a sign, an exponent, a third decimal, spaces, a
 * leading zero — is not an amount a provider sends, and returns undefined rather than a guess.
 */
export function yuanToFen(yuan: string): number | undefined {
  const match = YUAN.exec(yuan);
  if (!match) return undefined;
  const [, whole = '0', fraction = ''] = match;
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return fen <= MAX_FEN ? fen : undefined;
}
