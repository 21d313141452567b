/**
 * The part of `ali-oss` 6.x that `ali-oss-storage.ts` calls (the package ships no types of its own). Shapes follow
 * the client's source (lib/object.js, lib/common/object/*.js).
 */
declare module 'ali-oss' {
  import type { Agent as HttpAgent } from 'node:http';
  import type { Agent as HttpsAgent } from 'node:https';
  import type { Readable } from 'node:stream';

  namespace OSS {
    interface Options {
      region?: string;
      accessKeyId: string;
      accessKeySecret: string;
      bucket?: string;
      endpoint?: string;
      cname?: boolean;
      secure?: boolean;
      /** Milliseconds; both the connect and the response timeout of each request. */
      timeout?: number;
      authorizationV4?: boolean;
      retryMax?: number;
      agent?: HttpAgent;
      httpsAgent?: HttpsAgent;
    }

    interface RequestOptions {
      /** One value for both phases, or [connect, response]. */
      timeout?: number | [number, number];
      headers?: Record<string, string | number>;
    }

    interface ResponseInfo {
      status: number;
      headers: Record<string, string | string[] | undefined>;
    }

    interface ListedObject {
      name: string;
      lastModified: string;
      size: number;
    }

    interface SignatureUrlOptions {
      expires?: number;
      method?: 'GET' | 'PUT' | 'HEAD';
      response?: Record<string, string>;
    }

    interface V4Request {
      headers?: Record<string, string>;
      queries?: Record<string, string>;
    }

    /** What the client throws: `status` -1/-2 for network errors and timeouts, `code` the service's error code. */
    interface ClientError extends Error {
      status?: number;
      code?: string;
      requestId?: string;
    }
  }

  class OSS {
    constructor(options: OSS.Options);
    put(name: string, body: Buffer, options?: OSS.RequestOptions & { mime?: string }): Promise<{ res: OSS.ResponseInfo }>;
    putStream(
      name: string,
      stream: Readable,
      options?: OSS.RequestOptions & { mime?: string; contentLength?: number },
    ): Promise<{ res: OSS.ResponseInfo }>;
    get(name: string, options?: OSS.RequestOptions): Promise<{ content: Buffer; res: OSS.ResponseInfo }>;
    getStream(name: string, options?: OSS.RequestOptions): Promise<{ stream: Readable; res: OSS.ResponseInfo }>;
    head(name: string, options?: OSS.RequestOptions): Promise<{ status: number; res: OSS.ResponseInfo }>;
    delete(name: string, options?: OSS.RequestOptions): Promise<{ res: OSS.ResponseInfo }>;
    deleteMulti(names: string[], options?: OSS.RequestOptions & { quiet?: boolean }): Promise<{ deleted: unknown[]; res: OSS.ResponseInfo }>;
    list(
      query: { prefix?: string; marker?: string; 'max-keys'?: number },
      options?: OSS.RequestOptions,
    ): Promise<{ objects: OSS.ListedObject[] | undefined; nextMarker: string | null; isTruncated: boolean; res: OSS.ResponseInfo }>;
    signatureUrl(name: string, options?: OSS.SignatureUrlOptions): string;
    signatureUrlV4(method: 'GET' | 'PUT' | 'HEAD', expiresSeconds: number, request: OSS.V4Request, objectName: string): Promise<string>;
  }

  export = OSS;
}
