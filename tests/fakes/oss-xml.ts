/** The XML bodies OSS sends and the one it reads (DeleteMultipleObjects), in the service's element names. */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
export const escapeXml = (text: string) => text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
const unescapeXml = (text: string) =>
  text.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);/gi, (entity, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return Object.entries(ENTITIES).find(([, value]) => value === entity)?.[0] ?? entity;
  });

const XML_HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n';
const element = (name: string, value: string | number) => `<${name}>${escapeXml(String(value))}</${name}>`;

export function errorXml(fields: { code: string; message: string; requestId: string; hostId: string; extra?: Record<string, string> }): string {
  const extra = Object.entries(fields.extra ?? {}).map(([name, value]) => `  ${element(name, value)}\n`);
  return (
    `${XML_HEADER}<Error>\n  ${element('Code', fields.code)}\n  ${element('Message', fields.message)}\n` +
    `  ${element('RequestId', fields.requestId)}\n  ${element('HostId', fields.hostId)}\n${extra.join('')}</Error>\n`
  );
}

export interface ListedEntry {
  key: string;
  size: number;
  etag: string;
  lastModified: Date;
}

export function listBucketXml(fields: { bucket: string; prefix: string; marker: string; maxKeys: number; truncated: boolean; entries: ListedEntry[] }): string {
  const contents = fields.entries.map(
    (entry) =>
      `  <Contents>${element('Key', entry.key)}${element('LastModified', entry.lastModified.toISOString())}` +
      `${element('ETag', `"${entry.etag}"`)}${element('Type', 'Normal')}${element('Size', entry.size)}` +
      `${element('StorageClass', 'Standard')}<Owner>${element('ID', '1234567890')}${element('DisplayName', '1234567890')}</Owner></Contents>\n`,
  );
  const last = fields.entries.at(-1);
  return (
    `${XML_HEADER}<ListBucketResult>\n  ${element('Name', fields.bucket)}\n  ${element('Prefix', fields.prefix)}\n` +
    `  ${element('Marker', fields.marker)}\n  ${element('MaxKeys', fields.maxKeys)}\n  <Delimiter></Delimiter>\n` +
    `  ${element('IsTruncated', String(fields.truncated))}\n` +
    `${fields.truncated && last ? `  ${element('NextMarker', last.key)}\n` : ''}${contents.join('')}</ListBucketResult>\n`
  );
}

export function deleteResultXml(keys: string[]): string {
  return `${XML_HEADER}<DeleteResult>\n${keys.map((key) => `  <Deleted>${element('Key', key)}</Deleted>\n`).join('')}</DeleteResult>\n`;
}

/** Reads `<Delete><Quiet>..</Quiet><Object><Key>..</Key></Object>...</Delete>`; undefined when it is not that. */
export function parseDeleteRequest(xml: string): { quiet: boolean; keys: string[] } | undefined {
  const body = /<Delete>([\s\S]*)<\/Delete>/.exec(xml)?.[1];
  if (body === undefined) return undefined;
  const quiet = /<Quiet>\s*(true|false)\s*<\/Quiet>/.exec(body)?.[1];
  if (/<Quiet>/.test(body) && !quiet) return undefined;
  const keys = [...body.matchAll(/<Object>\s*<Key>([\s\S]*?)<\/Key>(?:\s*<VersionId>[\s\S]*?<\/VersionId>)?\s*<\/Object>/g)].map((m) => unescapeXml(m[1]!));
  return { quiet: quiet === 'true', keys };
}
