// The top bar: the pages, the printer's state, whether live data flows, the sound on finish, the
// theme and the user.
import { Icon } from '../components/Icon';
import { soundOnFinish, toggleSound } from '../stores/alerts';
import { streamStatus } from '../stores/events';
import { stateText } from '../stores/printer';
import { logOut, user } from '../stores/session';
import { attempt } from '../stores/notices';
import { currentPage, navigate, pages } from './router';
import { cycleTheme, theme } from './theme';

export function Header() {
  return (
    <header class="topbar">
      <span class="brand">strata</span>
      <nav aria-label="Pages">
        {pages.map((entry) => (
          <a
            key={entry.page}
            href={entry.path}
            aria-current={currentPage.value === entry.page || (entry.page === 'files' && currentPage.value === 'file') ? 'page' : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate(entry.page);
            }}
          >
            {entry.title}
          </a>
        ))}
      </nav>
      <span class="state" data-testid="printer-state">
        {stateText.value}
      </span>
      {streamStatus.value === 'reconnecting' && (
        <span class="badge warn" role="status" data-testid="reconnecting">
          reconnecting…
        </span>
      )}
      <button type="button" class="ghost" onClick={toggleSound} aria-pressed={soundOnFinish.value} aria-label="Sound when a print ends" title="Sound when a print ends">
        <Icon name={soundOnFinish.value ? 'bell' : 'bellOff'} />
      </button>
      <button type="button" class="ghost" onClick={cycleTheme} aria-label={`Theme: ${theme.value}`} title={`Theme: ${theme.value}`}>
        {theme.value === 'dark' ? '☾' : theme.value === 'light' ? '☀' : '◐'}
      </button>
      <span class="user">{user.value?.name}</span>
      <button type="button" class="ghost" onClick={() => void attempt('Log out', logOut)}>
        Log out
      </button>
    </header>
  );
}
