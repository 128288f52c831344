// A live `strata serve --demo` for the client tests (the virtual printer, its webcam and the
// sample file) on a free loopback port with a fresh data directory, and the helpers the tests
// share: a passive login for the push API's auth, a message collector that waits for a kind of
// message, and a poll with a deadline.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const sampleFile = join(dirname(fileURLToPath(import.meta.url)), '..', 'data',
                               'ps281_mini_cube_m486.gcode');
export const sampleGcode = readFileSync(sampleFile, 'utf8');

/** Starts the server; resolves with { url, key, stop() } once the demo printer is connected. */
export function startDemo() {
  const binary = process.env.STRATA_BIN;
  if (!binary) throw new Error('STRATA_BIN must name the strata binary (ctest sets it)');
  const data = mkdtempSync(join(tmpdir(), 'strata-clients-'));
  const child = spawn(binary, ['serve', '--demo', '--data', data, '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () => new Promise((resolve) => {
    const done = () => { rmSync(data, { recursive: true, force: true }); resolve(); };
    if (child.exitCode !== null) { done(); return; }
    child.once('exit', done);
    child.kill('SIGTERM');
  });
  return new Promise((resolve, reject) => {
    let printed = '';
    const timer = setTimeout(() => reject(new Error(`strata serve did not start: ${printed}`)), 30000);
    child.on('exit', (code) => reject(new Error(`strata serve exited (${code}): ${printed}`)));
    child.stdout.on('data', (chunk) => {
      printed += chunk.toString();
      const key = /API key (\S+)/.exec(printed)?.[1];
      const url = /strata serve: (http:\/\/[\d.]+:\d+)\//.exec(printed)?.[1];
      if (key && url && printed.includes('demo printer on')) {
        clearTimeout(timer);
        resolve({ url, key, stop });
      }
    });
  });
}

/** `user:session` from a passive login with the key, as FDM Monster does it. */
export async function passiveLogin(url, key) {
  const answer = await fetch(`${url}/api/login`, {
    method: 'POST',
    headers: { 'X-Api-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ passive: true }),
  });
  if (answer.status !== 200) throw new Error(`passive login: ${answer.status}`);
  const user = await answer.json();
  return `${user.name}:${user.session}`;
}

/** Collects push messages (objects with one key, the type) and waits for one that matches. */
export class Messages {
  constructor() {
    this.seen = [];
    this.waiters = [];
  }
  push(message) {
    this.seen.push(message);
    this.waiters = this.waiters.filter((waiter) => !waiter.check());
  }
  /** The first message of `type` (after index `from`) for which `test` holds. */
  next(type, test = () => true, timeoutMs = 15000, from = 0) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const index = this.seen.findIndex(
            (message, at) => at >= from && type in message && test(message[type]));
          if (index < 0) return false;
          clearTimeout(timer);
          resolve({ payload: this.seen[index][type], index });
          return true;
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        reject(new Error(`no ${type} message within ${timeoutMs} ms; seen: ` +
                         this.seen.map((message) => Object.keys(message)[0]).join(',')));
      }, timeoutMs);
      if (!waiter.check()) this.waiters.push(waiter);
    });
  }
}

/** Polls `probe` until it returns a truthy value (which is returned) or the time is up. */
export async function eventually(probe, timeoutMs = 15000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Uploads the sample as `name` (multipart, as slicers send it); `print` starts it. */
export async function uploadSample(url, key, name, print) {
  const form = new FormData();
  form.set('file', new Blob([sampleGcode], { type: 'application/octet-stream' }), name);
  if (print) form.set('print', 'true');
  const answer = await fetch(`${url}/api/files/local`, {
    method: 'POST', headers: { 'X-Api-Key': key }, body: form,
  });
  if (answer.status !== 201) throw new Error(`upload: ${answer.status} ${await answer.text()}`);
  return answer.json();
}
