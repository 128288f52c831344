// Who is logged in, and with which role. The session lives in an HttpOnly cookie; its CSRF
// token comes with the login answer, and after a reload from a passive login on the same cookie.
import { computed, signal } from '@preact/signals';

import { api, ApiError, setCsrfToken } from '../api/api';
import type { LoginAnswer, Role } from '../api/types';
import { stopLiveData } from './live';

export interface User {
  name: string;
  role: Role;
}

/** undefined: not known yet (the page just loaded); null: nobody is logged in. */
export const user = signal<User | null | undefined>(undefined);
export const canOperate = computed(() => user.value?.role === 'operator' || user.value?.role === 'admin');
export const isAdmin = computed(() => user.value?.role === 'admin');

function roleOf(answer: LoginAnswer): Role {
  if (answer.admin === true || answer.permissions.includes('ADMIN')) return 'admin';
  return answer.permissions.includes('CONTROL') ? 'operator' : 'viewer';
}

// Whether this browser logged in and has not logged out since: the session cookie is HttpOnly,
// and asking the server with no session at all would only log a 403 in the console.
const hintKey = 'strata.session';

function accept(answer: LoginAnswer): void {
  setCsrfToken(answer.csrf_token);
  user.value = { name: answer.name, role: roleOf(answer) };
  localStorage.setItem(hintKey, '1');
}

export async function resumeSession(): Promise<void> {
  if (localStorage.getItem(hintKey) === null) {
    user.value = null;
    return;
  }
  try {
    accept(await api.resume());
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      localStorage.removeItem(hintKey);  // The session ended (expired, or logged out elsewhere).
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
  stopLiveData();
  try {
    await api.logout();
  } finally {
    localStorage.removeItem(hintKey);
    setCsrfToken('');
    user.value = null;
  }
}
