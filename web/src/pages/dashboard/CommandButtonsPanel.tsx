// The custom command buttons (filament load and unload ready-made): each sends its lines, after
// asking first where it has a confirmation. Admins edit the list. Disabled while a job prints,
// as the buttons move the printhead or the extruder.
import { useState } from 'preact/hooks';

import { api } from '../../api/api';
import type { CustomControl } from '../../api/types';
import { Panel } from '../../components/Panel';
import { attempt } from '../../stores/notices';
import { motionAllowed } from '../../stores/printer';
import { canOperate, isAdmin } from '../../stores/session';
import { customControls } from '../../stores/settings';
import { CommandButtonEditor } from './CommandButtonEditor';

function run(control: CustomControl): void {
  if (control.confirm && !window.confirm(control.confirm)) return;
  void attempt(control.name, () => api.commands(control.commands));
}

export function CommandButtonsPanel() {
  const [editing, setEditing] = useState(false);
  if (!canOperate.value) return null;
  const edit = isAdmin.value && !editing && (
    <button type="button" class="ghost" onClick={() => setEditing(true)}>
      Edit
    </button>
  );
  return (
    <Panel title="Commands" actions={edit}>
      {editing ? (
        <CommandButtonEditor onDone={() => setEditing(false)} />
      ) : (
        <div class="row">
          {customControls.value.length === 0 && <p class="muted">No command buttons yet.</p>}
          {customControls.value.map((control) => (
            <button key={control.name} type="button" disabled={!motionAllowed.value} title={control.commands.join('\n')} onClick={() => run(control)}>
              {control.name}
            </button>
          ))}
        </div>
      )}
    </Panel>
  );
}
