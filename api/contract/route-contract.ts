import type { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';

/**
 * What a route module publishes about itself, from a `*-contract.ts` file beside it that imports nothing but zod
 * and the other contract files (the web app type-checks against these files too). The route validates its input
 * with the same schemas.
 */
export interface RouteContract {
  /** Every path the module serves, keyed as OpenAPI writes them (`/api/jobs/{id}`). */
  paths: ZodOpenApiPathsObject;
  /** Schemas only an extension refers to (the events of an event stream), by component name. */
  schemas?: Record<string, z.ZodType>;
}
