// The files: search and sort, each file's facts and its preparing state, print, download and
// delete; uploads by picker (several at once) or by dropping anywhere on the page.
import { useEffect, useState } from 'preact/hooks';

import { api } from '../../api/api';
import type { FileEntry } from '../../api/types';
import { Panel } from '../../components/Panel';
import { files, refreshFiles } from '../../stores/files';
import { formatDuration } from '../../stores/job';
import { attempt } from '../../stores/notices';
import { flags } from '../../stores/printer';
import { canOperate } from '../../stores/session';
import { UploadBar } from './UploadBar';

type SortKey = 'name' | 'date' | 'size';

const formatSize = (bytes: number | undefined): string => {
  if (bytes === undefined) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
};

const formatDate = (unix_s: number | undefined): string =>
  unix_s === undefined ? '–' : new Date(unix_s * 1000).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

function stateOf(file: FileEntry): string {
  const state = file.strata?.state ?? 'ready';
  if (state === 'analyzing' || state === 'stored') {
    const progress = file.gcodeAnalysis?.progress;
    return progress === undefined ? 'preparing' : `preparing ${Math.round(progress * 100)} %`;
  }
  return state;
}

function sorted(list: FileEntry[], key: SortKey, filter: string): FileEntry[] {
  const wanted = filter.trim().toLowerCase();
  return list
    .filter((file) => !wanted || file.path.toLowerCase().includes(wanted))
    .sort((a, b) => {
      if (key === 'date') return (b.date ?? 0) - (a.date ?? 0);
      if (key === 'size') return (b.size ?? 0) - (a.size ?? 0);
      return a.path.localeCompare(b.path);
    });
}

function FileRow(props: { file: FileEntry }) {
  const { file } = props;
  const state = stateOf(file);
  const ready = file.strata?.state === 'ready';
  const printable = canOperate.value && ready && flags.value.ready;
  const remove = () => {
    if (window.confirm(`Delete ${file.path}?`))
      void attempt('Delete', async () => {
        await api.deleteFile(file.path);
        await refreshFiles();
      });
  };
  return (
    <tr data-testid="file-row" data-path={file.path}>
      <td class="thumb-cell">
        {file.thumbnail && <img class="thumb" src={`/${file.thumbnail}`} alt="" loading="lazy" data-testid="file-thumbnail" />}
      </td>
      <td class="file-name">{file.path}</td>
      <td>{formatSize(file.size)}</td>
      <td>{formatDate(file.date)}</td>
      <td>{formatDuration(file.gcodeAnalysis?.estimatedPrintTime)}</td>
      <td>{file.strata?.snapshots ?? '–'}</td>
      <td data-testid="file-state" title={file.strata?.error ?? ''} class={state === 'failed' ? 'error' : ''}>
        {state}
        {file.strata?.error ? `: ${file.strata.error}` : ''}
      </td>
      <td class="actions">
        {canOperate.value && (
          <button type="button" disabled={!printable} onClick={() => void attempt('Print', () => api.printFile(file.path))}>
            Print
          </button>
        )}
        <a class="button ghost" href={api.downloadUrl(file.path)} download>
          Download
        </a>
        {canOperate.value && (
          <button type="button" class="ghost danger" onClick={remove}>
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

export function FilesPage() {
  const [sortKey, setSortKey] = useState<SortKey>('date');
  const [filter, setFilter] = useState('');
  useEffect(() => void refreshFiles(), []);
  const shown = sorted(files.value, sortKey, filter);
  return (
    <Panel title="Files">
      <div class="row">
        <input type="search" placeholder="Search" aria-label="Search files" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <label>
          Sort
          <select value={sortKey} onChange={(e) => setSortKey(e.currentTarget.value as SortKey)}>
            <option value="date">newest</option>
            <option value="name">name</option>
            <option value="size">size</option>
          </select>
        </label>
      </div>
      {canOperate.value && <UploadBar />}
      <div class="table-scroll">
        <table class="files">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">Thumbnail</span>
              </th>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Uploaded</th>
              <th scope="col">Estimate</th>
              <th scope="col">Snapshots</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((file) => (
              <FileRow key={file.path} file={file} />
            ))}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && <p class="muted">No files{filter ? ' match' : ' yet: upload one, or drop it here'}.</p>}
    </Panel>
  );
}
