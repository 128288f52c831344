// Files dropped anywhere on the page are uploaded into the folder the files page shows; an
// overlay says where they will go.
import { useEffect, useState } from 'preact/hooks';

import { currentFolder, uploadFiles } from '../stores/files';

export function DropZone() {
  const [over, setOver] = useState(false);
  useEffect(() => {
    let depth = 0;
    const hasFiles = (event: DragEvent) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
    const enter = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      depth += 1;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setOver(false);
    };
    const overHandler = (event: DragEvent) => {
      if (hasFiles(event)) event.preventDefault();
    };
    const drop = (event: DragEvent) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      depth = 0;
      setOver(false);
      const chosen = Array.from(event.dataTransfer?.files ?? []);
      if (chosen.length > 0) void uploadFiles(chosen);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overHandler);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overHandler);
      window.removeEventListener('drop', drop);
    };
  }, []);
  if (!over) return null;
  return (
    <div class="drop-overlay" data-testid="drop-overlay">
      {currentFolder.value ? `Drop to upload into ${currentFolder.value}` : 'Drop to upload'}
    </div>
  );
}
