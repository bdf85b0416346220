import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const root = resolve(__dirname, '..');
const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
const ciRun = readFileSync(resolve(root, '.ci/run'), 'utf8');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

describe('README.md', () => {
  it('names the test command that .ci/run runs', () => {
    const ciCommand = ciRun.trim().split('\n').at(-1);
    expect(ciCommand).toBe('npm run test:all');
    expect(readme).toContain(`&& ${ciCommand}\n`);
  });

  it('documents every configuration variable the service reads', () => {
    const source = readFileSync(resolve(root, 'src/config/env.validation.ts'), 'utf8');
    const variables = [...source.matchAll(/^\s+([A-Z][A-Z0-9_]+)[?]?(?::| =)/gm)].map((m) => m[1]);
    expect(variables.length).toBeGreaterThan(15);
    for (const name of variables) expect(readme).toContain(`| \`${name}\``);
  });

  it('mentions only npm scripts that exist', () => {
    for (const [, script] of readme.matchAll(/npm run ([\w:-]+)/g)) expect(pkg.scripts).toHaveProperty(script);
  });
});
