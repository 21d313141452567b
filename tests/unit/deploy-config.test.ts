import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const json = <T>(path: string) => JSON.parse(readFileSync(path, 'utf8')) as T;
const scripts = json<{ scripts: Record<string, string> }>('package.json').scripts;

interface RailwayConfig {
  build: { builder: string; buildCommand: string };
  deploy: {
    startCommand: string;
    preDeployCommand?: string[];
    healthcheckPath?: string;
    restartPolicyType: string;
    restartPolicyMaxRetries?: number;
    numReplicas?: number;
  };
}

/** `npm run x` must name a script that package.json has. */
const npmScript = (command: string) => {
  const match = /^npm run ([\w:-]+)$/.exec(command);
  expect(match, `${command} is not "npm run <script>"`).not.toBeNull();
  const name = match?.[1] ?? '';
  expect(scripts, `package.json has no script ${name}`).toHaveProperty(name);
  return scripts[name] ?? '';
};

/** The source file a `node dist/x.js` command runs once `npm run build:server` has compiled it. */
const sourceOf = (command: string) => {
  const match = /^node dist\/([\w/-]+)\.js$/.exec(command);
  expect(match, `${command} does not run a compiled file`).not.toBeNull();
  return `${match?.[1] ?? ''}.ts`;
};

const procfile = Object.fromEntries(
  readFileSync('Procfile', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]),
);

describe('Railway configuration', () => {
  const web = json<RailwayConfig>('railway/web.json');
  const worker = json<RailwayConfig>('railway/worker.json');

  it('builds the server and starts the API, migrating before each deploy and checking /health/ready', () => {
    expect(npmScript(web.build.buildCommand)).toBe(scripts['build:server']);
    expect(npmScript(web.deploy.startCommand)).toBe(procfile.web);
    expect(web.deploy.preDeployCommand?.map(npmScript)).toEqual([procfile.release]);
    expect(web.deploy.healthcheckPath).toBe('/health/ready');
    expect(web.deploy.restartPolicyType).toBe('ON_FAILURE');
    expect(web.deploy.restartPolicyMaxRetries).toBeGreaterThan(0);
  });

  it('runs the workers as replicas that are always restarted, with no migration of their own', () => {
    expect(npmScript(worker.build.buildCommand)).toBe(scripts['build:server']);
    expect(npmScript(worker.deploy.startCommand)).toBe(procfile.worker);
    expect(worker.deploy.preDeployCommand).toBeUndefined();
    expect(worker.deploy.restartPolicyType).toBe('ALWAYS');
    expect(worker.deploy.numReplicas).toBeGreaterThanOrEqual(2);
  });

  it('stays true to the Procfile: each of its commands runs a file the server build compiles', () => {
    expect(Object.keys(procfile).sort()).toEqual(['release', 'web', 'worker']);
    for (const command of Object.values(procfile)) expect(existsSync(sourceOf(command)), command).toBe(true);
    expect(scripts.release).toBe(procfile.release);
    expect(readFileSync(sourceOf(procfile.release ?? ''), 'utf8')).toContain('migrateAndSeed');
  });
});

describe('vercel.json', () => {
  const vercel = json<{
    buildCommand: string;
    outputDirectory: string;
    rewrites: { source: string; destination: string }[];
    headers: { source: string; headers: { key: string; value: string }[] }[];
  }>('vercel.json');

  it('builds the frontend into the directory vite writes, and sends every unknown path to the app', () => {
    expect(npmScript(vercel.buildCommand)).toBe(scripts['build:frontend']);
    expect(readFileSync('frontend/vite.config.ts', 'utf8')).toContain("new URL('./dist', import.meta.url)");
    expect(vercel.outputDirectory).toBe('frontend/dist');
    expect(vercel.rewrites).toEqual([{ source: '/(.*)', destination: '/index.html' }]);
  });

  it('sends the security headers on every path', () => {
    const all = vercel.headers.find((entry) => entry.source === '/(.*)');
    const keys = all?.headers.map((header) => header.key) ?? [];
    for (const key of ['Content-Security-Policy', 'Strict-Transport-Security', 'X-Content-Type-Options', 'X-Frame-Options', 'Referrer-Policy'])
      expect(keys).toContain(key);
    const csp = all?.headers.find((header) => header.key === 'Content-Security-Policy')?.value ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('reads the API base URL at build time from VITE_API_BASE_URL', () => {
    expect(readFileSync('frontend/src/api/base-url.ts', 'utf8')).toContain('import.meta.env.VITE_API_BASE_URL');
  });
});
