import { mount } from 'svelte';
import App from './App.svelte';
import Kiosk from './kiosk/Kiosk.svelte';
import { api } from './lib/api';
import { kiosk } from './kiosk/kiosk.svelte';
import './app.css';

const target = document.getElementById('app');
if (!target) throw new Error('index.html lost its #app element');
const root = target;

// A kiosk gets the self-service root only: the box-office screens are never mounted there.
void api
  .appInfo()
  .catch(() => null)
  .then((info) => {
    if (info?.deviceKind === 'kiosk') {
      kiosk.homeLang = info.language === 'fr' ? 'fr' : 'en';
      kiosk.lang = kiosk.homeLang;
      mount(Kiosk, { target: root });
    } else {
      mount(App, { target: root });
    }
  });
