import { describeStorageContract } from '../support/storage-contract.js';
import { ossStorageHarness, startOssStorage } from '../support/oss-storage-setup.js';

// The real ali-oss client against the fake bucket, once per way it can sign and serve.
describeStorageContract('Ali OSS with V1 signatures', async () => ossStorageHarness(await startOssStorage()), { remote: true });
describeStorageContract('Ali OSS with V4 signatures', async () => ossStorageHarness(await startOssStorage({ authorizationV4: true })), { remote: true });
describeStorageContract('Ali OSS read through a CDN with type A URL signing', async () => ossStorageHarness(await startOssStorage({ cdn: true })), {
  remote: true,
});
