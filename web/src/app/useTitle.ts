// The browser tab shows the job's progress while one runs ("42% · benchy.gcode"), so a
// background tab still tells how far the print is.
import { useEffect } from 'preact/hooks';

import { job } from '../stores/job';
import { flags } from '../stores/printer';

export function useTitle(): void {
  const completion = job.value?.progress.completion;
  const name = job.value?.job.file.display ?? job.value?.job.file.name;
  const running = flags.value.printing || flags.value.paused || flags.value.pausing;
  const title = running && completion !== null && completion !== undefined && name
    ? `${Math.floor(completion)}% · ${name} · strata`
    : 'strata';
  useEffect(() => {
    document.title = title;
  }, [title]);
}
