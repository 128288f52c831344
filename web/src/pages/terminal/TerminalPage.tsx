// The terminal: the lines sent and received as they come (kept at the bottom unless the user
// scrolled up), a filter that hides the temperature reports and polls, and a command line with
// the user's history on the up and down keys.
import { useEffect, useRef, useState } from 'preact/hooks';

import { Panel } from '../../components/Panel';
import { terminalLines, terminalLost } from '../../stores/terminal';
import { canOperate } from '../../stores/session';
import { CommandLine } from './CommandLine';

export function TerminalPage() {
  const [hideTemperatures, setHideTemperatures] = useState(true);
  const list = useRef<HTMLPreElement>(null);
  const stuckToBottom = useRef(true);
  const lines = terminalLines.value.filter((line) => !(hideTemperatures && line.temperature));

  useEffect(() => {
    const element = list.current;
    if (element && stuckToBottom.current) element.scrollTop = element.scrollHeight;
  }, [lines.length, lines[lines.length - 1]?.seq]);

  const onScroll = () => {
    const element = list.current;
    if (element) stuckToBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 24;
  };

  return (
    <Panel
      title="Terminal"
      actions={
        <label class="inline">
          <input type="checkbox" checked={hideTemperatures} onChange={(e) => setHideTemperatures(e.currentTarget.checked)} />
          Hide temperatures
        </label>
      }
    >
      {terminalLost.value > 0 && <p class="muted">{terminalLost.value} lines were not kept while the page was away.</p>}
      <pre class="terminal" ref={list} onScroll={onScroll} data-testid="terminal" aria-label="Terminal output" aria-live="off" tabIndex={0}>
        {lines.map((line) => (
          <div key={line.seq} class={line.sent ? 'sent' : 'received'}>
            {line.sent ? 'Send: ' : 'Recv: '}
            {line.text}
          </div>
        ))}
      </pre>
      {canOperate.value && <CommandLine />}
    </Panel>
  );
}
