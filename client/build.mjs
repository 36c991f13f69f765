// Bundles the extension into one file (client/dist/extension.js) so the .vsix carries no node_modules.
import { build } from 'esbuild';

await build({
  entryPoints: [new URL('./src/extension.ts', import.meta.url).pathname],
  outfile: new URL('./dist/extension.js', import.meta.url).pathname,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node18',
  external: ['vscode'],
  sourcemap: false,
  minify: false,
  logLevel: 'warning',
});
