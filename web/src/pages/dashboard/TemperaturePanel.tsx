// Temperatures: each heater's actual, target and offset with forms to set them, the presets
// (edited by admins), and the graph.
import { useState } from 'preact/hooks';

import type { TemperatureProfile } from '../../api/types';
import { Panel } from '../../components/Panel';
import { flags, heaters, offsets } from '../../stores/printer';
import { canOperate, isAdmin } from '../../stores/session';
import { temperatureProfiles } from '../../stores/settings';
import { HeaterRow, setTarget } from './HeaterRow';
import { PresetEditor } from './PresetEditor';
import { TemperatureChart } from './TemperatureChart';

function applyPreset(heaterNames: string[], preset: Pick<TemperatureProfile, 'extruder' | 'bed'>): void {
  for (const name of heaterNames) {
    if (name === 'bed') void setTarget(name, preset.bed);
    else if (name.startsWith('tool')) void setTarget(name, preset.extruder);
  }
}

function Presets(props: { heaterNames: string[] }) {
  const [editing, setEditing] = useState(false);
  if (editing) return <PresetEditor onDone={() => setEditing(false)} />;
  return (
    <div class="row presets">
      {temperatureProfiles.value.map((preset) => (
        <button key={preset.name} type="button" class="ghost" onClick={() => applyPreset(props.heaterNames, preset)}>
          {preset.name} {preset.extruder}/{preset.bed}
        </button>
      ))}
      <button type="button" class="ghost" onClick={() => applyPreset(props.heaterNames, { extruder: 0, bed: 0 })}>
        All off
      </button>
      {isAdmin.value && (
        <button type="button" class="ghost" onClick={() => setEditing(true)}>
          Edit presets
        </button>
      )}
    </div>
  );
}

export function TemperaturePanel() {
  const readings = Object.entries(heaters.value);
  const operable = canOperate.value && flags.value.operational;
  return (
    <Panel title="Temperatures" wide>
      <table class="heaters">
        <thead>
          <tr>
            <th scope="col">Heater</th>
            <th scope="col">Actual</th>
            <th scope="col">Target</th>
            <th scope="col">Offset</th>
            {operable && <th scope="col">Set target / offset</th>}
          </tr>
        </thead>
        <tbody>
          {readings.map(([name, reading]) => (
            <HeaterRow key={name} name={name} actual={reading.actual} target={reading.target} offset={offsets.value[name] ?? 0} />
          ))}
        </tbody>
      </table>
      {operable && <Presets heaterNames={readings.map(([name]) => name)} />}
      <TemperatureChart />
    </Panel>
  );
}
