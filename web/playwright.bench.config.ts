// The web app's benchmark (bench/), run by hand: `npm run bench` with STRATA_BIN naming the
// binary. The same server as the end-to-end tests (e2e/global-setup.ts), desktop size only.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: 'bench',
  testMatch: '*.bench.ts',
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  workers: 1,
  timeout: 300_000,
  reporter: [['list']],
  use: {
    launchOptions: {
      executablePath: process.env['STRATA_CHROMIUM'] ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-dev-shm-usage'],
    },
    viewport: { width: 1280, height: 800 },
  },
});
