// One file: its thumbnail, the analysis (estimate with the snapshot moves, filament, size of the
// print, layers, slicer, the snapshot plan) and the time each layer takes; with its actions.
import { useEffect, useState } from 'preact/hooks';

import { api } from '../../api/api';
import type { FileDetail } from '../../api/types';
import { navigate, routedFile } from '../../app/router';
import { Panel } from '../../components/Panel';
import { files } from '../../stores/files';
import { formatDuration } from '../../stores/job';
import { FileActions } from './FileRow';
import { formatDate, formatFilament, formatSize, stateOf } from './format';
import { LayerTimeChart } from './LayerTimeChart';

function Facts(props: { detail: FileDetail }) {
  const { file, job } = props.detail;
  const analysis = file.gcodeAnalysis;
  const size = analysis?.dimensions;
  const strata = analysis?.strata;
  return (
    <dl class="facts" data-testid="file-facts">
      <dt>State</dt>
      <dd>{stateOf(file)}{file.strata?.error ? `: ${file.strata.error}` : ''}</dd>
      <dt>Size</dt>
      <dd>{formatSize(file.size)}</dd>
      <dt>Uploaded</dt>
      <dd>{formatDate(file.date)}</dd>
      <dt>Estimate</dt>
      <dd data-testid="file-estimate">{formatDuration(job?.estimated_time_s ?? analysis?.estimatedPrintTime)}</dd>
      <dt>Snapshot moves</dt>
      <dd>{job ? formatDuration(job.time_added_s) : '–'}</dd>
      <dt>Filament</dt>
      <dd>{formatFilament(file)}</dd>
      <dt>Print size</dt>
      <dd>{size ? `${size.width.toFixed(1)} × ${size.depth.toFixed(1)} × ${size.height.toFixed(1)} mm` : '–'}</dd>
      <dt>Layers</dt>
      <dd data-testid="file-layers">{strata?.layers ?? '–'}</dd>
      <dt>Lines</dt>
      <dd>{strata ? strata.lines.toLocaleString() : '–'}</dd>
      <dt>Slicer</dt>
      <dd>{strata ? `${strata.slicer} ${strata.slicer_version}`.trim() : '–'}</dd>
      <dt>Snapshots</dt>
      <dd>{job ? `${job.snapshots.length} planned${job.skipped.length ? `, ${job.skipped.length} skipped` : ''}` : '–'}</dd>
      <dt>Warnings</dt>
      <dd>{strata ? `${strata.warnings} warnings, ${strata.errors} errors` : '–'}</dd>
    </dl>
  );
}

export function FileDetailPage() {
  const path = routedFile.value;
  const [detail, setDetail] = useState<FileDetail | null>(null);
  const [problem, setProblem] = useState('');
  // Loaded again when the list changes: a file still preparing gets its index when ready.
  const listed = files.value.find((file) => file.path === path);
  const state = listed?.strata?.state;
  useEffect(() => {
    let current = true;
    api.fileDetail(path).then(
      (answer) => current && (setDetail(answer), setProblem('')),
      (error: unknown) => current && setProblem(error instanceof Error ? error.message : String(error)),
    );
    return () => {
      current = false;
    };
  }, [path, state]);
  const back = (
    <button type="button" class="ghost" onClick={() => navigate('files')}>
      All files
    </button>
  );
  return (
    <Panel title={path} actions={back}>
      {problem && <p class="error">{problem}</p>}
      {detail && (
        <>
          <div class="file-detail">
            {detail.file.thumbnail && <img class="thumb detail" src={`/${detail.file.thumbnail}`} alt={`Preview of ${path}`} />}
            <Facts detail={detail} />
          </div>
          <div class="actions">
            <FileActions file={detail.file} />
          </div>
          <h3>Time per layer</h3>
          {detail.job && detail.job.layers.length > 0 ? <LayerTimeChart index={detail.job} /> : <p class="muted">Shown once the file is prepared.</p>}
        </>
      )}
    </Panel>
  );
}
