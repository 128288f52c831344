// Logging in and out, a wrong password, what a viewer may see (no controls at all), and the
// size of the first load.
import { expect, test } from '@playwright/test';

import { admin, logIn, screenshot, url, viewer, watchConsole } from './helpers';

test('a wrong password is refused with the server\'s message', async ({ page }, info) => {
  await page.goto(url());
  await page.getByLabel('User').fill('demo');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('alert')).toContainText('wrong user name or password');
  await screenshot(page, info, 'login');
});

test('log in, see the printer operational, reload, log out', async ({ page }, info) => {
  const errors = watchConsole(page);
  await logIn(page, admin());
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
  await expect(page.getByRole('region', { name: 'Temperatures' })).toBeVisible();
  await screenshot(page, info, 'dashboard');
  await page.reload();  // The session and its CSRF token survive a reload.
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  expect(errors).toEqual([]);
});

test('a viewer sees the printer but no controls', async ({ page }) => {
  await logIn(page, viewer());
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
  await expect(page.getByRole('region', { name: 'Controls' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Connect|Disconnect/ })).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Set' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Commands' })).toHaveCount(0);
  await expect(page.getByRole('button', { name: /PLA|Edit presets|All off/ })).toHaveCount(0);
  await page.getByRole('link', { name: 'Files' }).click();
  await expect(page.getByTestId('file-row').first()).toBeVisible();
  await expect(page.getByRole('button', { name: /Print|Load|Delete|New folder/ })).toHaveCount(0);
  await expect(page.getByRole('checkbox')).toHaveCount(0);
  await expect(page.getByTestId('upload-input')).toHaveCount(0);
  await page.getByTestId('file-row').first().getByRole('link', { name: /\.gcode$/ }).click();  // The file's page.
  await expect(page.getByTestId('file-layers')).toHaveText(/^\d+$/);
  await expect(page.getByRole('button', { name: /Print|Load|Delete/ })).toHaveCount(0);
  await page.getByRole('link', { name: 'History' }).click();
  await expect(page.getByRole('button', { name: 'Reprint' })).toHaveCount(0);
});

test('the first load is small: JS and CSS as sent, gzip, under 100 kB', async ({ page }) => {
  const sizes: Array<Promise<number>> = [];
  page.on('response', (response) => {
    const type = response.request().resourceType();
    if (type === 'script' || type === 'stylesheet') sizes.push(response.request().sizes().then((size) => size.responseBodySize));
  });
  await logIn(page, admin());
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
  const bytes = (await Promise.all(sizes)).reduce((sum, size) => sum + size, 0);
  expect(sizes.length).toBeGreaterThan(1);  // The app's script and style sheet at least.
  expect(bytes).toBeLessThanOrEqual(100_000);
});
