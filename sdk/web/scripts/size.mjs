// The SDK's own code, as an app ships it: the ES build minified, livekit-client external,
// gzipped. Fails past the budget; the README quotes the figure this prints.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 10 * 1024;
const root = fileURLToPath(new URL('..', import.meta.url));
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/index.ts'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  external: ['livekit-client'],
  write: false,
  legalComments: 'none',
});
const code = result.outputFiles[0].contents;
const gzipped = gzipSync(code, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} kB`;
console.log(
  `size: ${kb(code.length)} minified, ${kb(gzipped)} minified + gzipped (budget ${kb(BUDGET_BYTES)})`,
);
if (gzipped > BUDGET_BYTES) {
  console.error(`size: over budget by ${kb(gzipped - BUDGET_BYTES)}`);
  process.exit(1);
}

// The README quotes the figure: keep it within 0.3 kB of the truth.
const readme = readFileSync(`${root}../../README.md`, 'utf8');
const quoted = readme.match(/SDK's\s+own code is \*\*([\d.]+) kB\*\* minified \+ gzipped/);
if (!quoted || Math.abs(Number(quoted[1]) * 1024 - gzipped) > 0.3 * 1024) {
  console.error(
    `size: README.md quotes ${quoted ? quoted[1] : 'no'} kB; write ${(gzipped / 1024).toFixed(1)} kB`,
  );
  process.exit(1);
}
