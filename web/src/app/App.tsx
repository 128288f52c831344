// The shell: the login form until someone is logged in, then the navigation, the current page
// and the notices. The event stream and the temperature poll run while someone is logged in.
import { useEffect } from 'preact/hooks';

import { DropZone } from '../components/DropZone';
import { Notices } from '../components/Notices';
import { DashboardPage } from '../pages/dashboard/DashboardPage';
import { FileDetailPage } from '../pages/files/FileDetailPage';
import { FilesPage } from '../pages/files/FilesPage';
import { HistoryPage } from '../pages/history/HistoryPage';
import { LoginPage } from '../pages/login/LoginPage';
import { TerminalPage } from '../pages/terminal/TerminalPage';
import { startLiveData, stopLiveData } from '../stores/live';
import { notify } from '../stores/notices';
import { canOperate, resumeSession, user } from '../stores/session';
import { Header } from './Header';
import { currentPage } from './router';
import { useTitle } from './useTitle';

function CurrentPage() {
  switch (currentPage.value) {
    case 'files':
      return <FilesPage />;
    case 'file':
      return <FileDetailPage />;
    case 'terminal':
      return <TerminalPage />;
    case 'history':
      return <HistoryPage />;
    default:
      return <DashboardPage />;
  }
}

export function App() {
  const loggedIn = Boolean(user.value);
  useEffect(() => {
    resumeSession().catch((error: unknown) => notify('error', `The server did not answer: ${String(error)}`));
  }, []);
  useEffect(() => {
    if (!loggedIn) return undefined;
    startLiveData();
    return stopLiveData;
  }, [loggedIn]);
  useTitle();

  if (user.value === undefined) return <main class="loading" aria-busy="true" />;
  if (user.value === null)
    return (
      <>
        <LoginPage />
        <Notices />
      </>
    );
  return (
    <>
      <Header />
      <main class="page">
        <CurrentPage />
      </main>
      {canOperate.value && <DropZone />}
      <Notices />
    </>
  );
}
