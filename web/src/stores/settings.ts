// What admins set up for everyone: the temperature presets and the custom command buttons.
// Loaded once per session; saving replaces the list with what the server stored.
import { signal } from '@preact/signals';

import { api } from '../api/api';
import type { CustomControl, TemperatureProfile } from '../api/types';

export const temperatureProfiles = signal<TemperatureProfile[]>([]);
export const customControls = signal<CustomControl[]>([]);

export async function loadSettings(): Promise<void> {
  try {
    const [settings, controls] = await Promise.all([api.temperatureProfiles(), api.customControls()]);
    temperatureProfiles.value = settings.temperature.profiles;
    customControls.value = controls.controls;
  } catch {
    // Kept as they were; the next stream start tries again.
  }
}

export async function saveTemperatureProfiles(profiles: TemperatureProfile[]): Promise<void> {
  temperatureProfiles.value = (await api.saveTemperatureProfiles(profiles)).temperature.profiles;
}

export async function saveCustomControls(controls: CustomControl[]): Promise<void> {
  customControls.value = (await api.saveCustomControls(controls)).controls;
}
