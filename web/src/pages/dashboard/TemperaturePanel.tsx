// Temperatures: each heater's actual and target, a target to set, presets, and the graph.
import { useState } from 'preact/hooks';

import { api } from '../../api/api';
import { Panel } from '../../components/Panel';
import { attempt } from '../../stores/notices';
import { flags, heaters, refreshPrinter } from '../../stores/printer';
import { canOperate } from '../../stores/session';
import { TemperatureChart } from './TemperatureChart';

interface Preset {
  name: string;
  tool_c: number;
  bed_c: number;
}

const defaultPresets: Preset[] = [
  { name: 'PLA', tool_c: 210, bed_c: 60 },
  { name: 'PETG', tool_c: 240, bed_c: 80 },
  { name: 'ABS', tool_c: 250, bed_c: 100 },
];

function setTarget(heater: string, target_c: number): Promise<boolean> {
  return attempt(`Set ${heater}`, async () => {
    await (heater === 'bed' ? api.bedTarget(target_c) : api.toolTarget(heater, target_c));
    await refreshPrinter();
  });
}

function HeaterRow(props: { name: string; actual: number; target: number | null }) {
  const [draft, setDraft] = useState('');
  const operable = canOperate.value && flags.value.operational;
  return (
    <tr>
      <th scope="row">{props.name}</th>
      <td data-testid={`actual-${props.name}`}>{props.actual.toFixed(1)} °C</td>
      <td data-testid={`target-${props.name}`}>{props.target === null ? '–' : `${props.target.toFixed(0)} °C`}</td>
      {operable && (
        <td>
          <form
            class="inline-form"
            onSubmit={(event) => {
              event.preventDefault();
              const value = Number(draft);
              if (draft !== '' && Number.isFinite(value)) void setTarget(props.name, value).then(() => setDraft(''));
            }}
          >
            <input
              type="number"
              min={0}
              max={400}
              inputMode="numeric"
              aria-label={`${props.name} target`}
              value={draft}
              onInput={(e) => setDraft(e.currentTarget.value)}
            />
            <button type="submit">Set</button>
            <button type="button" class="ghost" onClick={() => void setTarget(props.name, 0)}>
              Off
            </button>
          </form>
        </td>
      )}
    </tr>
  );
}

export function TemperaturePanel() {
  const readings = Object.entries(heaters.value);
  const applyPreset = (preset: Preset) => {
    for (const [name] of readings) void setTarget(name, name === 'bed' ? preset.bed_c : preset.tool_c);
  };
  return (
    <Panel title="Temperatures">
      <table class="heaters">
        <thead>
          <tr>
            <th scope="col">Heater</th>
            <th scope="col">Actual</th>
            <th scope="col">Target</th>
            {canOperate.value && flags.value.operational && <th scope="col">Set</th>}
          </tr>
        </thead>
        <tbody>
          {readings.map(([name, reading]) => (
            <HeaterRow key={name} name={name} actual={reading.actual} target={reading.target} />
          ))}
        </tbody>
      </table>
      {canOperate.value && flags.value.operational && (
        <div class="row presets">
          {defaultPresets.map((preset) => (
            <button key={preset.name} type="button" class="ghost" onClick={() => applyPreset(preset)}>
              {preset.name} {preset.tool_c}/{preset.bed_c}
            </button>
          ))}
          <button type="button" class="ghost" onClick={() => applyPreset({ name: 'Off', tool_c: 0, bed_c: 0 })}>
            All off
          </button>
        </div>
      )}
      <TemperatureChart />
    </Panel>
  );
}
