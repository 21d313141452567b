export type ContentCoding = 'br' | 'gzip';

/** Smallest first: on equal preference the browser gets the fewest bytes. */
const BY_SIZE: readonly ContentCoding[] = ['br', 'gzip'];

/**
 * The coding to send from those `available`, by the request's `Accept-Encoding` (RFC 9110 §12.5.3): the
 * highest q-value wins, `*` stands for any coding not named, `q=0` refuses; ties go to the smaller coding.
 * `undefined` means the unencoded bytes.
 */
export function chooseContentCoding(acceptEncoding: string, available: readonly ContentCoding[]): ContentCoding | undefined {
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((param) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    weights.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  let best: ContentCoding | undefined;
  let bestWeight = 0;
  for (const coding of BY_SIZE) {
    if (!available.includes(coding)) continue;
    const weight = weights.get(coding) ?? weights.get('*') ?? 0;
    if (weight > bestWeight) {
      best = coding;
      bestWeight = weight;
    }
  }
  return best;
}
