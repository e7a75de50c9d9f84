// torchaudio 0.13's results on fixed random waveforms
// (scripts/make-signal-fixtures.py), read afresh on the active backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tm from '../../src/index.js';

const bytes = new Uint8Array(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'signal', 'torchaudio.npz')));

/** The fixture's arrays as tensors on the active backend (call after tm.init). */
export function torchaudio(): Record<string, tm.Tensor> {
  return tm.fromNpz(bytes);
}
