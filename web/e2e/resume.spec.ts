// A dropped event stream (the browser cut off for a while by a proxy, the server running on)
// resumes from its last event: a print started and cancelled meanwhile shows as its notice, and
// a terminal line sent meanwhile is in the terminal.
import { expect, test } from '@playwright/test';

import { admin, logIn, url } from './helpers';
import { startProxy } from './proxy';

test('a dropped event stream resumes where it left off', async ({ page, playwright }) => {
  const proxy = await startProxy(url());
  // Whether the stream was opened again from an event id (the browser's Last-Event-ID header,
  // which only the network-level headers show, or the app's own lastEventId parameter).
  const resumedFrom: string[] = [];
  page.on('request', (request) => {
    if (!request.url().includes('/api/events')) return;
    void request.allHeaders().then((headers) => {
      const id = headers['last-event-id'] ?? new URL(request.url()).searchParams.get('lastEventId');
      if (id) resumedFrom.push(id);
    });
  });

  await logIn(page, admin(), proxy.url);
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
  await page.getByRole('link', { name: 'Terminal' }).click();
  // Another client, acting while this page is cut off.
  const other = await playwright.request.newContext({ baseURL: url() });
  const who = admin();
  const login = (await (await other.post('/api/login', { data: { user: who.name, pass: who.password } })).json()) as { csrf_token: string };
  const headers = { 'X-CSRF-Token': login.csrf_token };
  const state = async () => ((await (await other.get('/api/job')).json()) as { state: string }).state;

  proxy.cut();
  await expect(page.getByTestId('reconnecting')).toBeVisible();
  const file = 'ps281_mini_cube_m486.gcode';  // The demo's sample.
  expect((await other.post(`/api/files/local/${file}`, { headers, data: { command: 'select', print: true } })).status()).toBe(204);
  await expect.poll(state, { timeout: 30_000 }).toBe('Printing');
  expect((await other.post('/api/job', { headers, data: { command: 'cancel' } })).status()).toBe(204);
  await expect.poll(state, { timeout: 30_000 }).toBe('Operational');
  // Last, so it is among the newest lines: the print's thousands of lines before it may be more
  // than the page keeps (those it reports as not kept).
  expect((await other.post('/api/printer/command', { headers, data: { commands: ['M117 while away'] } })).status()).toBe(204);
  // Sent to the printer while the page is still cut off.
  await expect.poll(async () => (await (await other.get('/api/strata/terminal?limit=50')).text()).includes('M117 while away')).toBe(true);

  proxy.restore();
  await expect.poll(() => resumedFrom.length, { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(page.getByTestId('reconnecting')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('notice').filter({ hasText: `Cancelled: ${file}` })).toBeVisible();
  await expect(page.getByTestId('terminal')).toContainText('M117 while away');
  await other.dispose();
  await proxy.close();
});
