// One past job: file, result, start, duration, how far it got; reprint, resume for a job that
// was interrupted (the printer unplugged or powered off, the host crashed), and its timelapse
// video played in place.
import { useState } from 'preact/hooks';

import { api } from '../../api/api';
import type { JobRecord } from '../../api/types';
import { formatDuration } from '../../stores/job';
import { attempt } from '../../stores/notices';
import { flags } from '../../stores/printer';
import { canOperate } from '../../stores/session';

export function HistoryRow(props: { record: JobRecord }) {
  const { record } = props;
  const [playing, setPlaying] = useState('');
  const resumable = canOperate.value && record.state === 'interrupted';
  return (
    <>
      <tr data-testid="history-row">
        <td>{record.file}</td>
        <td data-testid="history-result">{record.result || record.state}</td>
        <td>{new Date(record.started * 1000).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}</td>
        <td>{formatDuration(record.print_time)}</td>
        <td>{record.completion.toFixed(0)} %</td>
        <td class="actions">
          {record.timelapses.map((video) => (
            <button
              key={video.name}
              type="button"
              class="ghost"
              aria-expanded={playing === video.url}
              aria-label={`Timelapse of ${record.file}`}
              onClick={() => setPlaying(playing === video.url ? '' : video.url)}
            >
              ▶ Video
            </button>
          ))}
          {resumable && (
            <button
              type="button"
              disabled={!flags.value.ready}
              title="Homes X and Y, heats, and prints on from the start of this layer"
              onClick={() => void attempt('Resume', () => api.resumeJob(record.id))}
            >
              Resume from layer {record.layer}
            </button>
          )}
          {canOperate.value && (
            <button type="button" class="ghost" disabled={!flags.value.ready} onClick={() => void attempt('Reprint', () => api.printFile(record.file))}>
              Reprint
            </button>
          )}
        </td>
      </tr>
      {playing && (
        <tr class="player-row">
          <td colSpan={6}>
            <video controls autoPlay muted src={playing} data-testid="history-video" />
          </td>
        </tr>
      )}
    </>
  );
}
