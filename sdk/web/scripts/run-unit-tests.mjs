// Compiles src and test/unit with tsc (strict, the same settings as the package) and runs the
// unit tests with Node's test runner: no browser, a fake Room.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
rmSync(`${root}.test-build`, { recursive: true, force: true });
const run = (args) => {
  try {
    execFileSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  } catch {
    process.exit(1);
  }
};
run([`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.test.json']);
const dir = `${root}.test-build/test/unit/`;
const files = readdirSync(dir)
  .filter((name) => name.endsWith('.test.js'))
  .map((name) => dir + name);
run(['--test', '--test-reporter=spec', '--test-timeout=20000', ...files]);
