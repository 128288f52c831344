// The command buttons as an admin edits them: a name, the G-code lines (one per line) and an
// optional question asked before they are sent; saved as a whole list, checked by the server.
import { useState } from 'preact/hooks';

import type { CustomControl } from '../../api/types';
import { EditorActions } from '../../components/EditorActions';
import { attempt } from '../../stores/notices';
import { customControls, saveCustomControls } from '../../stores/settings';

interface Draft {
  name: string;
  commands: string;
  confirm: string;
}

const toDraft = (control: CustomControl): Draft => ({ name: control.name, commands: control.commands.join('\n'), confirm: control.confirm ?? '' });

function toControl(draft: Draft): CustomControl {
  const commands = draft.commands.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const confirm = draft.confirm.trim();
  return confirm ? { name: draft.name.trim(), commands, confirm } : { name: draft.name.trim(), commands };
}

export function CommandButtonEditor(props: { onDone: () => void }) {
  const [rows, setRows] = useState<Draft[]>(customControls.value.map(toDraft));
  const change = (index: number, field: keyof Draft, value: string) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
  const save = async (event: Event) => {
    event.preventDefault();
    if (await attempt('Save buttons', () => saveCustomControls(rows.map(toControl)))) props.onDone();
  };
  return (
    <form class="editor" onSubmit={(event) => void save(event)} aria-label="Edit command buttons">
      {rows.map((row, index) => (
        <fieldset key={index}>
          <legend>Button {index + 1}</legend>
          <label>
            Name
            <input value={row.name} maxLength={40} required onInput={(e) => change(index, 'name', e.currentTarget.value)} />
          </label>
          <label>
            G-code, one command per line
            <textarea rows={4} value={row.commands} required onInput={(e) => change(index, 'commands', e.currentTarget.value)} />
          </label>
          <label>
            Ask first (optional)
            <input value={row.confirm} maxLength={200} onInput={(e) => change(index, 'confirm', e.currentTarget.value)} />
          </label>
          <button type="button" class="ghost" onClick={() => setRows(rows.filter((_, i) => i !== index))}>
            Remove button {index + 1}
          </button>
        </fieldset>
      ))}
      <EditorActions add="Add button" save="Save buttons" onAdd={() => setRows([...rows, { name: '', commands: '', confirm: '' }])} onClose={props.onDone} />
    </form>
  );
}
