import { createHmac, timingSafeEqual } from 'node:crypto';
import sharp from 'sharp';

export interface ServedFile {
  status: number;
  contentType: string;
  body: Buffer;
}

/**
 * Output files as RunningHub's file host serves them: signed URLs that expire (about a day on the real service,
 * `ttlMs` here), refused with 403 afterwards. The image is a small real PNG whose colour follows the task id.
 */
export class FakeOutputFiles {
  private readonly secret = createHmac('sha256', String(Math.random())).digest('hex');
  private expiredBefore = 0;
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(private readonly ttlMs: number) {}

  url(baseUrl: string, taskId: string, index: number): string {
    const path = `/files/output/${taskId}/ComfyUI_${String(index).padStart(5, '0')}_.png`;
    const issued = Date.now();
    return `${baseUrl}${path}?Expires=${issued + this.ttlMs}&Issued=${issued}&Signature=${this.sign(path, issued)}`;
  }

  /** Every URL handed out so far answers 403 from now on. */
  expireAll(): void {
    this.expiredBefore = Date.now() + 1;
  }

  async serve(url: URL): Promise<ServedFile> {
    const match = /^\/files\/output\/([0-9]{19})\/ComfyUI_([0-9]{5})_\.png$/.exec(url.pathname);
    if (!match) return { status: 404, contentType: 'application/xml', body: Buffer.from('<Error><Code>NoSuchKey</Code></Error>') };
    const expires = Number(url.searchParams.get('Expires'));
    const issued = Number(url.searchParams.get('Issued'));
    const signature = Buffer.from(url.searchParams.get('Signature') ?? '');
    const expected = Buffer.from(this.sign(url.pathname, issued));
    const valid = signature.length === expected.length && timingSafeEqual(signature, expected);
    if (!valid || !(expires > Date.now()) || issued < this.expiredBefore) {
      return { status: 403, contentType: 'application/xml', body: Buffer.from('<Error><Code>AccessDenied</Code><Message>Request has expired.</Message></Error>') };
    }
    return { status: 200, contentType: 'image/png', body: await this.png(match[1]!) };
  }

  private sign(path: string, issued: number): string {
    return createHmac('sha256', this.secret).update(`${path}\n${issued}`).digest('hex');
  }

  private png(taskId: string): Promise<Buffer> {
    let image = this.cache.get(taskId);
    if (!image) {
      const digits = taskId.slice(-9);
      const background = { r: Number(digits.slice(0, 3)) % 256, g: Number(digits.slice(3, 6)) % 256, b: Number(digits.slice(6, 9)) % 256 };
      image = sharp({ create: { width: 24, height: 16, channels: 3, background } }).png().toBuffer();
      this.cache.set(taskId, image);
    }
    return image;
  }
}
