// NumPy's .npz archives (np.savez, np.savez_compressed): a ZIP file of .npy
// members, one per named array. The ZIP container (ZIP64 included, which
// NumPy forces on every member) is fflate's; each member is an .npy file
// (npy.ts).
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { ValueError, formatValue } from '../errors.js';
import { CorruptFileError } from './errors.js';
import { decodeNpy, encodeNpy, type NpyArray } from './npy.js';

export interface EncodeNpzOptions {
  /** Deflate the members, as np.savez_compressed; default false (stored, as np.savez). */
  compress?: boolean;
}

/** The .npz bytes of named arrays, each member `<name>.npy`, in the order given. */
export function encodeNpz(arrays: Readonly<Record<string, NpyArray>>, options: EncodeNpzOptions = {}): Uint8Array {
  const members: Zippable = {};
  for (const [name, array] of Object.entries(arrays)) {
    if (name === '' || name.includes('/') || name.includes('\\')) throw new ValueError(`encodeNpz: ${formatValue(name)} is not a name for an array (non-empty, no slashes)`);
    members[`${name}.npy`] = encodeNpy(array);
  }
  // A fixed time stamp: the same arrays give the same bytes. (ZIP's earliest, 1980-01-01.)
  return zipSync(members, { level: options.compress ? 6 : 0, mtime: new Date(1980, 0, 1) });
}

/** The named arrays in .npz bytes (the `.npy` dropped from each member's name, as np.load's keys). */
export function decodeNpz(bytes: Uint8Array): Record<string, NpyArray> {
  if (!(bytes instanceof Uint8Array)) throw new ValueError('decodeNpz: bytes must be a Uint8Array');
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes);
  } catch (err) {
    throw new CorruptFileError(`npz: not a readable ZIP archive (${(err as Error).message})`);
  }
  const out: Record<string, NpyArray> = {};
  for (const [member, data] of Object.entries(members)) {
    if (member.endsWith('/')) continue; // a folder entry holds nothing
    if (!member.endsWith('.npy')) throw new CorruptFileError(`npz: member ${formatValue(member)} is not an .npy array`);
    try {
      out[member.slice(0, -4)] = decodeNpy(data);
    } catch (err) {
      if (err instanceof Error) err.message = err.message.replace(/^npy: /, `npz: ${member}: `);
      throw err;
    }
  }
  return out;
}
