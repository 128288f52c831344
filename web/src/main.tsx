// The app's entry: styles, then the shell into #app.
import './styles/app.css';

import { render } from 'preact';

import { App } from './app/App';

const root = document.getElementById('app');
if (root) render(<App />, root);
