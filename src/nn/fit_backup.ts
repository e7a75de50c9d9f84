// fit's backup to a file (Keras's BackupAndRestore): at each epoch's end,
// all a run needs to go on — the model, the optimizer, the schedule,
// setSeed's sequence and a Dataset's shuffles (a training checkpoint,
// training_state.ts), and fit's own place: the epoch, its shuffle seed,
// early stopping's count, the loss scale and the history so far. A fit given a backup whose
// file exists starts from it, so a run killed mid-way and started again with
// the same call ends as the unbroken run would have. A class the caller
// makes, not a path fit resolves: a page that never backs up never
// downloads the checkpoint code.
import { ValueError, formatValue } from '../errors.js';
import { CorruptFileError } from '../io/errors.js';
import { fileExists, readFileBytes, removeFile } from '../io/file.js';
import { isRecord } from '../optim/state.js';
import type { FitBackup, FitPlace } from './fit.js';
import { loadTrainingState, saveTrainingState, trainingStateExtra, type JsonValue, type TrainingStateParts } from './training_state.js';

export class BackupAndRestore implements FitBackup {
  /** A backup at `path` (Node: a page has no file system; checkpoint with tm.nn.trainingStateToBytes in onEpochEnd there). */
  constructor(readonly path: string | URL) {
    if (!(path instanceof URL) && (typeof path !== 'string' || path === '')) throw new ValueError(`BackupAndRestore: path must be a file path (a non-empty string or a file: URL), got ${formatValue(path)}`);
  }

  /** The backup loaded into `parts`, and fit's place in it; null where there is no file (a run from the start). */
  async read(parts: TrainingStateParts): Promise<FitPlace | null> {
    if (!(await fileExists(this.path))) return null;
    // Checked before loading, which changes the parts: a file that is not fit's backup (a checkpoint of the user's own, say) is refused as it is.
    const bytes = await readFileBytes(this.path);
    const place = (trainingStateExtra(bytes) as { fit?: unknown } | undefined)?.fit;
    if (!isPlace(place)) throw new CorruptFileError(`fit: the backup ${String(this.path)} is not one fit wrote (it holds no place in training); remove it or give another path`);
    await loadTrainingState(bytes, { ...parts, random: true });
    return place;
  }

  /** Writes the backup after an epoch, atomically: a run killed while it writes resumes from the epoch before. */
  async write(parts: TrainingStateParts, place: FitPlace): Promise<void> {
    await saveTrainingState(this.path, { ...parts, random: true, extra: { fit: place as unknown as JsonValue } });
  }

  /** Removes the file once training has ended, as Keras does: the next fit with it starts afresh. */
  async remove(): Promise<void> {
    await removeFile(this.path);
  }
}

function isPlace(v: unknown): v is FitPlace {
  return (
    isRecord(v) &&
    Number.isSafeInteger(v.epoch) &&
    (v.epoch as number) >= 0 &&
    (v.seed === null || Number.isInteger(v.seed)) &&
    (v.stopper === null || (isRecord(v.stopper) && typeof v.stopper.best === 'number' && Number.isSafeInteger(v.stopper.since))) &&
    (v.scaler === null || (isRecord(v.scaler) && typeof v.scaler.scale === 'number' && v.scaler.scale > 0 && Number.isSafeInteger(v.scaler.good))) &&
    Array.isArray(v.history)
  );
}
