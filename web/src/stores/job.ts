// The current job and its progress, from /api/job; refreshed by the event stream on every
// state change and progress step.
import { computed, signal } from '@preact/signals';

import { api } from '../api/api';
import type { JobAnswer } from '../api/types';

export const job = signal<JobAnswer | null>(null);

export const completion = computed(() => job.value?.progress.completion ?? null);

/** Never fails: a failed load keeps what was shown (the stream or the next load mends it). */
export async function refreshJob(): Promise<void> {
  try {
    job.value = await api.job();
  } catch {
    // Kept as it was.
  }
}

/** `12:34` or `1:02:03` from seconds. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const total = Math.max(0, Math.round(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** The wall-clock time a job ends if `remaining_s` holds. */
export function finishClock(remaining_s: number | null | undefined, now_ms = Date.now()): string {
  if (remaining_s === null || remaining_s === undefined || !Number.isFinite(remaining_s)) return '–';
  return new Date(now_ms + remaining_s * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
