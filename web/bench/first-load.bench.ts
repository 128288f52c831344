// What a browser pays to open the app, against `strata serve --demo` on loopback: the JS and CSS
// of the first load as sent (gzip), and the time from pressing "Log in" to the dashboard showing
// live state (Operational, a temperature reading, the event stream open), each run in a fresh
// browser context (an empty cache). Budgets: <= 100 kB, <= 1 s.
// Run: cd web && STRATA_BIN=../build/cli/strata npm run bench [-- STRATA_BENCH_RUNS=N]
import { expect, test } from '@playwright/test';

import { admin, url } from '../e2e/helpers';

const runs = Number(process.env['STRATA_BENCH_RUNS'] ?? '10');
const budgetBytes = 100_000;
const budgetMs = 1000;

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

test('first load and login to live state', async ({ browser }) => {
  const loginMs: number[] = [];
  let firstLoad: Array<{ url: string; bytes: number; encoding: string }> = [];
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const assets: Array<Promise<{ url: string; bytes: number; encoding: string }>> = [];
    page.on('response', (response) => {
      const type = response.request().resourceType();
      if (type !== 'script' && type !== 'stylesheet') return;
      assets.push(
        response.request().sizes().then(async (sizes) => ({
          url: new URL(response.url()).pathname,
          bytes: sizes.responseBodySize,
          encoding: (await response.allHeaders())['content-encoding'] ?? 'identity',
        })),
      );
    });
    await page.goto(url());
    const who = admin();
    await page.getByLabel('User').fill(who.name);
    await page.getByLabel('Password').fill(who.password);
    const started = performance.now();
    await page.getByRole('button', { name: 'Log in' }).click();
    // Checked on every frame in the page (expect() polls at 100 ms and slower).
    await page.waitForFunction(
      () =>
        document.querySelector('[data-testid="printer-state"]')?.textContent === 'Operational' &&
        (document.querySelector('[data-testid="actual-tool0"]')?.textContent ?? '').includes('°C') &&
        document.querySelector('[data-testid="reconnecting"]') === null,
      null,
      { polling: 'raf', timeout: 10_000 },
    );
    loginMs.push(performance.now() - started);
    if (run === 0) firstLoad = await Promise.all(assets);
    await context.close();
  }
  const total = firstLoad.reduce((sum, asset) => sum + asset.bytes, 0);
  for (const asset of firstLoad) console.log(`  ${asset.url}: ${asset.bytes} B (${asset.encoding})`);
  console.log(`first load JS+CSS: ${total} B as sent (budget ${budgetBytes})`);
  const sorted = [...loginMs].sort((a, b) => a - b);
  console.log(
    `login to live state over ${runs} fresh contexts: median ${percentile(sorted, 50).toFixed(0)} ms, ` +
      `p90 ${percentile(sorted, 90).toFixed(0)} ms, max ${(sorted[sorted.length - 1] ?? NaN).toFixed(0)} ms (budget ${budgetMs})`,
  );
  expect(firstLoad.every((asset) => asset.encoding === 'gzip')).toBe(true);
  expect(total).toBeLessThanOrEqual(budgetBytes);
  expect(sorted[sorted.length - 1]).toBeLessThanOrEqual(budgetMs);
});
