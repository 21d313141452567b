import { describeStorageContract } from '../support/storage-contract.js';
import { startLocalDiskStorage } from '../support/local-disk-storage-setup.js';

describeStorageContract('local disk, served by the files route', startLocalDiskStorage, { remote: false });
