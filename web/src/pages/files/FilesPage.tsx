// The files: the folder being looked at (or, while searching, every file that matches), sorted;
// each file's facts and preparing state with its actions; several picked for one delete; uploads
// by picker (several at once) or by dropping anywhere on the page, into the folder shown.
import { useEffect, useState } from 'preact/hooks';

import { api } from '../../api/api';
import type { FileEntry } from '../../api/types';
import { Panel } from '../../components/Panel';
import { currentFolder, files, filesIn, refreshFiles, subfoldersOf } from '../../stores/files';
import { attempt } from '../../stores/notices';
import { canOperate } from '../../stores/session';
import { FileRow } from './FileRow';
import { FolderPath } from './FolderPath';
import { FolderRow } from './FolderRow';
import { UploadBar } from './UploadBar';

type SortKey = 'name' | 'date' | 'size' | 'estimate';

function sorted(list: FileEntry[], key: SortKey): FileEntry[] {
  return [...list].sort((a, b) => {
    if (key === 'date') return (b.date ?? 0) - (a.date ?? 0);
    if (key === 'size') return (b.size ?? 0) - (a.size ?? 0);
    if (key === 'estimate') return (b.gcodeAnalysis?.estimatedPrintTime ?? 0) - (a.gcodeAnalysis?.estimatedPrintTime ?? 0);
    return a.path.localeCompare(b.path);
  });
}

function deletePicked(paths: string[], done: () => void): void {
  if (!window.confirm(`Delete ${paths.length} ${paths.length === 1 ? 'file' : 'files'}?`)) return;
  void attempt('Delete', async () => {
    for (const path of paths) await api.deleteFile(path);
  }).then(async () => {
    done();
    await refreshFiles();
  });
}

function Toolbar(props: { sortKey: SortKey; setSortKey: (key: SortKey) => void; filter: string; setFilter: (text: string) => void }) {
  return (
    <div class="row">
      <input type="search" placeholder="Search all folders" aria-label="Search files" value={props.filter} onInput={(e) => props.setFilter(e.currentTarget.value)} />
      <label>
        Sort
        <select value={props.sortKey} onChange={(e) => props.setSortKey(e.currentTarget.value as SortKey)}>
          <option value="date">newest</option>
          <option value="name">name</option>
          <option value="size">size</option>
          <option value="estimate">print time</option>
        </select>
      </label>
    </div>
  );
}

export function FilesPage() {
  const [sortKey, setSortKey] = useState<SortKey>('date');
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => void refreshFiles(), []);
  const folder = currentFolder.value;
  const wanted = filter.trim().toLowerCase();
  const searching = wanted !== '';
  const shown = sorted(searching ? files.value.filter((file) => file.path.toLowerCase().includes(wanted)) : filesIn(files.value, folder), sortKey);
  const folders = searching ? [] : subfoldersOf(files.value, folder);
  const pickedShown = shown.filter((file) => picked.has(file.path)).map((file) => file.path);
  const pick = (path: string, on: boolean) => {
    const next = new Set(picked);
    if (on) next.add(path);
    else next.delete(path);
    setPicked(next);
  };
  const prefix = folder ? `${folder}/` : '';
  return (
    <Panel title="Files">
      <Toolbar sortKey={sortKey} setSortKey={setSortKey} filter={filter} setFilter={setFilter} />
      {!searching && <FolderPath />}
      {canOperate.value && <UploadBar />}
      {canOperate.value && pickedShown.length > 0 && (
        <div class="row">
          <span>{pickedShown.length} picked</span>
          <button type="button" class="danger" onClick={() => deletePicked(pickedShown, () => setPicked(new Set()))}>
            Delete picked
          </button>
          <button type="button" class="ghost" onClick={() => setPicked(new Set())}>
            Clear
          </button>
        </div>
      )}
      <div class="table-scroll">
        <table class="files">
          <thead>
            <tr>
              {canOperate.value && (
                <th scope="col" class="pick-cell">
                  <input
                    type="checkbox"
                    aria-label="Pick all shown"
                    checked={shown.length > 0 && pickedShown.length === shown.length}
                    onChange={(e) => setPicked(new Set(e.currentTarget.checked ? shown.map((file) => file.path) : []))}
                  />
                </th>
              )}
              <th scope="col">
                <span class="visually-hidden">Thumbnail</span>
              </th>
              <th scope="col">Name</th>
              <th scope="col">Size</th>
              <th scope="col">Uploaded</th>
              <th scope="col">Estimate</th>
              <th scope="col">Filament</th>
              <th scope="col">Layers</th>
              <th scope="col">Snapshots</th>
              <th scope="col">State</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {folders.map((entry) => (
              <FolderRow key={entry.path} {...entry} columns={8} />
            ))}
            {shown.map((file) => (
              <FileRow
                key={file.path}
                file={file}
                shownName={searching ? file.path : file.path.slice(prefix.length)}
                picked={picked.has(file.path)}
                onPick={(on) => pick(file.path, on)}
              />
            ))}
          </tbody>
        </table>
      </div>
      {shown.length === 0 && folders.length === 0 && (
        <p class="muted">{searching ? 'No files match.' : folder ? 'This folder is empty: files uploaded now go into it.' : 'No files yet: upload one, or drop it here.'}</p>
      )}
    </Panel>
  );
}
