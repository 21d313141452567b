import { z } from 'zod';

/** Schemas several route contracts share. Each is a component of the document (`id`). */

export const localizedText = z.object({ en: z.string(), zh: z.string() }).meta({ id: 'LocalizedText' });

export const timestamp = z.iso.datetime().meta({ description: 'ISO-8601, UTC.' });

export const signedUrl = z.string().meta({
  description: 'A signed URL that expires: a same-origin path `/files/<key>?exp=&sig=` (local storage), or the object store’s or CDN’s.',
});

/** A path parameter that is a UUID; anything else answers 404, like a missing resource. */
export const idParams = z.object({ id: z.uuid().meta({ description: 'A UUID; any other value answers 404.' }) });

/** `Set-Cookie` on a response that sets or clears a cookie. */
export const setCookieHeader = (what: string) => z.string().meta({ description: what });
