import type { Config } from '../../config/index.js';
import type { StorageBackendFactory } from '../../core/storage/storage-factory.js';
import { createFlatFolderStorage, FLAT_FOLDER } from './flat-folder-storage.js';

/** The test tree's storage backends, given to the API and the test worker alike; STORAGE_BACKEND picks one. */
export const TEST_STORAGE_BACKENDS: Readonly<Record<string, StorageBackendFactory>> = {
  [FLAT_FOLDER]: (config: Readonly<Config>) => createFlatFolderStorage({ dir: config.storage.dir, signingSecret: config.storage.signingSecret }),
};
