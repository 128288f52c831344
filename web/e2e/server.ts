// A real strata server for the tests: `strata serve --demo` (the virtual printer and webcam,
// the sample file) on a free port, with a fresh data directory holding the demo admin and a
// viewer. Its address and passwords are handed to the tests through the environment.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RunningServer {
  url: string;
  process: ChildProcess;
  data: string;
  adminPassword: string;
}

export function strataBinary(): string {
  const binary = process.env['STRATA_BIN'];
  if (!binary) throw new Error('STRATA_BIN must name the strata binary (ctest sets it)');
  return binary;
}

export function freshDataDirectory(): string {
  return mkdtempSync(join(tmpdir(), 'strata-e2e-'));
}

/** Adds a user; its generated password. */
export function addUser(data: string, name: string, role: 'viewer' | 'operator' | 'admin'): string {
  const printed = execFileSync(strataBinary(), ['user', 'add', name, `--${role}`, '--data', data, '--json'], {
    encoding: 'utf8',
  });
  return (JSON.parse(printed) as { password: string }).password;
}

/** Starts `strata serve --demo` on `listen` (port 0: any free one) and waits until it serves. */
export function startServer(data: string, listen = '127.0.0.1:0'): Promise<RunningServer> {
  const child = spawn(strataBinary(), ['serve', '--demo', '--data', data, '--listen', listen], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let printed = '';
    let adminPassword = process.env['STRATA_E2E_ADMIN_PASSWORD'] ?? '';
    let url = '';
    const timer = setTimeout(() => reject(new Error(`strata serve did not start: ${printed}`)), 30_000);
    child.on('exit', (code) => reject(new Error(`strata serve exited (${code}): ${printed}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const admin = /demo admin: user demo, password (\S+),/.exec(printed);
      if (admin?.[1]) adminPassword = admin[1];
      const serving = /strata serve: (http:\/\/[\d.]+:\d+)\//.exec(printed);
      if (serving?.[1]) url = serving[1];
      if (url && printed.includes('demo printer on')) {
        clearTimeout(timer);
        resolve({ url, process: child, data, adminPassword });
      }
    });
  });
}

export function stopServer(server: { process: ChildProcess }): Promise<void> {
  return new Promise((resolve) => {
    if (server.process.exitCode !== null) {
      resolve();
      return;
    }
    server.process.once('exit', () => resolve());
    server.process.kill('SIGTERM');
  });
}
