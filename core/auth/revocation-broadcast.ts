import { broadcastChannel } from '../queues/broadcast-channel.js';
import type { RevocationNotice } from './session-revocations.js';

/**
 * Tells every API process that a revocation was committed, so it stops trusting its cached view at once. Only
 * a shortcut: a process that misses it (Redis down, not subscribed yet) still sees the revocation within
 * SESSION_CHECK_TTL, since Postgres holds the truth; a process that reconnects forgets everything cached.
 */
const revocations = broadcastChannel<RevocationNotice>({
  name: 'session-revocations',
  connectionName: 'cosnap-api-sessions',
  label: 'session revocation',
  parse: (notice) => {
    if (typeof notice.sessionId === 'string') return { sessionId: notice.sessionId };
    if (typeof notice.userId === 'string') return { userId: notice.userId };
    return undefined;
  },
});

export const announceRevocation = revocations.announce;
export const subscribeToRevocations = revocations.subscribe;
