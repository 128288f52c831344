// The one event stream (GET /api/events, Server-Sent Events) that keeps every store fresh. It
// opens `from=now`: the server's first message (`current`, the job) marks where the stream
// starts, and the stores are loaded when it comes, so nothing happens between the load and the
// stream unseen. The browser resumes a dropped stream with Last-Event-ID; when the server
// refuses it outright (restarting), it is opened again by hand from the last id seen, and each
// new `current` loads the stores again.
import { signal } from '@preact/signals';

import type { JobAnswer, TemperatureSample, TerminalLine } from '../api/types';
import { alertFinish } from './alerts';
import { refreshFiles } from './files';
import { refreshHistoryQuietly } from './history';
import { job, refreshJob } from './job';
import { notify } from './notices';
import { applyTemperature, refreshConnection, refreshPrinter } from './printer';
import { appendTerminal } from './terminal';

export type StreamStatus = 'connecting' | 'live' | 'reconnecting';
export const streamStatus = signal<StreamStatus>('connecting');

type Handler = (payload: Record<string, unknown>) => void;

const fileName = (payload: Record<string, unknown>): string =>
  typeof payload['name'] === 'string' ? payload['name'] : typeof payload['path'] === 'string' ? payload['path'] : 'the file';

const refreshAll = (): void => {
  void refreshPrinter();
  void refreshJob();
  void refreshConnection();
};

const handlers: Record<string, Handler> = {
  temperature: (payload) => applyTemperature(payload as unknown as TemperatureSample),
  terminal: (payload) => appendTerminal(Number(payload['log'] ?? 0), (payload['lines'] ?? []) as TerminalLine[]),
  Connected: refreshAll,
  Disconnected: refreshAll,
  PrinterStateChanged: refreshAll,
  PrintStarted: refreshAll,
  PrintProgress: () => void refreshJob(),
  PrintPaused: (payload) => {
    refreshAll();
    notify('info', `Paused: ${fileName(payload)}`);
  },
  PrintResumed: refreshAll,
  PrintDone: (payload) => {
    refreshAll();
    refreshHistoryQuietly();
    notify('success', `Print done: ${fileName(payload)}`);
    alertFinish(`Print done: ${fileName(payload)}`);
  },
  PrintFailed: (payload) => {
    refreshAll();
    refreshHistoryQuietly();
    const reason = typeof payload['reason'] === 'string' ? ` (${payload['reason']})` : '';
    notify('error', `Print failed: ${fileName(payload)}${reason}`);
    alertFinish(`Print failed: ${fileName(payload)}${reason}`);
  },
  PrintCancelled: (payload) => {
    refreshAll();
    refreshHistoryQuietly();
    notify('info', `Cancelled: ${fileName(payload)}`);
  },
  Upload: () => void refreshFiles(),
  FileRemoved: () => void refreshFiles(),
  MetadataAnalysisStarted: () => void refreshFiles(),
  MetadataAnalysisFinished: () => void refreshFiles(),
  FilePrepProgress: () => void refreshFiles(),
  FilePrepFailed: (payload) => {
    void refreshFiles();
    notify('error', `${fileName(payload)} could not be prepared`);
  },
  MovieDone: (payload) => {
    refreshHistoryQuietly();
    notify('success', `Timelapse ready: ${String(payload['movie_basename'] ?? '')}`);
  },
  Error: (payload) => notify('error', String(payload['error'] ?? 'printer error')),
};

/** Opens the stream; `onStart` runs at each start (and restart) of it, to load the stores.
 * Returns a function that closes it for good. */
export function openEventStream(onStart: () => void): () => void {
  let source: EventSource | null = null;
  let lastId = '';
  let retry: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const open = (): void => {
    source = new EventSource(lastId ? `/api/events?lastEventId=${encodeURIComponent(lastId)}` : '/api/events?from=now');
    source.onopen = () => {
      streamStatus.value = 'live';
    };
    source.addEventListener('current', (event: MessageEvent<string>) => {
      if (event.lastEventId) lastId = event.lastEventId;
      try {
        job.value = JSON.parse(event.data) as JobAnswer;
      } catch {
        // Loaded again by onStart.
      }
      onStart();
    });
    source.onerror = () => {
      streamStatus.value = 'reconnecting';
      if (source?.readyState === EventSource.CLOSED && !closed) retry = setTimeout(open, 2000);
    };
    for (const [type, handle] of Object.entries(handlers)) {
      source.addEventListener(type, (event: MessageEvent<string>) => {
        if (event.lastEventId) lastId = event.lastEventId;
        try {
          handle(JSON.parse(event.data) as Record<string, unknown>);
        } catch {
          // A payload that is not JSON is the server's bug, not a reason to stop listening.
        }
      });
    }
  };
  open();
  return () => {
    closed = true;
    clearTimeout(retry);
    source?.close();
  };
}
