// A folder in the list: opens on click; deleting it deletes the files in it, after asking.
import { api } from '../../api/api';
import { Icon } from '../../components/Icon';
import { currentFolder, refreshFiles } from '../../stores/files';
import { attempt } from '../../stores/notices';
import { canOperate } from '../../stores/session';

export function FolderRow(props: { path: string; name: string; count: number; columns: number }) {
  const remove = () => {
    if (window.confirm(`Delete the folder ${props.path} and the ${props.count} files in it?`))
      void attempt('Delete folder', async () => {
        await api.deleteFile(props.path);
        await refreshFiles();
      });
  };
  return (
    <tr data-testid="folder-row" data-path={props.path} class="folder-row">
      {canOperate.value && <td class="pick-cell" />}
      <td class="thumb-cell">
        <Icon name="folder" />
      </td>
      <td class="file-name" colSpan={props.columns}>
        <button type="button" class="link" onClick={() => (currentFolder.value = props.path)}>
          {props.name}/
        </button>
        <span class="muted"> {props.count} {props.count === 1 ? 'file' : 'files'}</span>
      </td>
      <td class="actions">
        {canOperate.value && (
          <button type="button" class="ghost danger" onClick={remove} aria-label={`Delete folder ${props.path}`}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}
