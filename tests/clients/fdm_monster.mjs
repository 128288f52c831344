// FDM Monster, the real one from npm, pointed at a live `strata serve --demo`, checked through
// FDM Monster's own API as its web UI would see it: the connection test (OctoPrint's REST API and
// its push socket), temperatures and progress arriving over the socket, an upload that prints,
// pause, resume and cancel, and FDM Monster's job records closing as completed and cancelled.
// Run by scripts/try-client, which installs FDM Monster in FDMM_DIR; prints one line per check.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { eventually, sampleGcode, startDemo } from './server.mjs';

const fdmmDir = process.env.FDMM_DIR;
if (!fdmmDir) throw new Error('FDMM_DIR must name the folder FDM Monster is installed in');
const require = createRequire(join(fdmmDir, 'package.json'));
const { io } = require('socket.io-client');

const started = Date.now();
const log = (text) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${text}`);

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts FDM Monster on a free loopback port with its data in a fresh folder. */
async function startFdmMonster() {
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), 'fdmm-'));
  const child = spawn(process.execPath,
                      [join(fdmmDir, 'node_modules/@fdm-monster/server/dist/index.js')], {
    cwd: data,
    env: {
      ...process.env, NODE_ENV: 'production', SERVER_PORT: String(port),
      DATABASE_PATH: join(data, 'database'), MEDIA_PATH: join(data, 'media'),
      ENABLE_CLIENT_DIST_AUTO_UPDATE: 'false', SENTRY_CUSTOM_DSN: 'http://key@127.0.0.1:9/0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => { output += chunk; });
  child.stderr.on('data', (chunk) => { output += chunk; });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => new Promise((resolve) => {
    const done = () => { rmSync(data, { recursive: true, force: true }); resolve(); };
    if (child.exitCode !== null) { done(); return; }
    child.once('exit', done);
    child.kill('SIGTERM');
  });
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`FDM Monster exited: ${output}`);
      return (await fetch(`${url}/api/v2/auth/login-required`).catch(() => null))?.ok;
    }, 120000, 'FDM Monster to listen');
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, stop, output: () => output };
}

async function api(base, method, path, body) {
  const init = { method, headers: {} };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const answer = await fetch(`${base}/api/v2${path}`, init);
  const text = await answer.text();
  if (!answer.ok) throw new Error(`FDM Monster ${method} ${path}: ${answer.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  log(`ok: ${what}`);
}

// What FDM Monster holds of the printer's push feed (its `current` message and states).
const socketEvents = (fdmm, id) => api(fdmm.url, 'GET', `/printer/${id}/socket`);

async function connectionTest(fdmm, printer) {
  const socket = io(fdmm.url, { transports: ['websocket'] });
  const states = [];
  socket.on('test-printer-state', (message) => states.push(message));
  await new Promise((resolve) => socket.on('connect', resolve));
  const answer = await api(fdmm.url, 'POST', '/printer/test-connection', printer);
  check(!answer.failure, `connection test ran (${answer.error ?? 'no error'})`);
  const mine = () => states.filter((state) => state.correlationToken === answer.correlationToken);
  await eventually(() => mine().some((state) => state.event.endsWith('WS_STATE_UPDATED') &&
                                                state.payload === 'authenticated'),
                   10000, 'the test socket to authenticate');
  socket.close();
  const seen = mine().map((state) => `${state.event.split('.').pop()}=${JSON.stringify(state.payload)}`);
  log(`connection test events: ${seen.join(' ')}`);
  check(mine().some((state) => state.event.endsWith('API_STATE_UPDATED') &&
                              state.payload === 'responding'), 'connection test: API responding');
  check(true, 'connection test: socket authenticated');
}

async function uploadAndPrint(fdmm, id, name) {
  const form = new FormData();
  form.set('file', new Blob([sampleGcode], { type: 'application/octet-stream' }), name);
  form.set('startPrint', 'true');
  await api(fdmm.url, 'POST', `/printer-files/${id}/upload`, form);
}

const flags = async (fdmm, id) => (await socketEvents(fdmm, id))?.current?.payload?.state?.flags;

/** The job record for `name` once it is no longer printing. */
async function closedJobRecord(fdmm, name) {
  return eventually(async () => {
    const jobs = await api(fdmm.url, 'GET', `/print-jobs/search?searchFile=${name}`);
    return (Array.isArray(jobs) ? jobs : jobs?.items ?? [])
      .find((job) => job.fileName === name &&
                         !['PENDING', 'PRINTING', 'PAUSED'].includes(job.status));
  }, 60000, `the job record for ${name} to close`).catch(async (error) => {
    const jobs = await api(fdmm.url, 'GET', '/print-jobs/search');
    console.error(`FDM Monster's job records: ${JSON.stringify(jobs)}`);
    throw error;
  });
}

async function main() {
  const strata = await startDemo();
  log(`strata serve --demo at ${strata.url}`);
  const fdmm = await startFdmMonster();
  log(`FDM Monster at ${fdmm.url}`);
  try {
    await api(fdmm.url, 'POST', '/first-time-setup/complete', {
      loginRequired: false, registration: false, rootUsername: 'admin',
      rootPassword: 'strata-try-client',
    });
    const printer = { name: 'strata demo', printerURL: strata.url, apiKey: strata.key,
                      printerType: 0, enabled: true };
    await connectionTest(fdmm, printer);
    const created = await api(fdmm.url, 'POST', '/printer', printer);
    const id = created.id;
    check(id !== undefined, `printer added (id ${id})`);

    const current = await eventually(async () => {
      const events = await socketEvents(fdmm, id);
      const payload = events?.current?.payload;
      return payload?.temps?.length && payload?.state?.flags?.operational ? payload : null;
    }, 30000, 'temperatures over the socket');
    check(current.temps[0].tool0?.actual > 0,
          `temperatures arrive: tool0 ${current.temps[0].tool0.actual} °C, state "${current.state.text}"`);

    await uploadAndPrint(fdmm, id, 'fdmm_cube.gcode');
    const progress = await eventually(async () => {
      const payload = (await socketEvents(fdmm, id))?.current?.payload;
      return payload?.state?.flags?.printing && payload.progress?.completion > 0 ? payload : null;
    }, 60000, 'printing with progress');
    check(true, `upload prints: ${progress.job.file.name}, ${progress.progress.completion.toFixed(1)} %`);

    await api(fdmm.url, 'POST', `/printer/${id}/job/pause`);
    await eventually(async () => (await flags(fdmm, id))?.paused, 30000, 'paused');
    check(true, 'pause: flags.paused');
    await api(fdmm.url, 'POST', `/printer/${id}/job/resume`);
    await eventually(async () => (await flags(fdmm, id))?.printing, 30000, 'printing again');
    check(true, 'resume: flags.printing');

    const completed = await closedJobRecord(fdmm, 'fdmm_cube.gcode');
    check(completed.status === 'COMPLETED' && completed.progress === 100,
          `job record closed: ${completed.status} (progress ${completed.progress})`);

    // FDM Monster closes the record on `finishing`: the printer is ready a moment later.
    await eventually(async () => {
      const now = await flags(fdmm, id);
      return now?.ready && !now.printing && !now.finishing;
    }, 30000, 'the printer to be ready again');
    await uploadAndPrint(fdmm, id, 'fdmm_cancel.gcode');
    await eventually(async () => {
      const payload = (await socketEvents(fdmm, id))?.current?.payload;
      return payload?.state?.flags?.printing && payload.job?.file?.path === 'fdmm_cancel.gcode';
    }, 60000, 'the second print');
    await api(fdmm.url, 'POST', `/printer/${id}/job/cancel`);
    // FDM Monster closes an OctoPrint job it sees `cancelling` as FAILED, reason "Cancelled"
    // (printer-events.cache.js); its CANCELLED is for its own manual and Moonraker paths.
    const cancelled = await closedJobRecord(fdmm, 'fdmm_cancel.gcode');
    check(cancelled.status === 'CANCELLED' ||
          (cancelled.status === 'FAILED' && cancelled.statusReason === 'Cancelled'),
          `cancel: job record closed: ${cancelled.status} (${cancelled.statusReason})`);
    log('FDM Monster works with strata unchanged');
  } catch (error) {
    console.error(`FDM Monster's output:\n${fdmm.output().slice(-4000)}`);
    throw error;
  } finally {
    await fdmm.stop();
    await strata.stop();
  }
}

await main();
