// What an admin sets up and an operator uses on the dashboard: an edited preset applied to the
// heaters, a temperature offset, a custom command button (asking first) whose lines reach the
// printer, and extrusion at a chosen speed.
import { expect, test } from '@playwright/test';

import { admin, logIn } from './helpers';

test.beforeEach(async ({ page }) => {
  await logIn(page, admin());
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
});

test('an added preset sets both heaters, and is removed again', async ({ page }, info) => {
  const temperatures = page.getByRole('region', { name: 'Temperatures' });
  const name = `PC-${info.project.name}`;
  await temperatures.getByRole('button', { name: 'Edit presets' }).click();
  await temperatures.getByRole('button', { name: 'Add preset' }).click();
  const editor = temperatures.getByRole('form', { name: 'Edit presets' });
  const rows = await editor.getByLabel(/^Preset \d+ name$/).count();
  await editor.getByLabel(`Preset ${rows} name`).fill(name);
  await editor.getByLabel(`Preset ${rows} extruder`).fill('260');
  await editor.getByLabel(`Preset ${rows} bed`).fill('110');
  await editor.getByRole('button', { name: 'Save presets' }).click();
  await temperatures.getByRole('button', { name: `${name} 260/110` }).click();
  await expect(page.getByTestId('target-tool0')).toHaveText('260 °C');
  await expect(page.getByTestId('target-bed')).toHaveText('110 °C');
  await temperatures.getByRole('button', { name: 'All off' }).click();
  await expect(page.getByTestId('target-bed')).toHaveText('0 °C');

  await temperatures.getByRole('button', { name: 'Edit presets' }).click();
  await editor.getByRole('button', { name: `Remove preset ${rows}` }).click();
  await editor.getByRole('button', { name: 'Save presets' }).click();
  await expect(temperatures.getByRole('button', { name: 'PLA 210/60' })).toBeVisible();
  await expect(temperatures.getByRole('button', { name: `${name} 260/110` })).toHaveCount(0);
});

test('a bad preset is refused with the server naming the field', async ({ page }) => {
  const temperatures = page.getByRole('region', { name: 'Temperatures' });
  await temperatures.getByRole('button', { name: 'Edit presets' }).click();
  const editor = temperatures.getByRole('form', { name: 'Edit presets' });
  await editor.getByLabel('Preset 2 name').fill('PLA');  // The form's own checks pass this.
  await editor.getByRole('button', { name: 'Save presets' }).click();
  await expect(page.getByTestId('notice')).toContainText("temperature.profiles[1]: name 'PLA' is used twice");
  await editor.getByRole('button', { name: 'Close' }).click();
  await expect(temperatures.getByRole('button', { name: 'PLA 210/60' })).toBeVisible();
});

test('a temperature offset shows and is cleared', async ({ page }) => {
  const temperatures = page.getByRole('region', { name: 'Temperatures' });
  await temperatures.getByLabel('tool0 offset').fill('5');
  await temperatures.getByLabel('tool0 offset').press('Enter');
  await expect(page.getByTestId('offset-tool0')).toHaveText('+5');
  await temperatures.getByLabel('tool0 offset').fill('0');
  await temperatures.getByLabel('tool0 offset').press('Enter');
  await expect(page.getByTestId('offset-tool0')).toHaveText('0');
});

test('a command button asks first, then its lines reach the printer', async ({ page }) => {
  const commands = page.getByRole('region', { name: 'Commands' });
  let asked = '';
  page.once('dialog', (dialog) => {
    asked = dialog.message();
    void dialog.accept();
  });
  const sent = page.waitForResponse((r) => r.url().endsWith('/api/printer/command') && r.status() === 204);
  await commands.getByRole('button', { name: 'Unload filament' }).click();
  expect((await sent).request().postDataJSON()).toEqual({ commands: ['M83', 'G1 E5 F300', 'G1 E-15 F3000', 'G1 E-80 F1200', 'M82'] });
  expect(asked).toContain('Unload filament?');
  await page.getByRole('link', { name: 'Terminal' }).click();
  await expect(page.getByTestId('terminal')).toContainText('G1 E-80 F1200');
});

test('an admin adds a command button that everyone then sees', async ({ page }, info) => {
  const commands = page.getByRole('region', { name: 'Commands' });
  const name = `Beep ${info.project.name}`;
  await commands.getByRole('button', { name: 'Edit' }).click();
  await commands.getByRole('button', { name: 'Add button' }).click();
  const last = commands.getByRole('group').last();
  await last.getByLabel('Name').fill(name);
  await last.getByLabel('G-code, one command per line').fill('M300 S440 P200\nM117 beeped');
  await commands.getByRole('button', { name: 'Save buttons' }).click();
  await page.reload();
  const sent = page.waitForResponse((r) => r.url().endsWith('/api/printer/command') && r.status() === 204);
  await page.getByRole('region', { name: 'Commands' }).getByRole('button', { name }).click();
  expect((await sent).request().postDataJSON()).toEqual({ commands: ['M300 S440 P200', 'M117 beeped'] });
  await commands.getByRole('button', { name: 'Edit' }).click();
  await commands.getByRole('group').last().getByRole('button', { name: /^Remove button/ }).click();
  await commands.getByRole('button', { name: 'Save buttons' }).click();
  await expect(commands.getByRole('button', { name })).toHaveCount(0);
});

test('extrude sends the length and speed chosen', async ({ page }) => {
  const controls = page.getByRole('region', { name: 'Controls' });
  await controls.getByLabel('Extrude length').fill('3');
  await controls.getByLabel('Extrude speed').fill('120');
  const sent = page.waitForResponse((r) => r.url().endsWith('/api/printer/tool') && r.status() === 204);
  await controls.getByRole('button', { name: 'Retract' }).click();
  expect((await sent).request().postDataJSON()).toEqual({ command: 'extrude', amount: -3, speed: 120 });
});
