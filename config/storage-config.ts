import { resolveAliOssOptions, type AliOssStorageOptions } from '../core/storage/ali-oss-options.js';

/** Everything the Ali OSS backend needs but its retry policy (the backend's own default). */
export type AliOssConfig = Omit<AliOssStorageOptions, 'retry'>;

type StorageEnv = {
  ALI_OSS_REGION?: string | undefined;
  ALI_OSS_BUCKET?: string | undefined;
  ALI_OSS_ACCESS_KEY_ID?: string | undefined;
  ALI_OSS_ACCESS_KEY_SECRET?: string | undefined;
  ALI_OSS_ENDPOINT?: string | undefined;
  ALI_OSS_CDN_DOMAIN?: string | undefined;
  ALI_OSS_CDN_AUTH_KEY?: string | undefined;
  ALI_OSS_CDN_AUTH_TTL: number;
  ALI_OSS_TIMEOUT: number;
  ALI_OSS_AUTH_V4: boolean;
};

const REQUIRED = ['ALI_OSS_REGION', 'ALI_OSS_BUCKET', 'ALI_OSS_ACCESS_KEY_ID', 'ALI_OSS_ACCESS_KEY_SECRET'] as const;

/** The backend option each variable sets, so a refused option is reported under the variable's name. */
const VARIABLE_OF: Record<string, keyof StorageEnv> = {
  region: 'ALI_OSS_REGION',
  bucket: 'ALI_OSS_BUCKET',
  accessKeyId: 'ALI_OSS_ACCESS_KEY_ID',
  accessKeySecret: 'ALI_OSS_ACCESS_KEY_SECRET',
  endpoint: 'ALI_OSS_ENDPOINT',
  secure: 'ALI_OSS_ENDPOINT',
  cdnDomain: 'ALI_OSS_CDN_DOMAIN',
  cdnAuthKey: 'ALI_OSS_CDN_AUTH_KEY',
  cdnAuthTtlS: 'ALI_OSS_CDN_AUTH_TTL',
  timeoutMs: 'ALI_OSS_TIMEOUT',
};
const SECRET_VARIABLES = new Set<keyof StorageEnv>(['ALI_OSS_ACCESS_KEY_ID', 'ALI_OSS_ACCESS_KEY_SECRET', 'ALI_OSS_CDN_AUTH_KEY']);

/**
 * Reads and checks the ALI_OSS_* variables once, with the backend's own option checks, so a wrong value stops the
 * start (`KEY=value: reason`) instead of the first upload. Secret values are never echoed.
 */
export function aliOssConfig(env: StorageEnv, isProduction: boolean, problems: string[]): AliOssConfig | undefined {
  const set = REQUIRED.filter((name) => env[name]);
  if (set.length === 0) {
    if (env.ALI_OSS_CDN_DOMAIN || env.ALI_OSS_ENDPOINT)
      problems.push(`${REQUIRED.join(', ')}=(unset): ALI_OSS_ENDPOINT and ALI_OSS_CDN_DOMAIN need the Ali OSS bucket and credentials`);
    return undefined;
  }
  if (set.length < REQUIRED.length) {
    problems.push(`${REQUIRED.filter((name) => !env[name]).join(', ')}=(unset): Ali OSS needs all of ${REQUIRED.join(', ')}`);
    return undefined;
  }
  // An explicit endpoint's scheme decides; plain HTTP (a local fake, a test bucket) is refused in production.
  const secure = env.ALI_OSS_ENDPOINT ? !/^http:\/\//i.test(env.ALI_OSS_ENDPOINT) : true;
  if (isProduction && !secure) {
    problems.push(`ALI_OSS_ENDPOINT=${env.ALI_OSS_ENDPOINT}: must be https in production (object keys and signatures would travel in clear)`);
    return undefined;
  }
  const config: AliOssConfig = {
    region: env.ALI_OSS_REGION!,
    bucket: env.ALI_OSS_BUCKET!,
    accessKeyId: env.ALI_OSS_ACCESS_KEY_ID!,
    accessKeySecret: env.ALI_OSS_ACCESS_KEY_SECRET!,
    ...(env.ALI_OSS_ENDPOINT && { endpoint: env.ALI_OSS_ENDPOINT }),
    ...(env.ALI_OSS_CDN_DOMAIN && { cdnDomain: env.ALI_OSS_CDN_DOMAIN, cdnAuthTtlS: Math.max(1, Math.round(env.ALI_OSS_CDN_AUTH_TTL / 1000)) }),
    ...(env.ALI_OSS_CDN_AUTH_KEY && { cdnAuthKey: env.ALI_OSS_CDN_AUTH_KEY }),
    secure,
    timeoutMs: env.ALI_OSS_TIMEOUT,
    authorizationV4: env.ALI_OSS_AUTH_V4,
  };
  try {
    resolveAliOssOptions(config);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const option = /option `([^`.]+)/.exec(message)?.[1] ?? '';
    const variable = VARIABLE_OF[option];
    const value = variable && !SECRET_VARIABLES.has(variable) ? String(env[variable] ?? '(unset)') : '(hidden)';
    problems.push(`${variable ?? 'ALI_OSS_*'}=${value}: ${message.replace(/^ali-oss storage: /, '')}`);
    return undefined;
  }
  return Object.freeze(config);
}
