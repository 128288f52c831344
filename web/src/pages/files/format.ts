// How the files pages write sizes, dates, filament and a file's preparing state.
import type { FileEntry } from '../../api/types';

export const formatSize = (bytes: number | undefined): string => {
  if (bytes === undefined) return '–';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
};

export const formatDate = (unix_s: number | undefined): string =>
  unix_s === undefined ? '–' : new Date(unix_s * 1000).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });

/** All tools' filament in metres ("2.41 m"), or '–' before the analysis. */
export function formatFilament(file: FileEntry): string {
  const tools = Object.values(file.gcodeAnalysis?.filament ?? {});
  if (tools.length === 0) return '–';
  const length_mm = tools.reduce((sum, tool) => sum + (tool.length ?? 0), 0);
  return `${(length_mm / 1000).toFixed(2)} m`;
}

export function stateOf(file: FileEntry): string {
  const state = file.strata?.state ?? 'ready';
  if (state === 'analyzing' || state === 'stored') {
    const progress = file.gcodeAnalysis?.progress;
    return progress === undefined ? 'preparing' : `preparing ${Math.round(progress * 100)} %`;
  }
  return state;
}
