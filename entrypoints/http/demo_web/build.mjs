// Bundles src/demo.js and livekit-client into one committed ES module, so the service needs
// no Node.js at run time. Deterministic: same lock file, same bytes (checked by the tests).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const outfile = process.argv[2] ?? fileURLToPath(new URL('../static/demo.js', import.meta.url));

await build({
  absWorkingDir: here,
  entryPoints: ['src/demo.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  outfile,
  logLevel: 'warning',
});
