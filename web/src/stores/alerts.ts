// Alerts beyond the in-page notices, each one chosen by the user in this browser: a sound when
// a print ends, and the system's notifications (which browsers offer only to a secure context:
// HTTPS or localhost) while the tab is in the background.
import { signal } from '@preact/signals';

const soundKey = 'strata.sound';
export const soundOnFinish = signal(localStorage.getItem(soundKey) === '1');
export const systemNotifications = signal(
  window.isSecureContext && 'Notification' in window && Notification.permission === 'granted',
);

// Made on the click that turns the sound on: browsers let a page play sound only after a
// gesture, and a context made then stays allowed.
let audio: AudioContext | null = null;

function tone(context: AudioContext, frequency_hz: number, start_s: number): void {
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.frequency.value = frequency_hz;
  gain.gain.setValueAtTime(0.2, context.currentTime + start_s);
  gain.gain.exponentialRampToValueAtTime(0.001, context.currentTime + start_s + 0.35);
  oscillator.connect(gain).connect(context.destination);
  oscillator.start(context.currentTime + start_s);
  oscillator.stop(context.currentTime + start_s + 0.4);
}

export function toggleSound(): void {
  soundOnFinish.value = !soundOnFinish.value;
  localStorage.setItem(soundKey, soundOnFinish.value ? '1' : '0');
  if (soundOnFinish.value) {
    audio ??= new AudioContext();
    void audio.resume();
    if (window.isSecureContext && 'Notification' in window && Notification.permission === 'default')
      void Notification.requestPermission().then((answer) => (systemNotifications.value = answer === 'granted'));
  }
}

/** A print ended: two rising tones if the user asked for sound, and a system notification
 * when the page is hidden and they allowed those. */
export function alertFinish(text: string): void {
  if (soundOnFinish.value) {
    audio ??= new AudioContext();
    tone(audio, 660, 0);
    tone(audio, 880, 0.4);
  }
  if (systemNotifications.value && document.hidden) new Notification('strata', { body: text });
}
