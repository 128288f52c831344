// The terminal: a command typed is sent and the printer's answer shows; temperature reports are
// hidden unless asked for; the user's history comes back on the up key, after a reload too; a
// jog moves the head, as the printer's own M114 says.
import { expect, test } from '@playwright/test';

import { admin, logIn, screenshot } from './helpers';

test.beforeEach(async ({ page }) => {
  await logIn(page, admin());
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
});

test('send M115 and read the answer; the history survives a reload', async ({ page }, info) => {
  await page.getByRole('link', { name: 'Terminal' }).click();
  const terminal = page.getByTestId('terminal');
  await page.getByLabel('Command').fill('M115');
  await page.getByLabel('Command').press('Enter');
  await expect(terminal).toContainText('Send: N');
  await expect(terminal).toContainText('FIRMWARE_NAME:');
  const report = /Recv: (ok )? ?T:\d/;
  await expect(terminal).not.toContainText(report);  // Temperature reports are filtered.
  await page.getByLabel('Hide temperatures').uncheck();
  await expect(terminal).toContainText(report);
  await screenshot(page, info, 'terminal');
  await page.reload();
  // The history loads after the page: until it has, the up key finds nothing. Down first
  // leaves the history walk, so each try starts from the newest command.
  const command = page.getByLabel('Command');
  await expect(async () => {
    await command.press('ArrowDown');
    await command.press('ArrowUp');
    await expect(command).toHaveValue('M115', { timeout: 500 });
  }).toPass();
});

test('jog, and the printer reports the new position', async ({ page }) => {
  const controls = page.getByRole('region', { name: 'Controls' });
  await controls.getByRole('button', { name: 'Home all' }).click();
  await controls.getByRole('radio', { name: '10 mm', exact: true }).click();
  await controls.getByRole('button', { name: 'X plus' }).click();
  await controls.getByRole('button', { name: 'Y plus' }).click();
  await page.getByRole('link', { name: 'Terminal' }).click();
  await page.getByLabel('Command').fill('M114');
  await page.getByLabel('Command').press('Enter');
  await expect(page.getByTestId('terminal')).toContainText('Recv: X:10.00 Y:10.00');
});
