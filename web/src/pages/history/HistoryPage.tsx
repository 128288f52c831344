// Past jobs (file, result, when, how long, how far, with reprint and each job's video) and the
// timelapse videos.
import { useEffect } from 'preact/hooks';

import { Panel } from '../../components/Panel';
import { jobs, refreshHistory, videos } from '../../stores/history';
import { attempt } from '../../stores/notices';
import { HistoryRow } from './HistoryRow';
import { TimelapseList } from './TimelapseList';

export function HistoryPage() {
  useEffect(() => void attempt('History', refreshHistory), []);
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
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.value.map((record) => (
                <HistoryRow key={record.id} record={record} />
              ))}
            </tbody>
          </table>
        </div>
        {jobs.value.length === 0 && <p class="muted">No jobs yet.</p>}
      </Panel>
      <TimelapseList videos={videos.value} />
    </>
  );
}
