// Light or dark: the system's choice unless the user picked one (kept in localStorage).
import { signal } from '@preact/signals';

export type Theme = 'system' | 'light' | 'dark';

const stored = localStorage.getItem('strata.theme');
export const theme = signal<Theme>(stored === 'light' || stored === 'dark' ? stored : 'system');

function apply(choice: Theme): void {
  if (choice === 'system') delete document.documentElement.dataset['theme'];
  else document.documentElement.dataset['theme'] = choice;
}
apply(theme.value);

export function cycleTheme(): void {
  const next: Theme = theme.value === 'system' ? 'dark' : theme.value === 'dark' ? 'light' : 'system';
  theme.value = next;
  localStorage.setItem('strata.theme', next);
  apply(next);
}
