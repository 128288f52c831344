// Who is logged in, and with which role. The session lives in an HttpOnly cookie; its CSRF
// token comes with the login answer, and after a reload from a passive login on the same cookie.
import { computed, signal } from '@preact/signals';

import { api, ApiError, setCsrfToken } from '../api/api';
import type { LoginAnswer, Role } from '../api/types';

export interface User {
  name: string;
  role: Role;
}

/** undefined: not known yet (the page just loaded); null: nobody is logged in. */
export const user = signal<User | null | undefined>(undefined);
export const canOperate = computed(() => user.value?.role === 'operator' || user.value?.role === 'admin');

function roleOf(answer: LoginAnswer): Role {
  if (answer.admin === true || answer.permissions.includes('ADMIN')) return 'admin';
  return answer.permissions.includes('CONTROL') ? 'operator' : 'viewer';
}

function accept(answer: LoginAnswer): void {
  setCsrfToken(answer.csrf_token);
  user.value = { name: answer.name, role: roleOf(answer) };
}

export async function resumeSession(): Promise<void> {
  try {
    accept(await api.resume());
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      user.value = null;
      return;
    }
    throw error;
  }
}

export async function logIn(name: string, password: string, remember: boolean): Promise<void> {
  accept(await api.login(name, password, remember));
}

export async function logOut(): Promise<void> {
  try {
    await api.logout();
  } finally {
    setCsrfToken('');
    user.value = null;
  }
}
