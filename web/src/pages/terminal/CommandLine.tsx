// The terminal's command line: Enter sends, up and down walk the user's history (kept on the
// server, so it follows the user to another device).
import { useEffect, useState } from 'preact/hooks';

import { api } from '../../api/api';
import { attempt } from '../../stores/notices';

export function CommandLine() {
  const [text, setText] = useState('');
  const [history, setHistory] = useState<string[]>([]);
  const [position, setPosition] = useState(-1); // -1: not walking the history.

  useEffect(() => {
    void api.terminalHistory().then((answer) => setHistory(answer.commands), () => undefined);
  }, []);

  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    const command = text.trim();
    if (!command) return;
    if (await attempt(command, () => api.terminalCommand(command))) {
      setHistory([...history.filter((old) => old !== command), command]);
      setText('');
      setPosition(-1);
    }
  };

  const walk = (event: KeyboardEvent) => {
    if (event.key !== 'ArrowUp' && event.key !== 'ArrowDown') return;
    event.preventDefault();
    if (history.length === 0) return;
    const next =
      event.key === 'ArrowUp'
        ? position < 0 ? history.length - 1 : Math.max(0, position - 1)
        : position < 0 || position >= history.length - 1 ? -1 : position + 1;
    setPosition(next);
    setText(next < 0 ? '' : history[next] ?? '');
  };

  return (
    <form class="command-line" onSubmit={(event) => void send(event)}>
      <input
        value={text}
        onInput={(e) => {
          setText(e.currentTarget.value);
          setPosition(-1);
        }}
        onKeyDown={walk}
        placeholder="G-code, e.g. M115"
        aria-label="Command"
        autocomplete="off"
        spellcheck={false}
      />
      <button type="submit">Send</button>
    </form>
  );
}
