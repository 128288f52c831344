// The upload picker (several files at once) and each upload's progress bar with its cancel.
import { uploadFiles, uploads } from '../../stores/files';

export function UploadBar() {
  return (
    <div class="uploads">
      <label class="button">
        Upload…
        <input
          type="file"
          multiple
          accept=".gcode,.gco,.g,.bgcode"
          class="visually-hidden"
          data-testid="upload-input"
          onChange={(event) => {
            const input = event.currentTarget;
            const chosen = Array.from(input.files ?? []);
            input.value = '';
            if (chosen.length > 0) void uploadFiles(chosen);
          }}
        />
      </label>
      {uploads.value.map((item) => (
        <div key={item.id} class="upload" data-testid="upload-progress">
          <span>{item.name}</span>
          <progress max={1} value={item.fraction} aria-label={`Uploading ${item.name}`} />
          <button type="button" class="ghost" onClick={item.cancel}>
            Cancel
          </button>
        </div>
      ))}
    </div>
  );
}
