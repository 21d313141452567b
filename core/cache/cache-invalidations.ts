import { broadcastChannel } from '../queues/broadcast-channel.js';

/** A key of a named cache that changed; every process drops its copy. */
export interface CacheInvalidation {
  cache: string;
  key: string;
}

/**
 * Tells every process to drop a key from its memory level (the publisher has dropped it from Redis already). A
 * process that reconnects drops its whole memory level, which is refilled from Redis and the source.
 */
const invalidations = broadcastChannel<CacheInvalidation>({
  name: 'cache-invalidations',
  connectionName: 'cosnap-cache-invalidations',
  label: 'cache invalidation',
  parse: (notice) => (typeof notice.cache === 'string' && typeof notice.key === 'string' ? { cache: notice.cache, key: notice.key } : undefined),
});

export const announceInvalidation = invalidations.announce;
export const subscribeToInvalidations = invalidations.subscribe;
