// Live data while someone is logged in: the stores loaded when the event stream starts, then
// kept fresh by it and by the two-second temperature poll. Stopped before logging out, so nothing asks the
// server in the moment the session ends.
import { openEventStream } from './events';
import { refreshFiles } from './files';
import { refreshJob } from './job';
import { loadTemperatureHistory, refreshConnection, refreshPrinter } from './printer';

const temperaturePollMs = 2000;
let stop: (() => void) | null = null;

export function startLiveData(): void {
  stopLiveData();
  let first = true;
  const closeStream = openEventStream(() => {
    // The graph's ten minutes once; after a reconnect, the current readings are enough.
    void (first ? loadTemperatureHistory() : refreshPrinter());
    first = false;
    void refreshJob();
    void refreshConnection();
    void refreshFiles();
  });
  const poll = setInterval(() => void refreshPrinter(), temperaturePollMs);
  stop = () => {
    closeStream();
    clearInterval(poll);
  };
}

export function stopLiveData(): void {
  stop?.();
  stop = null;
}
