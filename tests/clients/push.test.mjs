// The push API through real client libraries from npm: `ws` on the raw socket (as FDM Monster
// connects) and `sockjs-client` on SockJS's WebSocket transport (as OctoPrint's own page and
// its client library connect). Each authenticates with a passive login's session, gets
// `history`, then `current` with temperatures; the SockJS client watches a whole print and its
// events.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createRequire } from 'node:module';
import WebSocket from 'ws';

import { Messages, passiveLogin, startDemo, uploadSample } from './server.mjs';

const require = createRequire(import.meta.url);
const SockJS = require('sockjs-client');

let server;
before(async () => { server = await startDemo(); });
after(async () => { await server?.stop(); });

test('ws on /sockjs/websocket: connected, auth, history, current with temperatures', async () => {
  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/sockjs/websocket`);
  const messages = new Messages();
  socket.on('message', (data) => messages.push(JSON.parse(data.toString())));
  try {
    const connected = await messages.next('connected');
    assert.equal(connected.payload.version, '1.11.8');
    assert.ok(Array.isArray(connected.payload.permissions));
    assert.equal('apikey' in connected.payload, false);
    socket.send(JSON.stringify({ auth: await passiveLogin(server.url, server.key) }));
    socket.send(JSON.stringify({ throttle: 1 }));
    const history = await messages.next('history');
    assert.equal(history.payload.state.text, 'Operational');
    for (const flag of ['operational', 'printing', 'cancelling', 'pausing', 'resuming',
                        'finishing', 'closedOrError', 'error', 'paused', 'ready', 'sdReady'])
      assert.equal(typeof history.payload.state.flags[flag], 'boolean', flag);
    assert.ok(Array.isArray(history.payload.temps));
    assert.ok(Array.isArray(history.payload.logs));
    const current = await messages.next('current', (payload) => payload.temps.length > 0);
    const sample = current.payload.temps[0];
    assert.equal(typeof sample.time, 'number');
    assert.equal(typeof sample.tool0.actual, 'number');
    assert.equal(typeof sample.bed.target, 'number');
    assert.equal(typeof current.payload.resends.count, 'number');
    assert.ok(Array.isArray(current.payload.busyFiles));
    assert.ok(current.payload.logs.some((line) => /^(Send|Recv): /.test(line)));
  } finally {
    socket.close();
  }
});

test('sockjs-client follows a print: PrintStarted, progress, PrintDone, in order', async () => {
  const socket = new SockJS(`${server.url}/sockjs`);
  const messages = new Messages();
  let transport = '';
  socket.onopen = () => { transport = socket.transport; };
  socket.onmessage = (event) => messages.push(event.data);
  try {
    await messages.next('connected');
    assert.equal(transport, 'websocket');
    socket.send(JSON.stringify({ auth: await passiveLogin(server.url, server.key) }));
    await messages.next('history');
    await uploadSample(server.url, server.key, 'pushed cube.gcode', true);
    const started = await messages.next('event', (event) => event.type === 'PrintStarted', 30000);
    assert.equal(started.payload.payload.path, 'pushed cube.gcode');
    // Z is known from the first layer on (the start G-code's moves carry none strata tracks).
    const printing = await messages.next('current', (current) => current.state.flags.printing &&
      current.progress.completion > 0 && current.currentZ !== null, 30000, started.index);
    assert.equal(printing.payload.job.file.path, 'pushed cube.gcode');
    assert.deepEqual(printing.payload.busyFiles, [{ origin: 'local', path: 'pushed cube.gcode' }]);
    assert.equal(typeof printing.payload.currentZ, 'number');
    const done = await messages.next('event', (event) => event.type === 'PrintDone', 120000);
    assert.ok(done.index > started.index);
    assert.equal(done.payload.payload.path, 'pushed cube.gcode');
    assert.equal(typeof done.payload.payload.time, 'number');
    const after = await messages.next('current', (current) => current.state.text === 'Operational',
                                      10000, done.index);
    assert.equal(after.payload.progress.completion, 100);
  } finally {
    socket.close();
  }
});
