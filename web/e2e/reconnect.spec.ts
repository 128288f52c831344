// Losing the server: the page says "reconnecting", and once the server is back (same port, same
// data) it resumes the event stream and shows the live state again, without a new login; the
// terminal goes on with the new server's lines.
import { expect, test } from '@playwright/test';

import { logIn } from './helpers';
import { freshDataDirectory, startServer, stopServer } from './server';

test('a server restart mid-session reconnects', async ({ page }) => {
  const data = freshDataDirectory();
  let server = await startServer(data);
  try {
    await logIn(page, { name: 'demo', password: server.adminPassword }, server.url);
    await expect(page.getByTestId('printer-state')).toHaveText('Operational');
    await page.getByRole('link', { name: 'Terminal' }).click();
    const terminal = page.getByTestId('terminal');
    // Enough lines that the old server's numbers are past the new one's for a while.
    for (let i = 0; i < 3; i += 1) {
      const before = await terminal.locator('div').count();
      await page.getByLabel('Command').fill('M115');
      await page.getByLabel('Command').press('Enter');
      await expect.poll(() => terminal.locator('div').count()).toBeGreaterThan(before + 10);
    }
    await stopServer(server);
    await expect(page.getByTestId('reconnecting')).toBeVisible();
    server = await startServer(data, server.url.replace('http://', ''));
    await expect(page.getByTestId('reconnecting')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('printer-state')).toHaveText('Operational', { timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Log in' })).toHaveCount(0);
    // The new server numbers its terminal lines from 1 again: they still show.
    await expect(terminal).toContainText('--- the server restarted ---');
    await page.getByLabel('Command').fill('M117 after the restart');
    await page.getByLabel('Command').press('Enter');
    await expect(terminal).toContainText('M117 after the restart');
  } finally {
    await stopServer(server);
  }
});
