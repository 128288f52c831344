// Starts the server all tests share and hands them its address and users.
import { addUser, freshDataDirectory, startServer } from './server';

export default async function globalSetup(): Promise<void> {
  const data = freshDataDirectory();
  const viewerPassword = addUser(data, 'vera', 'viewer');
  const server = await startServer(data);
  process.env['STRATA_URL'] = server.url;
  process.env['STRATA_E2E_DATA'] = data;
  process.env['STRATA_E2E_PID'] = String(server.process.pid);
  process.env['STRATA_E2E_ADMIN_PASSWORD'] = server.adminPassword;
  process.env['STRATA_E2E_VIEWER_PASSWORD'] = viewerPassword;
  server.process.unref();
}
