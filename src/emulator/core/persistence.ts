import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EmulatorState } from './types';

export function loadState(state: EmulatorState, file: string): void {
  if (!existsSync(file)) return;
  state.restore(JSON.parse(readFileSync(file, 'utf8')));
}

/** Atomic: a crash mid-write leaves the previous file intact. */
export function saveState(state: EmulatorState, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state.snapshot()), { mode: 0o600 });
  renameSync(tmp, file);
}
