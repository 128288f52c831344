// A TCP proxy in front of the server, for cutting a browser off while the server runs on: `cut`
// drops every connection through it and refuses new ones until `restore` (a Wi-Fi blip, as the
// browser sees it: connections reset, then nothing answers).
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Proxy {
  url: string;
  cut: () => void;
  restore: () => void;
  close: () => Promise<void>;
}

export function startProxy(target: string): Promise<Proxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<Socket>();
  let cutOff = false;
  const server: Server = createServer((client) => {
    if (cutOff) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ host: hostname, port: Number(port) });
    open.add(client).add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const proxyPort = typeof address === 'object' && address ? address.port : 0;
      resolve({
        url: `http://127.0.0.1:${proxyPort}`,
        cut: () => {
          cutOff = true;
          for (const socket of open) socket.destroy();
          open.clear();
        },
        restore: () => {
          cutOff = false;
        },
        close: () =>
          new Promise((done) => {
            for (const socket of open) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
