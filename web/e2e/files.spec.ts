// Files: a real slicer file uploaded by the picker and by dropping it on the page goes from
// preparing to ready; a file that is no G-code gets the server's refusal; folders, a file's
// detail page and deleting several at once; a print runs to done with its progress and layer
// shown, lands in the history with its video, and pause, resume and cancel work.
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

const layerOf = async (page: Page): Promise<[number, number]> => {
  const match = /^(\d+) \/ (\d+)/.exec((await page.getByTestId('job-layer').textContent()) ?? '');
  return match ? [Number(match[1]), Number(match[2])] : [0, 0];
};

test('print to done with the layer advancing and a sound, then find it in the history with its video', async ({ page }, info) => {
  // Counts the tones the page plays (headless chromium has no speakers to listen to).
  await page.addInitScript(() => {
    const counted = window as unknown as { tones: number };
    counted.tones = 0;
    const original = AudioContext.prototype.createOscillator;
    AudioContext.prototype.createOscillator = function (this: AudioContext) {
      counted.tones += 1;
      return original.call(this);
    };
  });
  await page.reload();
  await page.getByRole('button', { name: 'Sound when a print ends' }).click();
  await expect(page.getByRole('button', { name: 'Sound when a print ends' })).toHaveAttribute('aria-pressed', 'true');
  const name = `${info.project.name}-print.gcode`;
  await uploadAndPrint(page, name);
  await expect(page.getByTestId('job-file')).toHaveText(name);
  await expect(page.getByTestId('printer-state')).toHaveText('Printing');
  await expect.poll(async () => parseFloat((await page.getByTestId('job-progress').textContent()) ?? '0'), {
    timeout: 60_000,
  }).toBeGreaterThan(5);
  await expect.poll(async () => (await layerOf(page))[0], { timeout: 60_000 }).toBeGreaterThan(0);  // Past the heat-up.
  const [early, layers] = await layerOf(page);
  expect(layers).toBeGreaterThan(10);
  await expect.poll(async () => (await layerOf(page))[0], { timeout: 60_000 }).toBeGreaterThan(early);
  await expect(page).toHaveTitle(/% · .*print\.gcode/);
  await expect(page.getByTestId('job-snapshots')).toHaveText(/^[1-9]\d* of \d+$/);
  await screenshot(page, info, 'printing');
  await expect(page.getByTestId('notice').filter({ hasText: `Print done: ${name}` })).toBeVisible({ timeout: 90_000 });
  expect(await layerOf(page)).toEqual([layers, layers]);
  expect(await page.evaluate(() => (window as unknown as { tones: number }).tones)).toBe(2);
  await page.getByRole('link', { name: 'History' }).click();
  const record = page.getByTestId('history-row').filter({ hasText: name });
  await expect(record.first()).toBeVisible();
  await expect(record.first().getByTestId('history-result')).toHaveText(/done|success/i);
  // The video renders after the print; the page takes it in when the server says it is ready.
  const play = record.first().getByRole('button', { name: `Timelapse of ${name}` });
  await expect(play).toBeVisible({ timeout: 60_000 });
  await play.click();
  const video = page.getByTestId('history-video');
  await expect.poll(() => video.evaluate((element: HTMLVideoElement) => element.duration), { timeout: 15_000 }).toBeGreaterThan(0);
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

test('a new folder takes an upload; the file page shows its analysis and layer times', async ({ page }, info) => {
  const folder = `parts-${info.project.name}`;
  page.once('dialog', (dialog) => void dialog.accept(folder));
  await page.getByRole('button', { name: 'New folder' }).click();
  await expect(page.getByText('This folder is empty')).toBeVisible();
  await page.getByTestId('upload-input').setInputFiles({ name: 'cube.gcode', mimeType: 'text/plain', buffer: readFileSync(sampleGcode) });
  const path = `${folder}/cube.gcode`;
  await expect(row(page, path).getByTestId('file-state')).toHaveText('ready', { timeout: 60_000 });
  await page.getByRole('navigation', { name: 'Folder' }).getByRole('button', { name: 'All files' }).click();
  await expect(row(page, path)).toHaveCount(0);
  const folderRow = page.locator(`[data-testid="folder-row"][data-path="${folder}"]`);
  await expect(folderRow).toContainText('1 file');
  await folderRow.getByRole('button', { name: `${folder}/` }).click();
  await row(page, path).getByRole('link', { name: 'cube.gcode' }).click();
  await expect(page).toHaveURL(new RegExp(`/files/${folder}/cube\\.gcode$`));
  await expect(page.getByTestId('file-layers')).toHaveText(/^\d{2,}$/);
  await expect(page.getByTestId('file-estimate')).toHaveText(/^\d+:\d\d/);
  await expect(page.getByTestId('layer-chart').locator('canvas')).toBeVisible();
  await screenshot(page, info, 'file');
  await page.reload();  // The address opens the same page.
  await expect(page.getByTestId('file-layers')).toHaveText(/^\d{2,}$/);
  await page.getByRole('button', { name: 'Load' }).click();
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByTestId('job-file')).toHaveText('cube.gcode');
  await page.getByRole('link', { name: 'Files' }).click();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: `Delete folder ${folder}` }).click();
  await expect(folderRow).toHaveCount(0);
});

test('several files picked are deleted together', async ({ page }, info) => {
  const names = ['a', 'b', 'c'].map((letter) => `${info.project.name}-many-${letter}.gcode`);
  await page.getByTestId('upload-input').setInputFiles(
    names.map((name) => ({ name, mimeType: 'text/plain', buffer: readFileSync(sampleGcode) })),
  );
  for (const name of names) await expect(row(page, name)).toBeVisible({ timeout: 60_000 });
  await page.getByLabel(`Pick ${names[0]}`).check();
  await page.getByLabel(`Pick ${names[2]}`).check();
  page.once('dialog', (dialog) => void dialog.accept());
  await page.getByRole('button', { name: 'Delete picked' }).click();
  await expect(row(page, names[0] ?? '')).toHaveCount(0);
  await expect(row(page, names[2] ?? '')).toHaveCount(0);
  await expect(row(page, names[1] ?? '')).toBeVisible();
});
