// The one module that talks to strata: every request the app makes goes through `call`, which
// sends the session's CSRF token on changes and turns an error answer into an ApiError with the
// server's own message (OctoPrint's `{"error": ...}`).
import type {
  ConnectionAnswer,
  CustomControl,
  FileDetail,
  FilesAnswer,
  JobAnswer,
  JobRecord,
  LoginAnswer,
  PrinterAnswer,
  TemperatureProfile,
  TerminalAnswer,
  TimelapseEntry,
} from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrfToken = '';

/** The token state-changing requests carry (from the login answer). */
export function setCsrfToken(token: string): void {
  csrfToken = token;
}

async function errorOf(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body: unknown = await response.json();
    if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string')
      message = body.error;
  } catch {
    // Not JSON: the status line says enough.
  }
  return new ApiError(response.status, message);
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrfToken;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const encodePath = (path: string): string => path.split('/').map(encodeURIComponent).join('/');

export const api = {
  login: (user: string, pass: string, remember: boolean) =>
    call<LoginAnswer>('POST', '/api/login', { user, pass, remember }),
  /** The session the browser's cookie already opens, with its CSRF token; 403 without one. */
  resume: () => call<LoginAnswer>('POST', '/api/login', { passive: true }),
  logout: () => call<void>('POST', '/api/logout'),

  printer: () => call<PrinterAnswer>('GET', '/api/printer'),
  temperatureHistory: (limit: number) =>
    call<PrinterAnswer>('GET', `/api/printer?history=true&limit=${limit}`),
  job: () => call<JobAnswer>('GET', '/api/job'),
  connection: () => call<ConnectionAnswer>('GET', '/api/connection'),

  connect: (port: string | null, baudrate: number | null) =>
    call<void>('POST', '/api/connection', {
      command: 'connect',
      ...(port ? { port } : {}),
      ...(baudrate ? { baudrate } : {}),
    }),
  disconnect: () => call<void>('POST', '/api/connection', { command: 'disconnect' }),

  jobCommand: (command: 'start' | 'cancel' | 'pause', action?: 'pause' | 'resume' | 'toggle') =>
    call<void>('POST', '/api/job', action ? { command, action } : { command }),
  commands: (commands: string[]) => call<void>('POST', '/api/printer/command', { commands }),
  toolTarget: (tool: string, target: number) =>
    call<void>('POST', '/api/printer/tool', { command: 'target', targets: { [tool]: target } }),
  bedTarget: (target: number) => call<void>('POST', '/api/printer/bed', { command: 'target', target }),
  jog: (axes: { x?: number; y?: number; z?: number }) =>
    call<void>('POST', '/api/printer/printhead', { command: 'jog', ...axes }),
  home: (axes: Array<'x' | 'y' | 'z'>) => call<void>('POST', '/api/printer/printhead', { command: 'home', axes }),
  extrude: (amount: number, speed_mm_min: number) =>
    call<void>('POST', '/api/printer/tool', { command: 'extrude', amount, speed: speed_mm_min }),
  toolOffset: (tool: string, offset: number) =>
    call<void>('POST', '/api/printer/tool', { command: 'offset', offsets: { [tool]: offset } }),
  bedOffset: (offset: number) => call<void>('POST', '/api/printer/bed', { command: 'offset', offset }),

  temperatureProfiles: () =>
    call<{ temperature: { profiles: TemperatureProfile[] } }>('GET', '/api/settings'),
  saveTemperatureProfiles: (profiles: TemperatureProfile[]) =>
    call<{ temperature: { profiles: TemperatureProfile[] } }>('POST', '/api/settings', { temperature: { profiles } }),
  customControls: () => call<{ controls: CustomControl[] }>('GET', '/api/printer/command/custom'),
  saveCustomControls: (controls: CustomControl[]) =>
    call<{ controls: CustomControl[] }>('PUT', '/api/strata/controls', { controls }),

  files: () => call<FilesAnswer>('GET', '/api/files?recursive=true'),
  printFile: (path: string) =>
    call<void>('POST', `/api/files/local/${encodePath(path)}`, { command: 'select', print: true }),
  /** OctoPrint's "load": the file becomes the job, to start later. */
  selectFile: (path: string) => call<void>('POST', `/api/files/local/${encodePath(path)}`, { command: 'select' }),
  fileDetail: (path: string) => call<FileDetail>('GET', `/api/strata/files/${encodePath(path)}`),
  deleteFile: (path: string) => call<void>('DELETE', `/api/files/local/${encodePath(path)}`),
  downloadUrl: (path: string) => `/downloads/files/local/${encodePath(path)}`,

  terminal: (after: number, limit: number) =>
    call<TerminalAnswer>('GET', `/api/strata/terminal?after=${after}&limit=${limit}`),
  terminalCommand: (command: string) => call<void>('POST', '/api/strata/terminal', { command }),
  terminalHistory: () => call<{ commands: string[] }>('GET', '/api/strata/terminal/history'),
  jobs: () => call<{ jobs: JobRecord[] }>('GET', '/api/strata/jobs'),
  /** An interrupted job (the printer unplugged, the host crashed) from the start of its layer. */
  resumeJob: (id: number) => call<void>('POST', `/api/strata/jobs/${id}/resume`),
  timelapses: () => call<{ files: TimelapseEntry[] }>('GET', '/api/timelapse'),
};

export interface UploadHandle {
  /** Resolves when the server has the file; rejects with an ApiError or on cancel. */
  done: Promise<void>;
  cancel: () => void;
}

/** Uploads one file with progress (fetch cannot report upload progress; XHR can). */
export function upload(file: File, folder: string, onProgress: (fraction: number) => void): UploadHandle {
  const request = new XMLHttpRequest();
  const done = new Promise<void>((resolve, reject) => {
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) {
        resolve();
        return;
      }
      let message = `${request.status} ${request.statusText}`;
      try {
        const body: unknown = JSON.parse(request.responseText);
        if (body && typeof body === 'object' && 'error' in body && typeof body.error === 'string')
          message = body.error;
      } catch {
        // Not JSON.
      }
      reject(new ApiError(request.status, message));
    };
    request.onerror = () => reject(new ApiError(0, 'the upload was interrupted'));
    request.onabort = () => reject(new ApiError(0, 'cancelled'));
  });
  const form = new FormData();
  if (folder) form.append('path', folder);
  form.append('file', file, file.name);
  request.open('POST', '/api/files/local');
  request.setRequestHeader('X-CSRF-Token', csrfToken);
  request.send(form);
  return { done, cancel: () => request.abort() };
}
