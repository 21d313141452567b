/** A short, human label for a User-Agent ("Chrome on Android"); good enough to tell one's devices apart. */
export function describeDevice(userAgent: string | null): { browser: string; os: string } | undefined {
  if (!userAgent) return undefined;
  const browser = (
    [
      [/Edg\//, 'Edge'],
      [/OPR\/|Opera/, 'Opera'],
      [/MicroMessenger/, 'WeChat'],
      [/Firefox\//, 'Firefox'],
      [/Chrome\/|Chromium\/|CriOS\//, 'Chrome'],
      [/Safari\//, 'Safari'],
    ] as const
  ).find(([pattern]) => pattern.test(userAgent))?.[1];
  const os = (
    [
      [/Android/, 'Android'],
      [/iPhone|iPad|iPod/, 'iOS'],
      [/Windows/, 'Windows'],
      [/Mac OS X|Macintosh/, 'macOS'],
      [/CrOS/, 'ChromeOS'],
      [/Linux/, 'Linux'],
    ] as const
  ).find(([pattern]) => pattern.test(userAgent))?.[1];
  return browser && os ? { browser, os } : undefined;
}
