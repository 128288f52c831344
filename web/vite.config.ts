// Builds the app into dist/ with content-hashed assets (served immutable by strata) and an
// index.html that references them. `npm run dev` serves the sources with live reload and
// passes the API through to a strata server (STRATA_URL, default http://127.0.0.1:5000).
import { defineConfig } from 'vite';

const strata = process.env['STRATA_URL'] ?? 'http://127.0.0.1:5000';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    target: 'es2020',
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0, // The CSP allows no data: scripts or styles; images are files.
    modulePreload: { polyfill: false }, // An inline polyfill would need 'unsafe-inline'.
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target: strata, changeOrigin: false },
      '/downloads': { target: strata, changeOrigin: false },
    },
  },
});
