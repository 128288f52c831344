// Stops the shared server and removes its data directory.
import { rmSync } from 'node:fs';

export default function globalTeardown(): void {
  const pid = Number(process.env['STRATA_E2E_PID']);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // Already gone (a test restarted it).
    }
  }
  const data = process.env['STRATA_E2E_DATA'];
  if (data) rmSync(data, { recursive: true, force: true });
}
