import { existsSync } from 'node:fs';

/**
 * The options of an ops command from its command line: `parse` throws on wrong usage (one line on stderr, exit 2)
 * and returns undefined for --help (the usage on stdout, exit 0).
 */
export function commandOptions<T>(name: string, usage: string, parse: (argv: string[]) => T | undefined): T {
  let options: T | undefined;
  try {
    options = parse(process.argv.slice(2));
  } catch (error) {
    console.error(`${name}: ${(error as Error).message} (see --help)`);
    process.exit(2);
  }
  if (options === undefined) {
    console.log(usage);
    process.exit(0);
  }
  return options;
}

/** A `.env` file in the working folder, as `npm start` reads it; what the environment already sets wins. */
export function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}
