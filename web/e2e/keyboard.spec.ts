// Every page is usable from the keyboard: each control has a name a screen reader reads, and
// the Tab key reaches every visible, enabled control in turn, with a visible focus ring.
import { expect, test, type Page } from '@playwright/test';

import { admin, logIn, watchConsole } from './helpers';

const controls = 'a[href], button, input, select, textarea, [tabindex="0"]';

// The controls without an accessible name (label, aria-label, text or title), described.
function unnamed(page: Page): Promise<string[]> {
  return page.locator(controls).evaluateAll((elements) =>
    elements
      .filter((element) => {
        const control = element as HTMLElement & { labels?: NodeListOf<HTMLLabelElement> | null };
        const name =
          control.getAttribute('aria-label') ??
          (control.getAttribute('aria-labelledby') ? 'labelled' : null) ??
          (control.labels && control.labels.length > 0 ? 'label' : null) ??
          (control.textContent?.trim() || null) ??
          control.getAttribute('title');
        return !name && control.getAttribute('type') !== 'hidden';
      })
      .map((element) => element.outerHTML.slice(0, 120)),
  );
}

// Tabs through the page; how many distinct visible, enabled controls were focused, and how
// many there are, and whether each focused one showed an outline.
async function tabWalk(page: Page): Promise<{ reached: number; total: number; unringed: string[] }> {
  const total = await page.locator(controls).evaluateAll((elements) =>
    elements.filter((element) => {
      const control = element as HTMLElement & { disabled?: boolean };
      const box = control.getBoundingClientRect();
      const hiddenInput = control.classList.contains('visually-hidden') && control.closest('label') !== null;
      return !control.disabled && ((box.width > 0 && box.height > 0) || hiddenInput);
    }).length,
  );
  await page.locator('body').focus();
  const seen = new Set<string>();
  const unringed: string[] = [];
  for (let i = 0; i < total + 10; i += 1) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement as HTMLElement | null;
      if (!element || element === document.body) return null;
      const path = [];
      for (let node: Element | null = element; node; node = node.parentElement)
        path.unshift(`${node.tagName}:${Array.from(node.parentElement?.children ?? []).indexOf(node)}`);
      // A visually hidden file input shows its focus on the label that wraps it.
      const shown = element.classList.contains('visually-hidden') ? (element.closest('label') ?? element) : element;
      const style = getComputedStyle(shown);
      return { id: path.join('/'), ring: style.outlineStyle !== 'none' && style.outlineWidth !== '0px', html: element.outerHTML.slice(0, 80) };
    });
    if (!focused) continue;
    seen.add(focused.id);
    if (!focused.ring) unringed.push(focused.html);
  }
  return { reached: seen.size, total, unringed };
}

test.beforeEach(async ({ page }) => {
  await logIn(page, admin());
  await expect(page.getByTestId('printer-state')).toHaveText('Operational');
});

for (const name of ['Dashboard', 'Files', 'Terminal', 'History']) {
  test(`${name}: every control is named and reached by Tab`, async ({ page }) => {
    const errors = watchConsole(page);
    await page.getByRole('link', { name }).click();
    await expect(page.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
    await page.waitForTimeout(500);  // The page's data loaded (the event stream never idles).
    expect(await unnamed(page)).toEqual([]);
    const walk = await tabWalk(page);
    expect(walk.reached).toBeGreaterThanOrEqual(walk.total);
    expect(walk.unringed).toEqual([]);
    expect(errors).toEqual([]);
  });
}
