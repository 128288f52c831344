// In-page notices (toasts): print done or failed, uploads, errors. Each fades after a while;
// errors stay until dismissed.
import { signal } from '@preact/signals';

export type NoticeKind = 'info' | 'success' | 'error';

export interface Notice {
  id: number;
  kind: NoticeKind;
  text: string;
}

export const notices = signal<Notice[]>([]);
let nextId = 1;

export function dismiss(id: number): void {
  notices.value = notices.value.filter((notice) => notice.id !== id);
}

export function notify(kind: NoticeKind, text: string): void {
  const id = nextId++;
  notices.value = [...notices.value.slice(-4), { id, kind, text }];
  if (kind !== 'error') setTimeout(() => dismiss(id), 6000);
}

/** Runs an API call from a button; its failure becomes an error notice with the server's text. */
export async function attempt(what: string, action: () => Promise<unknown>): Promise<boolean> {
  try {
    await action();
    return true;
  } catch (error) {
    notify('error', `${what}: ${error instanceof Error ? error.message : String(error)}`);
    return false;
  }
}
