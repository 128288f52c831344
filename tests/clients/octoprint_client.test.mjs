// @jamesgopsill/octoprint-client, an OctoPrint client library from npm, run over its whole
// surface against strata: version, server, connection, files, upload, print, pause and resume
// (its toggle), cancel, home and jog, copy, move, languages, delete. Each call's answer is
// checked for the fields the library's users read. Left out: `feedrate` (it posts to
// /api/printhead, which OctoPrint does not have either) and `sliceFile` (no slicer here).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { OctoPrintClient } from '@jamesgopsill/octoprint-client';

import { eventually, sampleGcode, startDemo } from './server.mjs';

let server;
let client;
before(async () => {
  server = await startDemo();
  client = new OctoPrintClient(server.url, server.key);
});
after(async () => { await server?.stop(); });

const stateText = async () => (await client.jobInformation()).data?.state;

test('version, server and connection', async () => {
  const version = await client.version();
  assert.equal(version.status, 200);
  assert.equal(version.data.api, '0.1');
  assert.match(version.data.text, /^OctoPrint /);
  const about = await client.server();
  assert.equal(about.status, 200);
  assert.equal(typeof about.data.version, 'string');
  const connection = await client.connection();
  assert.equal(connection.status, 200);
  assert.equal(connection.data.current.state, 'Operational');
  assert.ok(connection.data.options.ports.length > 0);
  const printer = await client.status();
  assert.equal(printer.status, 200);
  assert.equal(typeof printer.data.temperature.tool0.actual, 'number');
  assert.equal(printer.data.state.flags.operational, true);
});

test('upload, list, print, pause, resume and cancel', async () => {
  const uploaded = await client.uploadGcode('local', 'client cube.gcode', sampleGcode);
  assert.equal(uploaded.status, 201);
  assert.equal(uploaded.data.files.local.path, 'client cube.gcode');
  const files = await eventually(async () => {
    const answer = await client.files();
    const file = answer.data.files.find((item) => item.path === 'client cube.gcode');
    return file?.gcodeAnalysis ? answer : null;
  }, 30000, 'the upload to be analysed');
  assert.equal(files.status, 200);
  assert.equal(typeof files.data.free, 'number');
  const printed = await client.print('client%20cube.gcode');
  assert.equal(printed.status, 204);
  await eventually(async () => (await stateText()) === 'Printing', 30000, 'Printing');
  const job = await client.jobInformation();
  assert.equal(job.data.job.file.path, 'client cube.gcode');
  // The library's pause sends no action: OctoPrint's toggle, pause then resume.
  assert.equal((await client.jobCommand('pause')).status, 204);
  await eventually(async () => (await stateText()) === 'Paused', 30000, 'Paused');
  assert.equal((await client.jobCommand('pause')).status, 204);
  await eventually(async () => (await stateText()) === 'Printing', 30000, 'Printing again');
  assert.equal((await client.jobCommand('cancel')).status, 204);
  await eventually(async () => (await stateText()) === 'Operational', 30000, 'Operational');
  // With nothing printing, a cancel is OctoPrint's 409.
  assert.equal((await client.jobCommand('cancel')).status, 409);
});

test('home and jog', async () => {
  assert.equal((await client.home(['x', 'y', 'z'])).status, 204);
  assert.equal((await client.jog(10, 5, 2)).status, 204);
  assert.equal((await client.jog(5, 5, 0, true, 3000)).status, 204);
});

test('copy, move and languages', async () => {
  const copied = await client.copyFile('local', 'client%20cube.gcode', 'copies/');
  assert.equal(copied.status, 201);
  assert.equal(copied.data.path, 'copies/client cube.gcode');
  const moved = await client.moveFile('local', 'copies/client%20cube.gcode', 'moved cube.gcode');
  assert.equal(moved.status, 201);
  assert.equal(moved.data.path, 'moved cube.gcode');
  const files = (await client.files()).data.files.map((item) => item.path);
  assert.ok(files.includes('moved cube.gcode'));
  assert.equal((await client.moveFile('local', 'moved%20cube.gcode', 'client cube.gcode')).status,
               409);  // Nothing is overwritten.
  assert.equal((await client.deleteFile('local', 'moved%20cube.gcode')).status, 204);
  const languages = await client.languages();
  assert.equal(languages.status, 200);
  assert.deepEqual(languages.data.language_packs._core, []);
});

test('delete', async () => {
  const removed = await client.deleteFile('local', 'client%20cube.gcode');
  assert.equal(removed.status, 204);
  const files = await client.files();
  assert.equal(files.data.files.some((item) => item.path === 'client cube.gcode'), false);
  assert.equal((await client.deleteFile('local', 'client%20cube.gcode')).status, 404);
});
