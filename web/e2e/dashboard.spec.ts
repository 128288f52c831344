// The dashboard's controls against the demo printer: disconnect and connect, a temperature
// target that shows in the table and as the graph's target line, jogging and homing.
import { expect, test } from '@playwright/test';

import { admin, logIn, screenshot, watchConsole } from './helpers';

test.beforeEach(async ({ page }) => {
  await logIn(page, admin());
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
});

test('disconnect and connect again', async ({ page }) => {
  const errors = watchConsole(page);
  const connection = page.getByRole('region', { name: 'Connection' });
  await connection.getByRole('button', { name: 'Disconnect' }).click();
  await expect(page.getByTestId('printer-state')).not.toHaveText('Operational');
  await expect(connection.getByRole('button', { name: 'Connect' })).toBeEnabled();
  await connection.getByRole('button', { name: 'Connect' }).click();
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
  expect(errors.filter((e) => !e.includes('409'))).toEqual([]);  // /api/printer while offline.
});

test('a target temperature shows, and can be turned off', async ({ page }, info) => {
  const temperatures = page.getByRole('region', { name: 'Temperatures' });
  await temperatures.getByLabel('tool0 target').fill('205');
  await temperatures.getByLabel('tool0 target').press('Enter');
  await expect(page.getByTestId('target-tool0')).toHaveText('205 °C');
  await expect(page.getByTestId('actual-tool0')).not.toHaveText('22.0 °C');  // It heats.
  // The graph's target line is at 205 at its newest point: the legend reads it under the cursor.
  const plot = page.getByTestId('temperature-chart').locator('.u-over');
  const legendTarget = page.getByTestId('temperature-chart').locator('.u-legend .u-series').filter({ hasText: 'tool0 target' }).locator('.u-value');
  await expect.poll(async () => {
    const box = await plot.boundingBox();
    if (box) await plot.hover({ position: { x: box.width - 1, y: box.height / 2 }, force: true });
    return legendTarget.textContent();
  }).toBe('205');
  await screenshot(page, info, 'temperatures');
  await temperatures.getByRole('button', { name: 'All off' }).click();
  await expect(page.getByTestId('target-tool0')).toHaveText('0 °C');
});

test('jog and home reach the printer', async ({ page }) => {
  const controls = page.getByRole('region', { name: 'Controls' });
  const homed = page.waitForResponse((r) => r.url().endsWith('/api/printer/printhead') && r.status() === 204);
  await controls.getByRole('button', { name: 'Home all' }).click();
  await homed;
  await controls.getByRole('radio', { name: '1 mm', exact: true }).click();
  const jogged = page.waitForResponse((r) => r.url().endsWith('/api/printer/printhead') && r.status() === 204);
  await controls.getByRole('button', { name: 'X plus' }).click();
  const answer = await jogged;
  expect(answer.request().postDataJSON()).toEqual({ command: 'jog', x: 1 });
  await expect(page.getByTestId('notice')).toHaveCount(0);
});
