// The webgpu part of the bench on its own, for a machine that has a GPU but
// no Node.js project around it: scripts/device-kit.sh bundles this file with
// everything it imports (tfjs-webgpu included) but Dawn's native module, and
// runs it there. First the kernels are checked against the js backend on
// that adapter (check.ts), then timed; the exit status says whether every
// check passed. Last, the framework's cost per training step of a tiny MLP
// next to tfjs-webgpu's (step_overhead.ts), which a fast GPU leaves exposed,
// and MLP training throughput next to tfjs-webgpu's (training.ts).
import { webgpuCheck } from './check.js';
import { webgpuSection } from './matmul.js';
import { webgpuStepTable } from '../step_overhead.js';
import { webgpuTrainingTable } from './training.js';

console.log(`tmnn webgpu check and bench · ${new Date().toISOString()} · node ${process.version}`);
const failed = await webgpuCheck();
await webgpuSection();
await webgpuStepTable();
await webgpuTrainingTable();
process.exit(failed ? 1 : 0);
