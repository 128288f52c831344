// One file in the list: a box to pick it for a bulk action, its thumbnail and name (opening its
// detail page), its facts and preparing state, and print, load, download and delete.
import { api } from '../../api/api';
import type { FileEntry } from '../../api/types';
import { fileAddress, showFile } from '../../app/router';
import { refreshFiles } from '../../stores/files';
import { formatDuration, refreshJob } from '../../stores/job';
import { attempt } from '../../stores/notices';
import { flags } from '../../stores/printer';
import { canOperate } from '../../stores/session';
import { formatDate, formatFilament, formatSize, stateOf } from './format';

export function deleteFile(path: string): void {
  if (window.confirm(`Delete ${path}?`))
    void attempt('Delete', async () => {
      await api.deleteFile(path);
      await refreshFiles();
    });
}

export function FileActions(props: { file: FileEntry }) {
  const { file } = props;
  const printable = canOperate.value && file.strata?.state === 'ready' && flags.value.ready;
  return (
    <>
      {canOperate.value && (
        <button type="button" disabled={!printable} onClick={() => void attempt('Print', () => api.printFile(file.path))}>
          Print
        </button>
      )}
      {canOperate.value && (
        <button
          type="button"
          class="ghost"
          disabled={!printable}
          onClick={() => void attempt('Load', async () => { await api.selectFile(file.path); await refreshJob(); })}
        >
          Load
        </button>
      )}
      <a class="button ghost" href={api.downloadUrl(file.path)} download>
        Download
      </a>
      {canOperate.value && (
        <button type="button" class="ghost danger" onClick={() => deleteFile(file.path)}>
          Delete
        </button>
      )}
    </>
  );
}

export function FileRow(props: { file: FileEntry; shownName: string; picked: boolean; onPick: (picked: boolean) => void }) {
  const { file } = props;
  const state = stateOf(file);
  return (
    <tr data-testid="file-row" data-path={file.path}>
      {canOperate.value && (
        <td class="pick-cell">
          <input type="checkbox" checked={props.picked} aria-label={`Pick ${file.path}`} onChange={(e) => props.onPick(e.currentTarget.checked)} />
        </td>
      )}
      <td class="thumb-cell">
        {file.thumbnail && <img class="thumb" src={`/${file.thumbnail}`} alt="" loading="lazy" data-testid="file-thumbnail" />}
      </td>
      <td class="file-name">
        <a
          href={fileAddress(file.path)}
          onClick={(event) => {
            event.preventDefault();
            showFile(file.path);
          }}
        >
          {props.shownName}
        </a>
      </td>
      <td data-label="Size">{formatSize(file.size)}</td>
      <td data-label="Uploaded">{formatDate(file.date)}</td>
      <td data-label="Estimate">{formatDuration(file.gcodeAnalysis?.estimatedPrintTime)}</td>
      <td data-label="Filament">{formatFilament(file)}</td>
      <td data-label="Layers">{file.gcodeAnalysis?.strata?.layers ?? '–'}</td>
      <td data-label="Snapshots">{file.strata?.snapshots ?? '–'}</td>
      <td data-testid="file-state" title={file.strata?.error ?? ''} class={state === 'failed' ? 'error' : ''}>
        {state}
        {file.strata?.error ? `: ${file.strata.error}` : ''}
      </td>
      <td class="actions">
        <FileActions file={file} />
      </td>
    </tr>
  );
}
