// The terminal's lines (sent and received), the newest 2000. The stream brings them in batches;
// a catch-up by REST, from the last line up to which nothing is missing, fills what the stream
// could not bring (the page was away, or the server's pump skipped lines), so no line the
// server still holds is missed: lines are merged by number, whichever comes first. A restarted
// server numbers its lines from 1 again under a new log id: its lines go after the old ones
// (renumbered past them), with a marker line between.
import { signal } from '@preact/signals';

import { api } from '../api/api';
import type { TerminalLine } from '../api/types';

const keptLines = 2000;

export const terminalLines = signal<TerminalLine[]>([]);
/** Lines the server no longer held when they were asked for (a long disconnect). */
export const terminalLost = signal(0);

// The server log the lines come from, what its numbers are shifted by here, and the line (in
// its numbering) up to which every line has been seen.
let logId = 0;
let seqOffset = 0;
let completeTo = 0;
let catchingUp: Promise<void> | null = null;

function lastSeq(): number {
  return terminalLines.value[terminalLines.value.length - 1]?.seq ?? 0;
}

// Merges lines in by number: neither lost nor doubled, whatever order they come in.
function merge(lines: TerminalLine[]): void {
  const known = new Set(terminalLines.value.map((line) => line.seq));
  const fresh = lines.map((line) => ({ ...line, seq: line.seq + seqOffset })).filter((line) => !known.has(line.seq));
  const first = fresh[0];
  if (!first) return;
  const merged = [...terminalLines.value, ...fresh];
  if (first.seq < lastSeq()) merged.sort((a, b) => a.seq - b.seq);
  terminalLines.value = merged.slice(-keptLines);
}

/** Starts on a new server log: true when the lines seen so far were another log's. */
function followLog(log: number): boolean {
  if (log === logId) return false;
  const restarted = logId !== 0;
  logId = log;
  seqOffset = Math.ceil(lastSeq());  // Past a marker too (two restarts without a line between).
  completeTo = 0;
  if (restarted) {
    const marker: TerminalLine = { seq: seqOffset + 0.5, t: Date.now() / 1000, sent: false, temperature: false, text: '--- the server restarted ---' };
    terminalLines.value = [...terminalLines.value, marker].slice(-keptLines);
  }
  return restarted;
}

async function catchUp(): Promise<void> {
  try {
    let answer = await api.terminal(completeTo, completeTo === 0 ? 300 : keptLines);
    if (followLog(answer.log)) answer = await api.terminal(0, keptLines);  // All a new server has.
    const first = answer.lines[0];
    if (completeTo > 0 && first && first.seq > completeTo + 1) terminalLost.value += first.seq - completeTo - 1;
    merge(answer.lines);
    completeTo = Math.max(completeTo, answer.last);
  } catch {
    // The stream goes on; the next start catches up.
  }
}

/** Catches up after a (re)start of the event stream, or a gap in it. Never fails. */
export function catchUpTerminal(): Promise<void> {
  catchingUp ??= catchUp().finally(() => {
    catchingUp = null;
  });
  return catchingUp;
}

/** A batch from the event stream. A batch of a log not caught up with yet waits for the
 * catch-up; one after a gap is kept, and the gap filled from the server. */
export function appendTerminal(log: number, lines: TerminalLine[]): void {
  const first = lines[0];
  const last = lines[lines.length - 1];
  if (log !== logId || !first || !last) return;
  merge(lines);
  if (first.seq <= completeTo + 1) completeTo = Math.max(completeTo, last.seq);
  else void catchUpTerminal();
}
