// The notices (toasts) in a corner; a screen reader hears each as it comes.
import { dismiss, notices } from '../stores/notices';

export function Notices() {
  return (
    <div class="notices" role="status" aria-live="polite">
      {notices.value.map((notice) => (
        <div key={notice.id} class={`notice ${notice.kind}`} data-testid="notice">
          <span>{notice.text}</span>
          <button type="button" class="ghost" aria-label="Dismiss" onClick={() => dismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
