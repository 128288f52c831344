// Past jobs and the timelapse videos, loaded when the history page opens and again when a job
// ends or a video is ready (the event stream says so).
import { signal } from '@preact/signals';

import { api } from '../api/api';
import type { JobRecord, TimelapseEntry } from '../api/types';

export const jobs = signal<JobRecord[]>([]);
export const videos = signal<TimelapseEntry[]>([]);

export async function refreshHistory(): Promise<void> {
  const [jobAnswer, videoAnswer] = await Promise.all([api.jobs(), api.timelapses()]);
  jobs.value = jobAnswer.jobs;
  videos.value = videoAnswer.files;
}

/** For the event stream: a failure keeps what is shown; the next event or visit mends it. */
export function refreshHistoryQuietly(): void {
  refreshHistory().catch(() => undefined);
}
