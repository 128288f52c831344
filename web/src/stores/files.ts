// The files on the server (a tree, flattened for the list), the folder being looked at (where
// uploads go), and the uploads in progress, each with its progress and a way to cancel it.
import { signal } from '@preact/signals';

import { api, upload } from '../api/api';
import type { FileEntry } from '../api/types';
import { notify } from './notices';

export interface Upload {
  id: number;
  name: string;
  fraction: number;
  cancel: () => void;
}

export const files = signal<FileEntry[]>([]);
export const uploads = signal<Upload[]>([]);
/** The folder the files page shows, '' for the top; uploads go into it. A folder exists while
 * it holds a file: a new one is made by uploading into it. */
export const currentFolder = signal('');

/** The folders directly inside `folder`, each with how many files it holds (at any depth). */
export function subfoldersOf(list: FileEntry[], folder: string): Array<{ path: string; name: string; count: number }> {
  const prefix = folder ? `${folder}/` : '';
  const counts = new Map<string, number>();
  for (const file of list) {
    if (!file.path.startsWith(prefix)) continue;
    const rest = file.path.slice(prefix.length);
    const slash = rest.indexOf('/');
    if (slash > 0) counts.set(rest.slice(0, slash), (counts.get(rest.slice(0, slash)) ?? 0) + 1);
  }
  return [...counts].map(([name, count]) => ({ path: prefix + name, name, count })).sort((a, b) => a.name.localeCompare(b.name));
}

/** The files directly inside `folder`. */
export function filesIn(list: FileEntry[], folder: string): FileEntry[] {
  const prefix = folder ? `${folder}/` : '';
  return list.filter((file) => file.path.startsWith(prefix) && !file.path.slice(prefix.length).includes('/'));
}
let nextUploadId = 1;

function flatten(entries: FileEntry[]): FileEntry[] {
  return entries.flatMap((entry) => (entry.type === 'folder' ? flatten(entry.children ?? []) : [entry]));
}

export async function refreshFiles(): Promise<void> {
  try {
    files.value = flatten((await api.files()).files);
  } catch {
    // Kept as it was.
  }
}

function updateUpload(id: number, change: Partial<Upload>): void {
  uploads.value = uploads.value.map((item) => (item.id === id ? { ...item, ...change } : item));
}

/** Sends each file in turn (one at a time keeps the Pi's disk and the upload bar honest). */
export async function uploadFiles(chosen: File[]): Promise<void> {
  const folder = currentFolder.value;
  const queued = chosen.map((file) => ({ file, id: nextUploadId++ }));
  const cancelled = new Set<number>();
  uploads.value = [
    ...uploads.value,
    ...queued.map(({ file, id }) => ({ id, name: file.name, fraction: 0, cancel: () => cancelled.add(id) })),
  ];
  for (const { file, id } of queued) {
    if (cancelled.has(id)) {
      uploads.value = uploads.value.filter((item) => item.id !== id);
      continue;
    }
    const handle = upload(file, folder, (fraction) => updateUpload(id, { fraction }));
    updateUpload(id, { cancel: handle.cancel });
    try {
      await handle.done;
      notify('success', `${folder ? `${folder}/` : ''}${file.name} uploaded`);
    } catch (error) {
      notify('error', `${file.name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      uploads.value = uploads.value.filter((item) => item.id !== id);
    }
  }
  await refreshFiles();
}
