// Losing the server: the page says "reconnecting", and once the server is back (same port, same
// data) it resumes the event stream and shows the live state again, without a new login.
import { expect, test } from '@playwright/test';

import { logIn } from './helpers';
import { freshDataDirectory, startServer, stopServer } from './server';

test('a server restart mid-session reconnects', async ({ page }) => {
  const data = freshDataDirectory();
  let server = await startServer(data);
  try {
    await logIn(page, { name: 'demo', password: server.adminPassword }, server.url);
    await expect(page.getByTestId('printer-state')).toHaveText('Operational');
    await stopServer(server);
    await expect(page.getByTestId('reconnecting')).toBeVisible();
    server = await startServer(data, server.url.replace('http://', ''));
    await expect(page.getByTestId('reconnecting')).toHaveCount(0, { timeout: 30_000 });
    await expect(page.getByTestId('printer-state')).toHaveText('Operational', { timeout: 30_000 });
    await expect(page.getByRole('button', { name: 'Log in' })).toHaveCount(0);
  } finally {
    await stopServer(server);
  }
});
