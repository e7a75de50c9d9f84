// Where the built addon lives: fallback/build/Release/tmnn_native.node under
// the package root. This module runs from src/ (tests), from dist/ (the
// bundle) or from node_modules/tmnn/dist/, so the root is found by walking up
// to the nearest package.json that names tmnn.
const ADDON = ['fallback', 'build', 'Release', 'tmnn_native.node'];

export async function packageRoot(from?: string): Promise<string> {
  const { dirname, join } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const { readFileSync } = await import('node:fs');
  const start = from ?? dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === 'tmnn') return dir;
    } catch {
      // no (readable) package.json here: keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`native addon: no package.json named tmnn above ${start}`);
  }
}

export async function defaultAddonPath(): Promise<string> {
  const { join } = await import('node:path');
  return join(await packageRoot(), ...ADDON);
}
