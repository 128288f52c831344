// Light or dark: the system's choice unless the user picked one (kept in localStorage). The
// page's data-theme is always the theme in effect, so the style sheet names each theme once.
import { signal } from '@preact/signals';

export type Theme = 'system' | 'light' | 'dark';

const stored = localStorage.getItem('strata.theme');
export const theme = signal<Theme>(stored === 'light' || stored === 'dark' ? stored : 'system');
const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

function apply(): void {
  const dark = theme.value === 'dark' || (theme.value === 'system' && systemDark.matches);
  document.documentElement.dataset['theme'] = dark ? 'dark' : 'light';
}
apply();
systemDark.addEventListener('change', apply);

export function cycleTheme(): void {
  theme.value = theme.value === 'system' ? 'dark' : theme.value === 'dark' ? 'light' : 'system';
  localStorage.setItem('strata.theme', theme.value);
  apply();
}
