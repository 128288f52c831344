// The dashboard: connection, the job, temperatures, the printhead controls and the command
// buttons.
import { CommandButtonsPanel } from './CommandButtonsPanel';
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
      <CommandButtonsPanel />
    </div>
  );
}
