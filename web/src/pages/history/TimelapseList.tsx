// Every rendered timelapse video, newest first, to watch or download.
import type { TimelapseEntry } from '../../api/types';
import { Panel } from '../../components/Panel';

export function TimelapseList(props: { videos: TimelapseEntry[] }) {
  return (
    <Panel title="Timelapses">
      <ul class="videos">
        {props.videos.map((video) => (
          <li key={video.name} data-testid="timelapse">
            <video controls preload="none" src={video.url} {...(video.thumbnail ? { poster: video.thumbnail } : {})} />
            <a href={video.url} download>
              {video.name}
            </a>
          </li>
        ))}
      </ul>
      {props.videos.length === 0 && <p class="muted">No timelapses yet.</p>}
    </Panel>
  );
}
