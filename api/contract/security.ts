import type { ZodOpenApiComponentsObject } from 'zod-openapi';

/** The ways a request proves who sent it; operations name them in `security`. */
export const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'The access token from sign-in or refresh (15 minutes), as `Authorization: Bearer <jwt>`.',
  },
  accessTokenQuery: {
    type: 'apiKey',
    in: 'query',
    name: 'access_token',
    description: 'The access token as a query parameter, on the job event stream only: EventSource cannot set headers.',
  },
  refreshCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'cosnap_refresh',
    description:
      'The refresh token: httpOnly, SameSite=Strict, Path=/api/auth, Secure when SSL_ENABLED. Rotated on every use; ' +
      'a token used twice revokes its whole session (theft detection).',
  },
  adminCookie: {
    type: 'apiKey',
    in: 'cookie',
    name: 'cosnap_admin',
    description: 'Bull Board access for admins and the read-only role, from `POST /api/admin/session`; Path=/admin.',
  },
  adminBasic: {
    type: 'http',
    scheme: 'basic',
    description: 'ADMIN_BASIC_USER and ADMIN_BASIC_PASSWORD, when configured: full Bull Board access.',
  },
  metricsToken: {
    type: 'http',
    scheme: 'bearer',
    description: 'METRICS_TOKEN, when set.',
  },
  wechatPaySignature: {
    type: 'apiKey',
    in: 'header',
    name: 'Wechatpay-Signature',
    description:
      'WeChat Pay’s RSA-SHA256 signature over `Wechatpay-Timestamp`, `Wechatpay-Nonce` and the exact body, checked ' +
      'with the platform certificate `Wechatpay-Serial` names; the resource is then decrypted with the APIv3 key. ' +
      'A notification that fails either check changes nothing.',
  },
} satisfies NonNullable<ZodOpenApiComponentsObject['securitySchemes']>;

type SchemeName = keyof typeof securitySchemes;
const requirement = (...names: SchemeName[]) => [Object.fromEntries(names.map((name) => [name, []]))];

/** `security` values for operations. */
export const security = {
  none: [],
  bearer: requirement('bearer'),
  /** Either the Authorization header or `?access_token=`. */
  bearerOrQueryToken: [...requirement('bearer'), ...requirement('accessTokenQuery')],
  refreshCookie: requirement('refreshCookie'),
  /** Refresh without the cookie answers 204 (no session to continue), not 401. */
  refreshCookieOrNone: [...requirement('refreshCookie'), {}],
  /** Logout ends whichever session the client shows, by cookie or by token, and needs neither. */
  refreshCookieOrBearerOrNone: [...requirement('refreshCookie'), ...requirement('bearer'), {}],
  admin: [...requirement('adminCookie'), ...requirement('adminBasic')],
  /** Open unless METRICS_TOKEN is set (and closed in production unless METRICS_PUBLIC). */
  metrics: [...requirement('metricsToken'), {}],
  /** WeChat Pay's notifications prove their sender by the platform certificate's signature, not by a token. */
  wechatPaySignature: requirement('wechatPaySignature'),
  /**
   * Alipay signs a notification inside its form body (`sign`, RSA2), which no OpenAPI security scheme can place;
   * the operation documents the field instead, and needs no credential of ours.
   */
  alipayFormSignature: [],
};
