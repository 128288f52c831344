// Where in the folders the list is: each folder on the way a button back to it, and a new
// folder (which exists once a file is uploaded into it).
import { currentFolder } from '../../stores/files';
import { notify } from '../../stores/notices';
import { canOperate } from '../../stores/session';

function newFolder(): void {
  const name = window.prompt('Name of the new folder')?.trim();
  if (!name) return;
  if (name.includes('/') || name === '.' || name === '..') {
    notify('error', 'A folder name may not contain "/" or be "." or ".."');
    return;
  }
  currentFolder.value = currentFolder.value ? `${currentFolder.value}/${name}` : name;
}

export function FolderPath() {
  const parts = currentFolder.value ? currentFolder.value.split('/') : [];
  return (
    <nav class="row folder-path" aria-label="Folder">
      <button type="button" class="link" onClick={() => (currentFolder.value = '')} aria-current={parts.length === 0 ? 'location' : undefined}>
        All files
      </button>
      {parts.map((part, index) => (
        <span key={index}>
          {' / '}
          <button
            type="button"
            class="link"
            aria-current={index === parts.length - 1 ? 'location' : undefined}
            onClick={() => (currentFolder.value = parts.slice(0, index + 1).join('/'))}
          >
            {part}
          </button>
        </span>
      ))}
      {canOperate.value && (
        <button type="button" class="ghost" onClick={newFolder}>
          New folder
        </button>
      )}
    </nav>
  );
}
