// The shapes strata's API answers with: OctoPrint's where OctoPrint has the endpoint, strata's
// own under /api/strata. Only the members the app reads are declared.

export type Role = 'viewer' | 'operator' | 'admin';

export interface LoginAnswer {
  name: string;
  permissions: string[];
  admin?: boolean;
  session: string;
  csrf_token: string;
}

export interface StateFlags {
  operational: boolean;
  printing: boolean;
  cancelling: boolean;
  pausing: boolean;
  paused: boolean;
  ready: boolean;
  error: boolean;
  closedOrError: boolean;
}

export interface HeaterReading {
  actual: number;
  target: number | null;
  offset?: number;
}

export interface TemperatureSample {
  time: number;
  [heater: string]: HeaterReading | number;
}

export interface PrinterAnswer {
  state: { text: string; flags: StateFlags; error?: string };
  temperature: Record<string, HeaterReading> & { history?: TemperatureSample[] };
}

export interface JobAnswer {
  job: {
    file: { name: string | null; path: string | null; display: string | null; size: number | null };
    estimatedPrintTime: number | null;
  };
  progress: {
    completion: number | null;
    filepos: number | null;
    printTime: number | null;
    printTimeLeft: number | null;
  };
  /** strata's own: the layer (1-based) of the file's layers, and the snapshots. */
  strata?: {
    layer: number | null;
    layers: number | null;
    z_mm: number | null;
    snapshots_taken: number;
    snapshots_planned: number;
  };
  state: string;
  error?: string;
}

export interface ConnectionAnswer {
  current: { state: string; port: string | null; baudrate: number | null };
  options: { ports: string[]; baudrates: number[]; portPreference?: string | null; baudratePreference?: number | null };
}

export interface FileAnalysis {
  estimatedPrintTime?: number;
  filament?: Record<string, { length?: number; volume?: number }>;
  progress?: number;
  dimensions?: { width: number; depth: number; height: number };
  strata?: {
    lines: number;
    layers: number;
    slicer: string;
    slicer_version: string;
    snapshots: number;
    time_added_s: number;
    warnings: number;
    errors: number;
  };
}

/** GET /api/strata/files/<path>: the file and its prepared job's index (null until ready). */
export interface FileDetail {
  file: FileEntry;
  job: {
    estimated_time_s: number;
    time_added_s: number;
    job: { bytes: number; lines: number };
    layers: Array<{ index: number; z_mm: number; first_line: number; elapsed_s: number }>;
    snapshots: Array<{ n: number; layer: number; time_added_s: number }>;
    skipped: Array<{ layer: number; reason: string }>;
  } | null;
}

export interface FileEntry {
  name: string;
  display: string;
  path: string;
  type: 'machinecode' | 'folder';
  size?: number;
  date?: number;
  refs: { resource: string; download?: string };
  gcodeAnalysis?: FileAnalysis;
  thumbnail?: string;
  strata?: { id: number; state: string; error?: string; snapshots?: number };
  children?: FileEntry[];
}

export interface FilesAnswer {
  files: FileEntry[];
  free?: number;
  total?: number;
}

export interface JobRecord {
  id: number;
  file: string;
  state: string;
  started: number;
  ended: number | null;
  completion: number;
  layer: number;
  print_time: number;
  result: string;
  timelapses: Array<{ name: string; url: string }>;
}

export interface TimelapseEntry {
  name: string;
  size: number;
  date: string;
  url: string;
  thumbnail?: string;
}

/** An event from /api/events: its id (for Last-Event-ID), type and payload. */
export interface ServerEvent {
  id: number;
  type: string;
  payload: Record<string, unknown>;
}

export interface TerminalLine {
  seq: number;
  t: number;
  sent: boolean;
  temperature: boolean;
  text: string;
}

export interface TerminalAnswer {
  log: number;
  first_kept: number;
  last: number;
  lines: TerminalLine[];
}

/** OctoPrint's temperature profile (GET /api/settings, `temperature.profiles`). */
export interface TemperatureProfile {
  name: string;
  extruder: number;
  bed: number;
  chamber: number | null;
}

/** A custom command button (GET /api/printer/command/custom). */
export interface CustomControl {
  name: string;
  commands: string[];
  confirm?: string;
}
