// The webgpu section of the bench on its own, for a machine that has a GPU
// but no Node.js project around it: scripts/device-kit.sh bundles this file
// with everything it imports (tfjs-webgpu included) but Dawn's native module,
// and runs it there.
import { webgpuSection } from './matmul.js';

console.log(`tmnn webgpu bench · ${new Date().toISOString()} · node ${process.version}`);
await webgpuSection();
process.exit(0);
