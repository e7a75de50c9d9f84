import { TmnnError } from '../errors.js';

/** A model or tensor file that is truncated, corrupt or not what it claims to be. */
export class CorruptFileError extends TmnnError {
  override name = 'CorruptFileError';
}
