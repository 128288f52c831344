// One heater in the temperature table: actual, target and offset, with a target and an offset
// to set (operators, while connected) and an off button.
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

import { api } from '../../api/api';
import { attempt } from '../../stores/notices';
import { flags, refreshPrinter } from '../../stores/printer';
import { canOperate } from '../../stores/session';

export function setTarget(heater: string, target_c: number): Promise<boolean> {
  return attempt(`Set ${heater}`, async () => {
    await (heater === 'bed' ? api.bedTarget(target_c) : api.toolTarget(heater, target_c));
    await refreshPrinter();
  });
}

function setOffset(heater: string, offset_c: number): Promise<boolean> {
  return attempt(`Offset ${heater}`, async () => {
    await (heater === 'bed' ? api.bedOffset(offset_c) : api.toolOffset(heater, offset_c));
    await refreshPrinter();
  });
}

function NumberForm(props: { label: string; hint: string; min: number; max: number; apply: (value: number) => Promise<boolean>; children?: ComponentChildren }) {
  const [draft, setDraft] = useState('');
  return (
    <form
      class="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const value = Number(draft);
        if (draft !== '' && Number.isFinite(value)) void props.apply(value).then((done) => done && setDraft(''));
      }}
    >
      <input type="number" min={props.min} max={props.max} inputMode="numeric" aria-label={props.label} placeholder={props.hint} value={draft} onInput={(e) => setDraft(e.currentTarget.value)} />
      <button type="submit">Set</button>
      {props.children}
    </form>
  );
}

export function HeaterRow(props: { name: string; actual: number; target: number | null; offset: number }) {
  const operable = canOperate.value && flags.value.operational;
  const offset = props.offset === 0 ? '0' : `${props.offset > 0 ? '+' : ''}${props.offset.toFixed(0)}`;
  return (
    <tr>
      <th scope="row">{props.name}</th>
      <td data-label="Actual" data-testid={`actual-${props.name}`}>{props.actual.toFixed(1)} °C</td>
      <td data-label="Target" data-testid={`target-${props.name}`}>{props.target === null ? '–' : `${props.target.toFixed(0)} °C`}</td>
      <td data-label="Offset" data-testid={`offset-${props.name}`}>{offset}</td>
      {operable && (
        <td class="heater-forms">
          <NumberForm label={`${props.name} target`} hint="target" min={0} max={400} apply={(value) => setTarget(props.name, value)}>
            <button type="button" class="ghost" onClick={() => void setTarget(props.name, 0)}>
              Off
            </button>
          </NumberForm>
          <NumberForm label={`${props.name} offset`} hint="offset" min={-50} max={50} apply={(value) => setOffset(props.name, value)} />
        </td>
      )}
    </tr>
  );
}
