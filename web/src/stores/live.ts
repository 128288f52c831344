// Live data while someone is logged in: the stores loaded when the event stream starts, then
// kept fresh by it (state, progress, temperatures, the terminal). Stopped before logging out,
// so nothing asks the server in the moment the session ends.
import { openEventStream } from './events';
import { refreshFiles } from './files';
import { refreshJob } from './job';
import { loadTemperatureHistory, refreshConnection, refreshPrinter } from './printer';
import { loadSettings } from './settings';
import { catchUpTerminal } from './terminal';

let stop: (() => void) | null = null;

export function startLiveData(): void {
  stopLiveData();
  let first = true;
  const closeStream = openEventStream(() => {
    // The graph's ten minutes once; after a reconnect, the current readings are enough.
    if (first) void loadSettings();
    void (first ? loadTemperatureHistory() : refreshPrinter());
    first = false;
    void refreshJob();
    void refreshConnection();
    void refreshFiles();
    void catchUpTerminal();
  });
  stop = closeStream;
}

export function stopLiveData(): void {
  stop?.();
  stop = null;
}
