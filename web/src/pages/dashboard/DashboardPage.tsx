// The dashboard: connection, the job, temperatures and the printhead controls.
import { ConnectionPanel } from './ConnectionPanel';
import { ControlsPanel } from './ControlsPanel';
import { JobPanel } from './JobPanel';
import { TemperaturePanel } from './TemperaturePanel';

export function DashboardPage() {
  return (
    <div class="dashboard">
      <ConnectionPanel />
      <JobPanel />
      <TemperaturePanel />
      <ControlsPanel />
    </div>
  );
}
