/**
 * `JSON.parse`, except that integer literals a double cannot hold exactly come back as strings of digits.
 * RunningHub ids are 19-digit numbers and some responses carry `taskId` as a bare JSON number: parsed the plain
 * way, 1952457929792401409 becomes 1952457929792401400 and the task is lost.
 */
export function parseJsonKeepingLongIntegers(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const isDigit = (code: number) => code >= 0x30 && code <= 0x39;
const isNumberTail = (char: string | undefined) => char === '.' || char === 'e' || char === 'E';

/**
 * Wraps every unsafe integer literal outside string literals in quotes. Outside strings, digits can only belong
 * to number literals (`true`, `false`, `null` have none), so one pass that skips strings is enough. Text that is
 * not JSON comes out as not JSON, and `JSON.parse` reports it.
 */
export function quoteLongIntegers(text: string): string {
  let out = '';
  let copiedUpTo = 0;
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      index = endOfString(text, index);
      continue;
    }
    if (code !== MINUS && !isDigit(code)) {
      index += 1;
      continue;
    }
    const start = index;
    index += 1;
    while (index < text.length && isDigit(text.charCodeAt(index))) index += 1;
    if (isNumberTail(text[index])) {
      // A fraction or an exponent: not an id, and JSON.parse rounds it as any client would.
      while (index < text.length && /[0-9.eE+-]/.test(text[index]!)) index += 1;
      continue;
    }
    const literal = text.slice(start, index);
    if (!Number.isSafeInteger(Number(literal))) {
      out += `${text.slice(copiedUpTo, start)}"${literal}"`;
      copiedUpTo = index;
    }
  }
  return out + text.slice(copiedUpTo);
}

/** Index just past the string literal opening at `start` (or the end of the text if it never closes). */
function endOfString(text: string, start: number): number {
  let index = start + 1;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    if (code === BACKSLASH) index += 2;
    else if (code === QUOTE) return index + 1;
    else index += 1;
  }
  return index;
}
