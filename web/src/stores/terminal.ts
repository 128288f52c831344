// The terminal's lines (sent and received), the newest 2000: loaded by REST when the event
// stream starts, from the last line seen, so a reconnect misses none the server still holds;
// then appended as the stream brings them.
import { signal } from '@preact/signals';

import { api } from '../api/api';
import type { TerminalLine } from '../api/types';

const keptLines = 2000;

export const terminalLines = signal<TerminalLine[]>([]);
/** Lines the server no longer held when they were asked for (a long disconnect). */
export const terminalLost = signal(0);

function lastSeq(): number {
  return terminalLines.value[terminalLines.value.length - 1]?.seq ?? 0;
}

export function appendTerminal(lines: TerminalLine[]): void {
  const after = lastSeq();
  const fresh = lines.filter((line) => line.seq > after);
  if (fresh.length === 0) return;
  const first = fresh[0];
  if (after > 0 && first && first.seq > after + 1) terminalLost.value += first.seq - after - 1;
  terminalLines.value = [...terminalLines.value, ...fresh].slice(-keptLines);
}

/** Catches up after a (re)start of the event stream. Never fails. */
export async function catchUpTerminal(): Promise<void> {
  try {
    const after = lastSeq();
    const answer = await api.terminal(after, after === 0 ? 300 : keptLines);
    if (after > 0 && answer.first_kept > after + 1) terminalLost.value += answer.first_kept - after - 1;
    appendTerminal(answer.lines);
  } catch {
    // The stream goes on; the next start catches up.
  }
}
