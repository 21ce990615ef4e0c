// Compiles consumer files against the built package's types (dist/types, as an app imports
// them): test/types/good.ts and the README's "Browser SDK" snippets must compile; every
// test/types/bad-*.ts must fail with the error its first line names (`// expect: TSxxxx 'text'`).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = `${root}test/types/`;
const tsc = `${root}node_modules/typescript/bin/tsc`;
const flags = [
  '--noEmit',
  '--strict',
  '--skipLibCheck',
  '--target',
  'es2022',
  '--module',
  'nodenext',
  '--moduleResolution',
  'nodenext',
  '--lib',
  'es2022,dom',
];

function compile(file) {
  try {
    execFileSync(process.execPath, [tsc, ...flags, file], { cwd: root, encoding: 'utf8' });
    return { ok: true, output: '' };
  } catch (error) {
    return { ok: false, output: `${error.stdout ?? ''}${error.stderr ?? ''}` };
  }
}

/** The README's ```ts blocks under "## Browser SDK", each compiled as a consumer module. */
function readmeSnippets() {
  const readme = readFileSync(`${root}../../README.md`, 'utf8');
  const section = readme.split(/^## /m).find((part) => part.startsWith('Browser SDK')) ?? '';
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1]);
}

let failures = 0;
const report = (ok, name, why = '') => {
  console.log(`${ok ? 'ok' : 'not ok'} - ${name}${why ? `\n${why}` : ''}`);
  if (!ok) failures += 1;
};

for (const name of readdirSync(dir)
  .filter((file) => file.endsWith('.ts'))
  .sort()) {
  const file = dir + name;
  const { ok, output } = compile(file);
  if (name.startsWith('good')) {
    report(ok, `${name} compiles`, output);
    continue;
  }
  const expected = readFileSync(file, 'utf8').match(/^\/\/ expect: (TS\d+) '([^']+)'/);
  if (!expected) {
    report(false, `${name} names its expected error on its first line`);
    continue;
  }
  const [, code, text] = expected;
  const matched = !ok && output.includes(`error ${code}`) && output.includes(text);
  report(matched, `${name} fails with ${code} about '${text}'`, matched ? '' : output || 'it compiled');
}

// No `any` anywhere in the published types: a consumer's strict code stays strict.
const typesDir = `${root}dist/types/`;
const anys = readdirSync(typesDir)
  .filter((file) => file.endsWith('.d.ts'))
  .flatMap((file) =>
    readFileSync(typesDir + file, 'utf8')
      .split('\n')
      .map((line, index) => [file, index + 1, line])
      .filter(([, , line]) => /\bany\b/.test(line)),
  );
report(anys.length === 0, 'the published types hold no `any`', anys.map((a) => a.join(': ')).join('\n'));

const scratch = mkdtempSync(`${root}test/types/.readme-`);
try {
  const snippets = readmeSnippets();
  report(snippets.length > 0, 'the README has Browser SDK snippets');
  snippets.forEach((snippet, index) => {
    // The snippets use the values a page has at that point: the backend's answer, a button.
    const prelude =
      'declare const serverUrl: string;\ndeclare const clientToken: string;\n' +
      'declare const hangUp: HTMLButtonElement;\nexport {};\n';
    const file = `${scratch}/snippet-${index + 1}.ts`;
    writeFileSync(file, prelude + snippet);
    const { ok, output } = compile(file);
    report(ok, `README snippet ${index + 1} compiles`, output);
  });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(failures === 0 ? 'type tests: all passed' : `type tests: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
