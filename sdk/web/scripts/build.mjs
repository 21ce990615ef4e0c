// dist/index.mjs: the ES module, livekit-client left to the app's bundler (a peer dependency).
// dist/realtime-tokens.iife.js: one file for a plain <script> tag, livekit-client inside,
// exposing the global `RealtimeTokens`. Deterministic: same lock file, same bytes.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root,
  entryPoints: ['src/index.ts'],
  bundle: true,
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
};

await build({ ...common, format: 'esm', outfile: 'dist/index.mjs', external: ['livekit-client'] });
await build({
  ...common,
  format: 'iife',
  globalName: 'RealtimeTokens',
  minify: true,
  outfile: 'dist/realtime-tokens.iife.js',
});
