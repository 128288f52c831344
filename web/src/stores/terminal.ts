// The terminal's lines (sent and received), the newest 2000: loaded by REST when the event
// stream starts, from the last line seen, so a reconnect misses none the server still holds;
// then appended as the stream brings them. A restarted server numbers its lines from 1 again
// under a new log id: its lines are then kept after the old ones (renumbered past them), with
// a marker line between.
import { signal } from '@preact/signals';

import { api } from '../api/api';
import type { TerminalLine } from '../api/types';

const keptLines = 2000;

export const terminalLines = signal<TerminalLine[]>([]);
/** Lines the server no longer held when they were asked for (a long disconnect). */
export const terminalLost = signal(0);

// The server log the lines come from, and what its seq numbers are shifted by here.
let logId = 0;
let seqOffset = 0;

function lastSeq(): number {
  return terminalLines.value[terminalLines.value.length - 1]?.seq ?? 0;
}

/** Starts on a new server log: true when `log` is one (the lines seen so far are another's). */
function followLog(log: number): boolean {
  if (log === logId) return false;
  const restarted = logId !== 0;
  logId = log;
  seqOffset = Math.ceil(lastSeq());  // Past a marker too (two restarts without a line between).
  if (restarted) {
    const marker: TerminalLine = { seq: seqOffset + 0.5, t: Date.now() / 1000, sent: false, temperature: false, text: '--- the server restarted ---' };
    terminalLines.value = [...terminalLines.value, marker].slice(-keptLines);
  }
  return restarted;
}

function append(lines: TerminalLine[]): void {
  const after = lastSeq();
  const fresh = lines.map((line) => ({ ...line, seq: line.seq + seqOffset })).filter((line) => line.seq > after);
  if (fresh.length === 0) return;
  const first = fresh[0];
  const last = Math.floor(after);
  if (last > seqOffset && first && first.seq > last + 1) terminalLost.value += first.seq - last - 1;
  terminalLines.value = [...terminalLines.value, ...fresh].slice(-keptLines);
}

/** A batch from the event stream. Lines of a log not caught up with yet wait for the catch-up. */
export function appendTerminal(log: number, lines: TerminalLine[]): void {
  if (log === logId) append(lines);
}

/** Catches up after a (re)start of the event stream. Never fails. */
export async function catchUpTerminal(): Promise<void> {
  try {
    const after = Math.floor(lastSeq()) - seqOffset;
    let answer = await api.terminal(after, after === 0 ? 300 : keptLines);
    if (followLog(answer.log)) {
      answer = await api.terminal(0, keptLines);  // A new server: all it has.
    } else if (after > 0 && answer.first_kept > after + 1) {
      terminalLost.value += answer.first_kept - after - 1;
    }
    append(answer.lines);
  } catch {
    // The stream goes on; the next start catches up.
  }
}
