// Files: a real slicer file uploaded by the picker and by dropping it on the page goes from
// preparing to ready; a file that is no G-code gets the server's refusal; a print runs to done
// with its progress shown, lands in the history, and pause, resume and cancel work.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect, test, type Page } from '@playwright/test';

import { admin, logIn, sampleGcode, screenshot, testData } from './helpers';

async function dropFile(page: Page, name: string, bytes: Buffer): Promise<void> {
  const dataTransfer = await page.evaluateHandle(
    ({ data, fileName }) => {
      const transfer = new DataTransfer();
      const raw = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      transfer.items.add(new File([raw], fileName, { type: 'application/octet-stream' }));
      return transfer;
    },
    { data: bytes.toString('base64'), fileName: name },
  );
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}

function row(page: Page, path: string) {
  return page.locator(`[data-testid="file-row"][data-path="${path}"]`);
}

// Uploads the sample as `name`, waits until it is prepared, prints it and opens the dashboard.
async function uploadAndPrint(page: Page, name: string): Promise<void> {
  await page.getByTestId('upload-input').setInputFiles({ name, mimeType: 'text/plain', buffer: readFileSync(sampleGcode) });
  await expect(row(page, name).getByTestId('file-state')).toHaveText('ready', { timeout: 60_000 });
  await row(page, name).getByRole('button', { name: 'Print' }).click();
  await page.getByRole('link', { name: 'Dashboard' }).click();
}

test.beforeEach(async ({ page }) => {
  await logIn(page, admin());
  await page.getByRole('link', { name: 'Files' }).click();
});

test('upload by picker and by drop; each is prepared', async ({ page }, info) => {
  const picked = `${info.project.name}-picked.gcode`;
  const dropped = `${info.project.name}-dropped.gcode`;
  await page.getByTestId('upload-input').setInputFiles({
    name: picked,
    mimeType: 'application/octet-stream',
    buffer: readFileSync(join(testData, 'ps261_mini_vase_relative_e.gcode')),  // PrusaSlicer's thumbnails.
  });
  await expect(row(page, picked)).toBeVisible();
  await expect(row(page, picked).getByTestId('file-state')).toHaveText('ready', { timeout: 60_000 });
  // The slicer's thumbnail, loaded as an image (naturalWidth is 0 for a broken one).
  const thumbnail = row(page, picked).getByTestId('file-thumbnail');
  await expect(thumbnail).toBeVisible();
  await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0);
  await dropFile(page, dropped, readFileSync(sampleGcode));
  await expect(row(page, dropped).getByTestId('file-state')).toHaveText('ready', { timeout: 60_000 });
  await expect(page.getByTestId('notice').filter({ hasText: `${dropped} uploaded` })).toBeVisible();
  await screenshot(page, info, 'files');
});

test('a file that is no G-code gets the server\'s refusal', async ({ page }) => {
  await page.getByTestId('upload-input').setInputFiles({
    name: 'holiday.png',
    mimeType: 'image/png',
    buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  });
  await expect(page.getByTestId('notice').filter({ hasText: 'holiday.png' })).toBeVisible();
  await expect(row(page, 'holiday.png')).toHaveCount(0);
});

test('print to done, then find it in the history', async ({ page }, info) => {
  const name = `${info.project.name}-print.gcode`;
  await uploadAndPrint(page, name);
  await expect(page.getByTestId('job-file')).toHaveText(name);
  await expect(page.getByTestId('printer-state')).toHaveText('Printing');
  await expect.poll(async () => parseFloat((await page.getByTestId('job-progress').textContent()) ?? '0'), {
    timeout: 60_000,
  }).toBeGreaterThan(5);
  await expect(page).toHaveTitle(/% · .*print\.gcode/);
  await screenshot(page, info, 'printing');
  await expect(page.getByTestId('notice').filter({ hasText: `Print done: ${name}` })).toBeVisible({ timeout: 90_000 });
  await page.getByRole('link', { name: 'History' }).click();
  const record = page.getByTestId('history-row').filter({ hasText: name });
  await expect(record.first()).toBeVisible();
  await expect(record.first().getByTestId('history-result')).toHaveText(/done|success/i);
  await screenshot(page, info, 'history');
});

test('pause, resume and cancel a print', async ({ page }, info) => {
  const name = `${info.project.name}-cancel.gcode`;
  await uploadAndPrint(page, name);
  await expect(page.getByTestId('printer-state')).toHaveText('Printing');
  const job = page.getByRole('region', { name: 'Job' });
  await job.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('printer-state')).toHaveText('Paused', { timeout: 30_000 });
  await job.getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByTestId('printer-state')).toHaveText('Printing');
  page.once('dialog', (dialog) => void dialog.accept());
  await job.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('notice').filter({ hasText: `Cancelled: ${name}` })).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('printer-state')).toHaveText('Operational', { timeout: 30_000 });
});
