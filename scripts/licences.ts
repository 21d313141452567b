import { checkLicences, readAllowList } from './licence-check.js';

/** `npm run licences`: every installed package's licence against licences.allow.json; exits 1 on any outside it. */
const root = process.cwd();
const { checked, problems } = await checkLicences(root, await readAllowList(root));
for (const problem of problems) console.error(`not allowed: ${problem.name}@${problem.version} (${problem.licence})`);
console.log(`${checked} packages checked, ${problems.length} with a licence outside licences.allow.json`);
process.exit(problems.length ? 1 : 0);
