// The app's pages by path (/, /files, /files/<path> for one file, /terminal, /history), kept in
// the address bar with the History API so reloads and the back button work; the server answers
// any of these paths with index.html.
import { computed, signal } from '@preact/signals';

export type Page = 'dashboard' | 'files' | 'file' | 'terminal' | 'history';

/** The pages the navigation lists. */
export const pages: Array<{ page: Page; path: string; title: string }> = [
  { page: 'dashboard', path: '/', title: 'Dashboard' },
  { page: 'files', path: '/files', title: 'Files' },
  { page: 'terminal', path: '/terminal', title: 'Terminal' },
  { page: 'history', path: '/history', title: 'History' },
];

const filePrefix = '/files/';

const pageOf = (path: string): Page => {
  if (path.startsWith(filePrefix) && path.length > filePrefix.length) return 'file';
  return pages.find((entry) => entry.path === path)?.page ?? 'dashboard';
};

const currentPath = signal(window.location.pathname);
export const currentPage = computed(() => pageOf(currentPath.value));
/** The file the detail page shows (its path in the library), or '' on other pages. */
export const routedFile = computed(() => {
  if (currentPage.value !== 'file') return '';
  try {
    return currentPath.value.slice(filePrefix.length).split('/').map(decodeURIComponent).join('/');
  } catch {
    return '';  // A malformed escape in a typed address: no such file.
  }
});

window.addEventListener('popstate', () => {
  currentPath.value = window.location.pathname;
});

function go(path: string): void {
  if (currentPath.value === path) return;
  window.history.pushState(null, '', path);
  currentPath.value = path;
  window.scrollTo(0, 0);
}

export function navigate(page: Page): void {
  const entry = pages.find((candidate) => candidate.page === page);
  if (entry) go(entry.path);
}

export const fileAddress = (path: string): string => filePrefix + path.split('/').map(encodeURIComponent).join('/');

export function showFile(path: string): void {
  go(fileAddress(path));
}
