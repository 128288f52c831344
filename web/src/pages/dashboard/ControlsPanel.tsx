// The printhead: jog by a chosen step, home, motors off, extrude and retract, the part fan, and
// the feed rate and flow factors. Motion is disabled while a job prints.
import { useState } from 'preact/hooks';

import { api } from '../../api/api';
import { Panel } from '../../components/Panel';
import { attempt } from '../../stores/notices';
import { flags, motionAllowed } from '../../stores/printer';
import { canOperate } from '../../stores/session';

const steps_mm = [0.1, 1, 10, 100];

function JogButtons(props: { step_mm: number; disabled: boolean }) {
  const jog = (axes: { x?: number; y?: number; z?: number }, label: string) =>
    void attempt(`Jog ${label}`, () => api.jog(axes));
  const s = props.step_mm;
  return (
    <div class="jog" role="group" aria-label="Jog">
      <button type="button" disabled={props.disabled} onClick={() => jog({ y: s }, 'Y+')} aria-label="Y plus">Y+</button>
      <button type="button" disabled={props.disabled} onClick={() => jog({ x: -s }, 'X-')} aria-label="X minus">X−</button>
      <button type="button" disabled={props.disabled} onClick={() => void attempt('Home XY', () => api.home(['x', 'y']))} aria-label="Home X and Y">⌂</button>
      <button type="button" disabled={props.disabled} onClick={() => jog({ x: s }, 'X+')} aria-label="X plus">X+</button>
      <button type="button" disabled={props.disabled} onClick={() => jog({ y: -s }, 'Y-')} aria-label="Y minus">Y−</button>
      <button type="button" disabled={props.disabled} onClick={() => jog({ z: s }, 'Z+')} aria-label="Z plus">Z+</button>
      <button type="button" disabled={props.disabled} onClick={() => void attempt('Home Z', () => api.home(['z']))} aria-label="Home Z">⌂Z</button>
      <button type="button" disabled={props.disabled} onClick={() => jog({ z: -s }, 'Z-')} aria-label="Z minus">Z−</button>
    </div>
  );
}

function NumberCommand(props: { label: string; unit: string; initial: string; disabled: boolean; command: (value: number) => string[] }) {
  const [value, setValue] = useState(props.initial);
  return (
    <form
      class="inline-form"
      onSubmit={(event) => {
        event.preventDefault();
        const number = Number(value);
        if (value !== '' && Number.isFinite(number)) void attempt(props.label, () => api.commands(props.command(number)));
      }}
    >
      <label>
        {props.label}
        <input type="number" value={value} onInput={(e) => setValue(e.currentTarget.value)} disabled={props.disabled} aria-label={props.label} />
        <span class="unit">{props.unit}</span>
      </label>
      <button type="submit" disabled={props.disabled}>Set</button>
    </form>
  );
}

export function ControlsPanel() {
  const [step_mm, setStep] = useState(10);
  const [extrude_mm, setExtrude] = useState('5');
  const [extrude_mm_min, setExtrudeSpeed] = useState('300');
  if (!canOperate.value) return null;
  const motionOff = !motionAllowed.value;
  const operational = flags.value.operational;
  const extrude = (sign: number) => {
    const amount = Number(extrude_mm);
    const speed = Number(extrude_mm_min);
    if (Number.isFinite(amount) && amount > 0 && Number.isFinite(speed) && speed > 0)
      void attempt(sign > 0 ? 'Extrude' : 'Retract', () => api.extrude(sign * amount, speed));
  };
  return (
    <Panel title="Controls">
      {motionOff && operational && <p class="muted">Motion is disabled while a job prints.</p>}
      <div class="row" role="radiogroup" aria-label="Jog step">
        {steps_mm.map((step) => (
          <button key={step} type="button" role="radio" aria-checked={step === step_mm} class={step === step_mm ? 'selected' : 'ghost'} onClick={() => setStep(step)}>
            {step} mm
          </button>
        ))}
      </div>
      <JogButtons step_mm={step_mm} disabled={motionOff} />
      <div class="row">
        <button type="button" disabled={motionOff} onClick={() => void attempt('Home', () => api.home(['x', 'y', 'z']))}>Home all</button>
        <button type="button" disabled={motionOff} onClick={() => void attempt('Motors off', () => api.commands(['M18']))}>Motors off</button>
      </div>
      <div class="row">
        <label>
          Length
          <input type="number" min={0} max={200} value={extrude_mm} onInput={(e) => setExtrude(e.currentTarget.value)} aria-label="Extrude length" disabled={motionOff} />
          <span class="unit">mm</span>
        </label>
        <label>
          Speed
          <input type="number" min={1} max={6000} value={extrude_mm_min} onInput={(e) => setExtrudeSpeed(e.currentTarget.value)} aria-label="Extrude speed" disabled={motionOff} />
          <span class="unit">mm/min</span>
        </label>
        <button type="button" disabled={motionOff} onClick={() => extrude(1)}>Extrude</button>
        <button type="button" disabled={motionOff} onClick={() => extrude(-1)}>Retract</button>
      </div>
      <NumberCommand label="Fan" unit="%" initial="100" disabled={!operational} command={(p) => (p <= 0 ? ['M107'] : [`M106 S${Math.round(Math.min(100, p) * 2.55)}`])} />
      <NumberCommand label="Feed rate" unit="%" initial="100" disabled={!operational} command={(p) => [`M220 S${Math.round(p)}`]} />
      <NumberCommand label="Flow" unit="%" initial="100" disabled={!operational} command={(p) => [`M221 S${Math.round(p)}`]} />
    </Panel>
  );
}
