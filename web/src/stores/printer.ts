// The printer: connection, state and flags, and temperatures (the current readings and the
// last ten minutes of them for the graph). Filled from /api/printer and /api/connection, and
// kept fresh by the event stream (stores/events.ts) and a two-second temperature poll.
import { computed, signal } from '@preact/signals';

import { api } from '../api/api';
import type { ConnectionAnswer, HeaterReading, PrinterAnswer, StateFlags, TemperatureSample } from '../api/types';

const keptSeconds = 600;

export interface HeaterSeries {
  actual: number[];
  target: Array<number | null>;
}

/** Aligned columns for the graph: one time axis, each heater's actual and target on it. */
export interface TemperatureColumns {
  time_s: number[];
  heaters: Record<string, HeaterSeries>;
}

const noFlags: StateFlags = {
  operational: false,
  printing: false,
  cancelling: false,
  pausing: false,
  paused: false,
  ready: false,
  error: false,
  closedOrError: true,
};

export const stateText = signal('Offline');
export const flags = signal<StateFlags>(noFlags);
export const stateError = signal('');
export const heaters = signal<Record<string, HeaterReading>>({});
/** Each heater's offset (°C) added to the temperatures a job sets; only /api/printer has them. */
export const offsets = signal<Record<string, number>>({});
export const temperatureColumns = signal<TemperatureColumns>({ time_s: [], heaters: {} });
export const connection = signal<ConnectionAnswer | null>(null);
/** Motion is refused while a job runs: the job owns the printhead. */
export const motionAllowed = computed(() => flags.value.operational && !flags.value.printing && !flags.value.pausing);

function readingsOf(sample: TemperatureSample | Record<string, HeaterReading>): Record<string, HeaterReading> {
  const readings: Record<string, HeaterReading> = {};
  for (const [key, value] of Object.entries(sample))
    if (typeof value === 'object' && value !== null && 'actual' in value) readings[key] = value;
  return readings;
}

function appendSample(columns: TemperatureColumns, time_s: number, readings: Record<string, HeaterReading>): TemperatureColumns {
  const last = columns.time_s[columns.time_s.length - 1];
  if (last !== undefined && time_s <= last) return columns; // Same report seen twice.
  const keepFrom = columns.time_s.findIndex((t) => t >= time_s - keptSeconds);
  const cut = keepFrom < 0 ? columns.time_s.length : keepFrom;
  const next: TemperatureColumns = { time_s: [...columns.time_s.slice(cut), time_s], heaters: {} };
  const names = new Set([...Object.keys(columns.heaters), ...Object.keys(readings)]);
  for (const name of names) {
    const old = columns.heaters[name] ?? { actual: [], target: [] };
    const padding = Math.max(0, columns.time_s.length - old.actual.length);
    const actual = [...Array<number>(padding).fill(Number.NaN), ...old.actual].slice(cut);
    const target = [...Array<number | null>(padding).fill(null), ...old.target].slice(cut);
    const reading = readings[name];
    actual.push(reading ? reading.actual : Number.NaN);
    target.push(reading ? reading.target : null);
    next.heaters[name] = { actual, target };
  }
  return next;
}

export function applyPrinter(answer: PrinterAnswer): void {
  stateText.value = answer.state.text;
  flags.value = answer.state.flags;
  stateError.value = answer.state.error ?? '';
  const readings = readingsOf(answer.temperature);
  heaters.value = readings;
  const known: Record<string, number> = {};
  for (const [name, reading] of Object.entries(readings)) known[name] = reading.offset ?? 0;
  offsets.value = known;
  if (Object.keys(readings).length > 0)
    temperatureColumns.value = appendSample(temperatureColumns.value, Date.now() / 1000, readings);
}

/** A report from the event stream: the current readings and the graph's next point. */
export function applyTemperature(sample: TemperatureSample): void {
  const readings = readingsOf(sample);
  if (Object.keys(readings).length === 0) return;
  heaters.value = readings;
  temperatureColumns.value = appendSample(temperatureColumns.value, sample.time, readings);
}

export function markOffline(text: string): void {
  stateText.value = text;
  flags.value = noFlags;
  heaters.value = {};
}

export async function refreshPrinter(): Promise<void> {
  try {
    applyPrinter(await api.printer());
  } catch {
    // 409 while disconnected: OctoPrint's answer when there is no printer.
    markOffline('Offline');
  }
}

export async function loadTemperatureHistory(): Promise<void> {
  try {
    const answer = await api.temperatureHistory(300);
    let columns: TemperatureColumns = { time_s: [], heaters: {} };
    for (const sample of answer.temperature.history ?? [])
      columns = appendSample(columns, sample.time, readingsOf(sample));
    temperatureColumns.value = columns;
    applyPrinter(answer);
  } catch {
    markOffline('Offline');
  }
}

export async function refreshConnection(): Promise<void> {
  try {
    connection.value = await api.connection();
  } catch {
    // Kept as it was.
  }
}
