// Bundles src/demo.js with the browser SDK (@realtime-tokens/web, its ES build in sdk/web/dist,
// as an app's bundler takes it from npm) and livekit-client (this folder's pinned copy) into
// one committed ES module, so the service needs no Node.js at run time. Deterministic: same
// lock files, same bytes (checked by the tests).
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
  alias: {
    '@realtime-tokens/web': '../../../sdk/web/dist/index.mjs',
    'livekit-client': './node_modules/livekit-client',
  },
  legalComments: 'eof',
  outfile,
  logLevel: 'warning',
});
