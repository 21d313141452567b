import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export interface SentryEvent {
  type: string;
  payload: { tags?: Record<string, string>; exception?: { values?: Array<{ type?: string; value?: string }> }; [key: string]: unknown };
}

export interface SentryReceiver {
  dsn: string;
  events(): SentryEvent[];
  close(): Promise<void>;
}

/** A local stand-in for Sentry's ingest: accepts envelopes on /api/<project>/envelope/ and keeps their items. */
export async function startSentryReceiver(): Promise<SentryReceiver> {
  const received: SentryEvent[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body = Buffer.concat(chunks);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const lines = body.toString('utf8').split('\n');
      // Envelope: a header line, then (item header, item payload) pairs.
      for (let index = 1; index + 1 < lines.length; index += 2) {
        try {
          const header = JSON.parse(lines[index]!) as { type: string };
          received.push({ type: header.type, payload: JSON.parse(lines[index + 1]!) });
        } catch {
          // Attachments and other non-JSON payloads are not needed here.
        }
      }
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://0123456789abcdef0123456789abcdef@127.0.0.1:${port}/42`,
    events: () => received.filter((event) => event.type === 'event'),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
