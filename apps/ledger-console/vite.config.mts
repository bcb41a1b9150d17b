import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin, type UserConfig } from 'vite';

/**
 * The back-office console: React 19 + Mantine + Recharts, built into dist/console, where the API
 * serves it at /console (apps/ledger-api/src/console/console-static.ts). JSX goes through Vite's
 * own oxc transform (automatic runtime): no React plugin, so no Fast Refresh in `npm run dev:console`,
 * which reloads the page instead.
 */
const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../../dist/console', import.meta.url));

/** Writes .br and .gz next to every text asset, so the API sends them compressed without compressing per request. */
function precompress(): Plugin {
  return {
    name: 'ledger-console:precompress',
    apply: 'build',
    closeBundle() {
      const walk = (dir: string): string[] =>
        readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? walk(join(dir, name)) : [join(dir, name)]));
      for (const file of walk(outDir).filter((f) => /\.(js|css|html|svg|json|txt)$/.test(f))) {
        const body = readFileSync(file);
        writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
        writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
        );
      }
    },
  };
}

export default defineConfig(({ command }) => {
  // A build is a production build whatever NODE_ENV the caller has (Jest sets "test"): React's
  // production code and the production JSX runtime (Vite reads this after loading the config).
  if (command === 'build') process.env['NODE_ENV'] = 'production';
  return config;
});

const config = {
  root,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  plugins: [precompress()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // One file per lazy route (the reports and their charts), the rest in the entry chunk.
    chunkSizeWarningLimit: 600,
    rolldownOptions: {
      onwarn(warning, warn) {
        // Mantine marks its modules "use client" (for React Server Components); meaningless in a bundle.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npm run dev:console` next to `npm start`: the page from Vite, the API from the running ledger.
    proxy: { '^/(?!console(/|$)|@|src/|node_modules/)': { target: 'http://127.0.0.1:3000', changeOrigin: false } },
  },
} satisfies UserConfig;
