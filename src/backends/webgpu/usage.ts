// WebGPU's flag values, spelled out: in Node the GPUBufferUsage and
// GPUMapMode globals exist only if the host installs Dawn's globals, and
// tmnn does not touch globalThis. The values are fixed by the WebGPU spec.
export const BufferUsage = {
  MAP_READ: 0x0001,
  COPY_SRC: 0x0004,
  COPY_DST: 0x0008,
  UNIFORM: 0x0040,
  STORAGE: 0x0080,
} as const;

export const MAP_READ = 0x0001;
