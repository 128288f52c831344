// Past jobs: file, result, when, how long, how far; reprint a file; the timelapse videos.
import { useEffect, useState } from 'preact/hooks';

import { api } from '../../api/api';
import type { JobRecord, TimelapseEntry } from '../../api/types';
import { Panel } from '../../components/Panel';
import { formatDuration } from '../../stores/job';
import { attempt } from '../../stores/notices';
import { flags } from '../../stores/printer';
import { canOperate } from '../../stores/session';

export function HistoryPage() {
  const [jobs, setJobs] = useState<JobRecord[]>([]);
  const [videos, setVideos] = useState<TimelapseEntry[]>([]);
  useEffect(() => {
    void attempt('History', async () => setJobs((await api.jobs()).jobs));
    void attempt('Timelapses', async () => setVideos((await api.timelapses()).files));
  }, []);
  return (
    <>
      <Panel title="History">
        <div class="table-scroll">
          <table class="history">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Result</th>
                <th scope="col">Started</th>
                <th scope="col">Duration</th>
                <th scope="col">Done</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {jobs.map((record) => (
                <tr key={record.id} data-testid="history-row">
                  <td>{record.file}</td>
                  <td data-testid="history-result">{record.result || record.state}</td>
                  <td>{new Date(record.started * 1000).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' })}</td>
                  <td>{formatDuration(record.print_time)}</td>
                  <td>{record.completion.toFixed(0)} %</td>
                  <td>
                    {canOperate.value && (
                      <button type="button" class="ghost" disabled={!flags.value.ready} onClick={() => void attempt('Reprint', () => api.printFile(record.file))}>
                        Reprint
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {jobs.length === 0 && <p class="muted">No jobs yet.</p>}
      </Panel>
      <Panel title="Timelapses">
        <ul class="videos">
          {videos.map((video) => (
            <li key={video.name} data-testid="timelapse">
              <video controls preload="none" src={video.url} />
              <a href={video.url} download>
                {video.name}
              </a>
            </li>
          ))}
        </ul>
        {videos.length === 0 && <p class="muted">No timelapses yet.</p>}
      </Panel>
    </>
  );
}
