// A print cut off by a host crash (the server killed in the middle of it, then started again on
// the same data) is in the history as interrupted, with the reason, and "Resume from layer N"
// prints it on from that layer once the printer is back. A printer unplugged or powered off
// mid-print leaves the same record (the streamer's link_lost).
import { expect, test } from '@playwright/test';

import { logIn, screenshot } from './helpers';
import { freshDataDirectory, startServer, stopServer } from './server';

const sample = 'ps281_mini_cube_m486.gcode';

test('an interrupted job resumes from its layer', async ({ page }, info) => {
  const data = freshDataDirectory();
  let server = await startServer(data);
  try {
    await logIn(page, { name: 'demo', password: server.adminPassword }, server.url);
    await expect(page.getByTestId('printer-state')).toHaveText('Operational');
    await page.getByRole('link', { name: 'Files' }).click();
    const file = page.locator(`[data-testid="file-row"][data-path="${sample}"]`);
    await expect(file.getByTestId('file-state')).toHaveText('ready', { timeout: 60_000 });
    await file.getByRole('button', { name: 'Print' }).click();
    // The job record keeps the layer as the print goes: wait until it is a few layers in.
    const jobs = server.url + '/api/strata/jobs';
    await expect
      .poll(async () => ((await (await page.request.get(jobs)).json()) as { jobs: Array<{ layer: number }> }).jobs[0]?.layer ?? 0, {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(3);
    const crashed = new Promise((resolve) => server.process.once('exit', resolve));
    server.process.kill('SIGKILL');
    await crashed;
    server = await startServer(data, server.url.replace('http://', ''));

    await page.getByRole('link', { name: 'History' }).click();
    const record = page.getByTestId('history-row').first();
    await expect(record.getByTestId('history-result')).toContainText('the server stopped during the print');
    const resume = record.getByRole('button', { name: /^Resume from layer [3-9]/ });
    await expect(resume).toBeEnabled({ timeout: 30_000 });
    await screenshot(page, info, 'history-interrupted');
    await resume.click();
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await expect(page.getByTestId('printer-state')).toHaveText('Printing', { timeout: 30_000 });
    await expect
      .poll(async () => ((await (await page.request.get(jobs)).json()) as { jobs: Array<{ state: string }> }).jobs[0]?.state)
      .toBe('printing');
  } finally {
    await stopServer(server);
  }
});
