// The serial connection: port and baud rate, connect and disconnect, the state and its error.
import { useState } from 'preact/hooks';

import { Panel } from '../../components/Panel';
import { attempt } from '../../stores/notices';
import { connection, flags, refreshConnection, stateError, stateText } from '../../stores/printer';
import { api } from '../../api/api';
import { canOperate } from '../../stores/session';

export function ConnectionPanel() {
  const options = connection.value?.options;
  const [port, setPort] = useState<string>('');
  const [baud, setBaud] = useState<string>('');
  const connected = !flags.value.closedOrError;
  const chosenPort = port || options?.portPreference || options?.ports[0] || '';
  const chosenBaud = baud || String(options?.baudratePreference ?? '');
  const connect = () =>
    attempt('Connect', async () => {
      await api.connect(chosenPort || null, chosenBaud ? Number(chosenBaud) : null);
      await refreshConnection();
    });
  const disconnect = () =>
    attempt('Disconnect', async () => {
      await api.disconnect();
      await refreshConnection();
    });
  return (
    <Panel title="Connection">
      <p class="state-line">
        <strong data-testid="connection-state">{stateText.value}</strong>
        {stateError.value && <span class="error"> — {stateError.value}</span>}
      </p>
      {canOperate.value && (
        <div class="row">
          <label>
            Port
            <select value={chosenPort} disabled={connected} onChange={(e) => setPort(e.currentTarget.value)}>
              {(options?.ports ?? []).map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <label>
            Baud
            <select value={chosenBaud} disabled={connected} onChange={(e) => setBaud(e.currentTarget.value)}>
              <option value="">auto</option>
              {(options?.baudrates ?? []).map((b) => (
                <option key={b} value={String(b)}>
                  {b}
                </option>
              ))}
            </select>
          </label>
          {connected ? (
            <button type="button" onClick={() => void disconnect()}>
              Disconnect
            </button>
          ) : (
            <button type="button" onClick={() => void connect()} disabled={!chosenPort}>
              Connect
            </button>
          )}
        </div>
      )}
    </Panel>
  );
}
