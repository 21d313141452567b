import { randomBytes } from 'node:crypto';
import type { AliOssStorageOptions } from '../../core/storage/ali-oss-options.js';
import { AliOssStorage } from '../../core/storage/ali-oss-storage.js';
import { startCdnFake, type CdnFake } from '../fakes/cdn-fake.js';
import { SLOW_DOWN, startOssFake, type OssFake } from '../fakes/oss-fake.js';
import type { StorageHarness } from './storage-contract.js';

export interface OssStorageSetup {
  fake: OssFake;
  cdn?: CdnFake;
  storage: AliOssStorage;
  /** The options `storage` was built with, to build variants (another secret, another timeout). */
  options: AliOssStorageOptions;
  close(): Promise<void>;
}

/** Quick retries, so tests that throttle do not sleep for production's backoff. */
export const TEST_RETRY = { attempts: 4, baseDelayMs: 20, maxDelayMs: 200 };

/** The real `ali-oss` client, through `AliOssStorage`, against a fake bucket (and a fake CDN when asked). */
export async function startOssStorage(variant: { authorizationV4?: boolean; cdn?: boolean; timeoutMs?: number } = {}): Promise<OssStorageSetup> {
  const fake = await startOssFake();
  const cdn = variant.cdn ? await startCdnFake(fake, { authKey: randomBytes(12).toString('hex'), validityS: 1800 }) : undefined;
  const options: AliOssStorageOptions = {
    region: `oss-${fake.credentials.region}`,
    bucket: fake.credentials.bucket,
    accessKeyId: fake.credentials.accessKeyId,
    accessKeySecret: fake.credentials.accessKeySecret,
    endpoint: fake.endpoint,
    secure: false,
    timeoutMs: variant.timeoutMs ?? 10_000,
    authorizationV4: variant.authorizationV4 ?? false,
    retry: TEST_RETRY,
    ...(cdn && { cdnDomain: cdn.origin, cdnAuthKey: cdn.authKey, cdnAuthTtlS: cdn.validityS }),
  };
  const storage = new AliOssStorage(options);
  return {
    fake,
    ...(cdn && { cdn }),
    storage,
    options,
    async close() {
      await storage.close();
      await cdn?.close();
      await fake.close();
    },
  };
}

export function ossStorageHarness(setup: OssStorageSetup): StorageHarness {
  return {
    storage: setup.storage,
    setServerClockOffset(offsetMs) {
      setup.fake.setClockOffset(offsetMs);
      setup.cdn?.setClockOffset(offsetMs);
    },
    faults: {
      throttleNext: (count) => setup.fake.failNext(count, SLOW_DOWN),
      requestCount: () => Object.values(setup.fake.requests).reduce((sum, count) => sum + count, 0),
      withWrongSecret() {
        const secret = randomBytes(18).toString('base64url');
        return { storage: new AliOssStorage({ ...setup.options, accessKeySecret: secret }), secret };
      },
    },
    close: () => setup.close(),
  };
}
