import type { RouteContract } from './route-contract.js';
import { healthPaths } from '../routes/health-contract.js';
import { authPaths } from '../routes/auth-contract.js';
import { mePaths } from '../routes/me-contract.js';
import { effectPaths } from '../routes/effects-contract.js';
import { uploadPaths } from '../routes/uploads-contract.js';
import { jobPaths, jobStreamEvent } from '../routes/jobs-contract.js';
import { filePaths } from '../routes/files-contract.js';
import { thumbnailPaths } from '../routes/thumbnails-contract.js';
import { accountSessionPaths } from '../routes/account-sessions-contract.js';
import { paymentPaths } from '../routes/payments-contract.js';
import { runningHubWebhookPaths } from '../routes/runninghub-webhook-contract.js';
import { openApiPaths } from '../routes/openapi-contract.js';
import { adminSessionPaths } from '../routes/admin-session-contract.js';
import { bullBoardPaths, metricsPaths } from './dashboard-contract.js';

/**
 * Every route module's contract. A new route module adds its `*-contract.ts` here; a route served without an
 * entry fails `tests/integration/openapi-routes.test.ts`.
 */
export const ROUTE_CONTRACTS: readonly RouteContract[] = [
  { paths: healthPaths },
  { paths: metricsPaths },
  { paths: authPaths },
  { paths: mePaths },
  { paths: accountSessionPaths },
  { paths: effectPaths },
  { paths: uploadPaths },
  { paths: jobPaths, schemas: { JobStreamEvent: jobStreamEvent } },
  { paths: filePaths },
  { paths: thumbnailPaths },
  { paths: paymentPaths },
  { paths: runningHubWebhookPaths },
  { paths: adminSessionPaths },
  { paths: bullBoardPaths },
  { paths: openApiPaths },
];
