import { ConfigError, type Config } from '../../config/index.js';
import { AliOssStorage } from './ali-oss-storage.js';
import { createLocalDiskStorage, LOCAL_DISK } from './local-disk-storage.js';
import type { ObjectStorage } from './object-storage.js';

/** Builds one backend from the configuration; checks its own options once, here, at start. */
export type StorageBackendFactory = (config: Readonly<Config>) => ObjectStorage;

/** The backends this code base ships with; a new backend is one file beside these and one entry here. */
export const STORAGE_BACKENDS: Readonly<Record<string, StorageBackendFactory>> = {
  [LOCAL_DISK]: (config) => createLocalDiskStorage({ dir: config.storage.dir, signingSecret: config.storage.signingSecret }),
  [AliOssStorage.identifier]: (config) => {
    const oss = config.storage.aliOss;
    if (!oss) throw new ConfigError(['STORAGE_BACKEND=ali-oss: set the ALI_OSS_* variables']);
    return new AliOssStorage(oss);
  },
};

/**
 * THE storage factory: the API and the workers both get their `ObjectStorage` here, chosen by STORAGE_BACKEND
 * (local disk by default, Ali OSS when ALI_OSS_* is set). `extra` adds backends that do not ship (tests).
 */
export function createStorage(config: Readonly<Config>, extra: Readonly<Record<string, StorageBackendFactory>> = {}): ObjectStorage {
  const backends = { ...STORAGE_BACKENDS, ...extra };
  const make = backends[config.storage.backend];
  if (!make) throw new ConfigError([`STORAGE_BACKEND=${config.storage.backend}: unknown backend; known: ${Object.keys(backends).join(', ')}`]);
  return make(config);
}
