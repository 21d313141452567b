import type { IncomingMessage } from 'node:http';
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import Router from '@koa/router';
import busboy from 'busboy';
import type { Middleware } from 'koa';
import type { z } from 'zod';
import { DomainError, notFound, validationFailed } from '../../core/errors.js';
import { acceptUpload } from '../../core/uploads/accept-upload.js';
import { receiveImageStream, type ReceivedFile } from '../../core/uploads/receive-image-stream.js';
import { payloadTooLarge } from '../../core/uploads/upload-errors.js';
import { findOwnUpload, toUploadView } from '../../core/uploads/upload-records.js';
import type { AppDeps } from '../app-deps.js';
import type { RouteGuards } from '../middleware/route-guards.js';
import type { upload as uploadView } from './uploads-contract.js';

/** Room for the multipart boundaries and part headers around the file itself. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024;
const FILE_FIELD = 'file';

const missingFile = () =>
  validationFailed('Send the image as multipart/form-data in a field named "file"', { fields: { [FILE_FIELD]: 'required' } });

/** How long, and for how many bytes, a refused upload's connection keeps reading before it is closed. */
const LINGER_MS = 2_000;
const LINGER_BYTES = 4 * 1024 ** 2;

/**
 * A refused upload usually has body bytes still on the wire. Keep-alive would make Node read (drain) all of them
 * — exactly the work an early 413 is meant to avoid — so the answer says `Connection: close`. Closing at once is
 * no better: bytes still arriving at a closed socket get a TCP reset, which can wipe the 413 from the client's
 * buffer before it is read (a browser then shows a network error). So the connection closes in stages
 * (RFC 9112 §9.6): half-close after the response, discard what still arrives, hang up after a bounded time or
 * byte count, whichever comes first.
 */
const closeConnectionWhenBodyUnread: Middleware = async (ctx, next) => {
  try {
    await next();
  } catch (error) {
    if (!ctx.req.complete) {
      ctx.set('Connection', 'close');
      ctx.req.unpipe();
      ctx.res.once('finish', () => lingerThenClose(ctx.req));
    }
    throw error;
  }
};

function lingerThenClose(req: IncomingMessage): void {
  const socket = req.socket;
  if (socket.destroyed) return;
  // Node's `Connection: close` handling (socket.destroySoon) destroys the socket as soon as the response is
  // flushed; take that listener back and destroy on our own terms. Should Node change, the close is just earlier.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- removing the exact listener Node added
  socket.off('finish', socket.destroy);
  const hangUp = () => socket.destroy();
  const timer = setTimeout(hangUp, LINGER_MS);
  timer.unref();
  let discarded = 0;
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) hangUp();
  });
  req.once('end', hangUp);
  socket.once('close', () => clearTimeout(timer));
  req.resume();
}

export function uploadRoutes(deps: AppDeps, guards: RouteGuards): Router {
  const { config, db, storage } = deps;
  const { maxFileBytes } = config.uploads;
  const maxBodyBytes = maxFileBytes + MULTIPART_OVERHEAD_BYTES;
  const router = new Router();

  router.post(
    '/api/uploads',
    closeConnectionWhenBodyUnread,
    guards.signedIn,
    guards.limit.upload,
    async (ctx) => {
      const declaredLength = ctx.request.length;
      if (declaredLength !== undefined && declaredLength > maxBodyBytes) throw payloadTooLarge(maxFileBytes);
      const multipart = ctx.is('multipart/form-data');
      // No body at all is a missing field rather than a wrong media type.
      if (multipart === null || declaredLength === 0) throw missingFile();
      if (multipart === false)
        throw new DomainError('UNSUPPORTED_MEDIA_TYPE', 'Send the image as multipart/form-data in a field named "file"', 'validation', {
          accepted: ['multipart/form-data'],
        });

      const received = await receiveFileField(ctx.req, { maxFileBytes, maxBodyBytes });
      ctx.status = 201;
      ctx.body = (await acceptUpload({ db, storage, config }, { userId: ctx.state.user!.userId, receivedPath: received.path })) satisfies z.input<
        typeof uploadView
      >;
      deps.metrics.uploadBytes.inc(received.bytes);
      deps.metrics.uploadSize.observe(received.bytes);
    },
  );

  router.get('/api/uploads/:id', guards.signedIn, async (ctx) => {
    // Anything but a UUID is a missing upload, like another user's: nothing reaches SQL.
    const upload = await findOwnUpload(db, ctx.state.user!.userId, ctx.params.id ?? '');
    if (!upload) throw notFound('Upload');
    ctx.body = (await toUploadView(upload, storage, config.storage.signedUrlTtlMs)) satisfies z.input<typeof uploadView>;
  });

  return router;
}

/**
 * Parses the multipart body just far enough to stream the one `file` part to a temporary file. Fails fast —
 * without reading the rest of the body — when the file passes `maxFileBytes` or the whole body passes
 * `maxBodyBytes` (chunked bodies have no Content-Length to check up front). Other parts are skipped.
 * Settles only after any temporary file of a failed attempt is gone.
 */
function receiveFileField(req: IncomingMessage, limits: { maxFileBytes: number; maxBodyBytes: number }): Promise<ReceivedFile> {
  return new Promise<ReceivedFile>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        limits: { fileSize: limits.maxFileBytes, files: 1, fields: 8, fieldSize: 4096, parts: 10, headerPairs: 20 },
      });
    } catch {
      reject(validationFailed('The multipart body is malformed', { fields: { [FILE_FIELD]: 'malformed' } }));
      return;
    }

    let settled = false;
    let fileStream: Readable | undefined;
    let receiving: Promise<ReceivedFile> | undefined;
    let bodyBytes = 0;

    const stopReading = () => {
      req.off('data', countBody);
      req.off('close', onRequestClose);
      req.unpipe(parser);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      stopReading();
      fileStream?.destroy(error instanceof Error ? error : undefined);
      const cleanedUp = receiving?.then((file) => rm(file.path, { force: true })).catch(() => undefined) ?? Promise.resolve();
      void cleanedUp.then(() => reject(error instanceof Error ? error : new Error(String(error))));
    };
    const countBody = (chunk: Buffer) => {
      bodyBytes += chunk.length;
      if (bodyBytes > limits.maxBodyBytes) fail(payloadTooLarge(limits.maxFileBytes));
    };
    const onRequestClose = () => {
      if (!req.complete) fail(validationFailed('The upload was interrupted', { fields: { [FILE_FIELD]: 'malformed' } }));
    };

    parser.on('file', (name, stream) => {
      if (name !== FILE_FIELD || receiving) {
        // A skipped part still counts against the size limit, or it could stream forever.
        stream.once('limit', () => fail(payloadTooLarge(limits.maxFileBytes)));
        // A body that ends inside this part destroys its stream with an error; without a listener that error
        // would be uncaught and end the process. The parser's own 'error' reports the malformed body.
        stream.on('error', () => undefined);
        stream.resume();
        return;
      }
      fileStream = stream;
      receiving = receiveImageStream(stream, { maxBytes: limits.maxFileBytes });
      receiving.catch(fail);
    });
    parser.on('partsLimit', () => fail(validationFailed('The form has too many parts', { fields: { [FILE_FIELD]: 'malformed' } })));
    parser.on('fieldsLimit', () => fail(validationFailed('The form has too many fields', { fields: { [FILE_FIELD]: 'malformed' } })));
    parser.on('error', () => fail(validationFailed('The multipart body is malformed', { fields: { [FILE_FIELD]: 'malformed' } })));
    parser.on('close', () => {
      if (settled) return;
      if (!receiving) {
        fail(missingFile());
        return;
      }
      receiving.then((file) => {
        if (settled) return;
        settled = true;
        stopReading();
        resolve(file);
      }, fail);
    });

    req.on('data', countBody);
    req.on('close', onRequestClose);
    req.pipe(parser);
  });
}
