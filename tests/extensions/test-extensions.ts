import type { Config } from '../../config/index.js';
import type { StorageBackendFactory } from '../../core/storage/storage-factory.js';
import type { EffectProviderModule } from '../../core/effects/effect-provider.js';
import { createFlatFolderStorage, FLAT_FOLDER } from './flat-folder-storage.js';
import { testProviderModule } from './test-provider.js';

/** The test tree's effect providers, known to the API (availability) and run by the test worker. */
export const TEST_PROVIDERS: readonly EffectProviderModule[] = [testProviderModule];

/** The test tree's storage backends, given to the API and the test worker alike; STORAGE_BACKEND picks one. */
export const TEST_STORAGE_BACKENDS: Readonly<Record<string, StorageBackendFactory>> = {
  [FLAT_FOLDER]: (config: Readonly<Config>) => createFlatFolderStorage({ dir: config.storage.dir, signingSecret: config.storage.signingSecret }),
};
