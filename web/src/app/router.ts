// The app's pages by path (/, /files, /terminal, /history), kept in the address bar with the History API so
// reloads and the back button work; the server answers any of these paths with index.html.
import { signal } from '@preact/signals';

export type Page = 'dashboard' | 'files' | 'terminal' | 'history';

export const pages: Array<{ page: Page; path: string; title: string }> = [
  { page: 'dashboard', path: '/', title: 'Dashboard' },
  { page: 'files', path: '/files', title: 'Files' },
  { page: 'terminal', path: '/terminal', title: 'Terminal' },
  { page: 'history', path: '/history', title: 'History' },
];

const pageOf = (path: string): Page => pages.find((entry) => entry.path === path)?.page ?? 'dashboard';

export const currentPage = signal<Page>(pageOf(window.location.pathname));

window.addEventListener('popstate', () => {
  currentPage.value = pageOf(window.location.pathname);
});

export function navigate(page: Page): void {
  const entry = pages.find((candidate) => candidate.page === page);
  if (!entry || currentPage.value === page) return;
  window.history.pushState(null, '', entry.path);
  currentPage.value = page;
}
