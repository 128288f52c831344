// The job: file, progress bar, layer n/N, elapsed, remaining and finish time, snapshots taken;
// pause, resume and cancel (cancel asks first).
import { Panel } from '../../components/Panel';
import { api } from '../../api/api';
import type { JobAnswer } from '../../api/types';
import { files } from '../../stores/files';
import { finishClock, formatDuration, job } from '../../stores/job';
import { attempt } from '../../stores/notices';
import { flags } from '../../stores/printer';
import { canOperate } from '../../stores/session';

function layerText(strata: JobAnswer['strata']): string {
  if (!strata || strata.layers === null) return '–';
  const z = strata.z_mm === null ? '' : ` (Z ${strata.z_mm.toFixed(2)} mm)`;
  return `${strata.layer ?? '–'} / ${strata.layers}${z}`;
}

function JobControls() {
  const { printing, paused, pausing, cancelling } = flags.value;
  if (!canOperate.value || !(printing || paused || pausing)) return null;
  const cancel = () => {
    if (window.confirm('Cancel the print?')) void attempt('Cancel', () => api.jobCommand('cancel'));
  };
  return (
    <div class="row">
      {paused ? (
        <button type="button" onClick={() => void attempt('Resume', () => api.jobCommand('pause', 'resume'))}>
          Resume
        </button>
      ) : (
        <button type="button" disabled={pausing} onClick={() => void attempt('Pause', () => api.jobCommand('pause', 'pause'))}>
          Pause
        </button>
      )}
      <button type="button" class="danger" disabled={cancelling} onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}

export function JobPanel() {
  const current = job.value;
  const name = current?.job.file.display ?? current?.job.file.name;
  const completion = current?.progress.completion ?? null;
  const percent = completion === null ? 0 : Math.min(100, Math.max(0, completion));
  const thumbnail = files.value.find((file) => file.path === current?.job.file.path)?.thumbnail;
  return (
    <Panel title="Job">
      {name ? (
        <>
          <div class="job-head">
            {thumbnail && <img class="thumb large" src={`/${thumbnail}`} alt="" data-testid="job-thumbnail" />}
            <p class="file-name" data-testid="job-file">
              {name}
            </p>
          </div>
          <div class="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.floor(percent)}>
            <div class="bar" style={{ width: `${percent}%` }} />
            <span data-testid="job-progress">{completion === null ? '–' : `${percent.toFixed(1)} %`}</span>
          </div>
          <dl class="facts">
            <dt>State</dt>
            <dd data-testid="job-state">{current?.state}</dd>
            <dt>Layer</dt>
            <dd data-testid="job-layer">{layerText(current?.strata)}</dd>
            <dt>Elapsed</dt>
            <dd>{formatDuration(current?.progress.printTime)}</dd>
            <dt>Remaining</dt>
            <dd>{formatDuration(current?.progress.printTimeLeft)}</dd>
            <dt>Finishes</dt>
            <dd>{finishClock(current?.progress.printTimeLeft)}</dd>
            <dt>Estimate</dt>
            <dd>{formatDuration(current?.job.estimatedPrintTime)}</dd>
            <dt>Snapshots</dt>
            <dd data-testid="job-snapshots">
              {current?.strata ? `${current.strata.snapshots_taken} of ${current.strata.snapshots_planned}` : '–'}
            </dd>
          </dl>
          <JobControls />
        </>
      ) : (
        <p class="muted">No file selected. Pick one under Files.</p>
      )}
    </Panel>
  );
}
