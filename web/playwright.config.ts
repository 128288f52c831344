// End-to-end tests of the web app in Debian's chromium against a real `strata serve --demo`
// (started by e2e/global-setup.ts on a free port with a fresh data directory), at a desktop and
// a phone size. Run by ctest (tests/CMakeLists.txt) with STRATA_BIN set; screenshots and
// failure traces go to STRATA_E2E_OUT (the build tree).
import { defineConfig, devices } from '@playwright/test';

const out = process.env['STRATA_E2E_OUT'] ?? 'test-results';
const chromium = {
  executablePath: process.env['STRATA_CHROMIUM'] ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-dev-shm-usage'],
};

export default defineConfig({
  testDir: 'e2e',
  outputDir: `${out}/results`,
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  // One demo printer is shared: the tests take turns with it.
  workers: 1,
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  use: {
    launchOptions: chromium,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'desktop', use: { viewport: { width: 1280, height: 800 } } },
    {
      name: 'phone',
      use: { ...devices['Pixel 7'], viewport: { width: 390, height: 844 }, defaultBrowserType: 'chromium' },
    },
  ],
});
