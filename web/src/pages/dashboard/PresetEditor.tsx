// The temperature presets as an admin edits them: a row per preset (name, extruder, bed), add
// and remove, then save; the server checks every field and says which one is wrong.
import { useState } from 'preact/hooks';

import type { TemperatureProfile } from '../../api/types';
import { EditorActions } from '../../components/EditorActions';
import { attempt } from '../../stores/notices';
import { saveTemperatureProfiles, temperatureProfiles } from '../../stores/settings';

interface Draft {
  name: string;
  extruder: string;
  bed: string;
}

const toDraft = (profile: TemperatureProfile): Draft => ({ name: profile.name, extruder: String(profile.extruder), bed: String(profile.bed) });

export function PresetEditor(props: { onDone: () => void }) {
  const [rows, setRows] = useState<Draft[]>(temperatureProfiles.value.map(toDraft));
  const change = (index: number, field: keyof Draft, value: string) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, [field]: value } : row)));
  const save = async (event: Event) => {
    event.preventDefault();
    const profiles = rows.map((row) => ({ name: row.name.trim(), extruder: Number(row.extruder), bed: Number(row.bed), chamber: null }));
    if (await attempt('Save presets', () => saveTemperatureProfiles(profiles))) props.onDone();
  };
  return (
    <form class="editor" onSubmit={(event) => void save(event)} aria-label="Edit presets">
      {rows.map((row, index) => (
        <div class="row" key={index}>
          <input aria-label={`Preset ${index + 1} name`} value={row.name} maxLength={40} required onInput={(e) => change(index, 'name', e.currentTarget.value)} />
          <input type="number" aria-label={`Preset ${index + 1} extruder`} min={0} max={400} value={row.extruder} required onInput={(e) => change(index, 'extruder', e.currentTarget.value)} />
          <input type="number" aria-label={`Preset ${index + 1} bed`} min={0} max={150} value={row.bed} required onInput={(e) => change(index, 'bed', e.currentTarget.value)} />
          <button type="button" class="ghost" aria-label={`Remove preset ${index + 1}`} onClick={() => setRows(rows.filter((_, i) => i !== index))}>
            ✕
          </button>
        </div>
      ))}
      <EditorActions add="Add preset" save="Save presets" onAdd={() => setRows([...rows, { name: '', extruder: '200', bed: '60' }])} onClose={props.onDone} />
    </form>
  );
}
