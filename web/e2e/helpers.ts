// What the tests share: the server's address and users (from global-setup.ts), logging in,
// and screenshots named by page and viewport under STRATA_E2E_OUT/screenshots.
import { expect, type Page, type TestInfo } from '@playwright/test';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const testData = join(here, '..', '..', 'tests', 'data');
export const sampleGcode = join(testData, 'ps281_mini_cube_m486.gcode');

export function url(path = '/'): string {
  const base = process.env['STRATA_URL'];
  if (!base) throw new Error('STRATA_URL is not set: run through playwright.config.ts');
  return base + path;
}

export const admin = () => ({ name: 'demo', password: process.env['STRATA_E2E_ADMIN_PASSWORD'] ?? '' });
export const viewer = () => ({ name: 'vera', password: process.env['STRATA_E2E_VIEWER_PASSWORD'] ?? '' });

export async function logIn(page: Page, who: { name: string; password: string }, base = url()): Promise<void> {
  await page.goto(base);
  await page.getByLabel('User').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('navigation', { name: 'Pages' })).toBeVisible();
}

export async function screenshot(page: Page, info: TestInfo, name: string): Promise<void> {
  const out = process.env['STRATA_E2E_OUT'] ?? 'test-results';
  await page.screenshot({ path: join(out, 'screenshots', `${info.project.name}-${name}.png`), fullPage: true });
}

/** Fails the test on any console error or uncaught exception in the page. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}
