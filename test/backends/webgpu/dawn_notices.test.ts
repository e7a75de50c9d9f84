// Dawn prints two notices to stderr whenever it discovers the adapters of a
// Vulkan driver with huge descriptor limits (lavapipe, this machine's), that
// it clamped two limits tmnn never uses. tmnn finds its adapter through the
// native addon's captureStderr and passes on everything else Dawn wrote, so
// a run of tmnn opens with its own output. Each process here is fresh: Dawn
// discovers adapters once per instance.
import { writeSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAddon, type Addon } from '../../../src/backends/native/addon.js';
import { defaultAddonPath } from '../../../src/backends/native/locate.js';
import { withoutClampNotices } from '../../../src/backends/webgpu/dawn_notices.js';
import { runIsolated, runScript } from '../../helpers/isolated.js';

const NOTICE = /artificially reduced/;
const UNIFORM = 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.';
const STORAGE = 'Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.';

/** A snippet in a fresh `node` (Dawn reads XDG_RUNTIME_DIR, and warns without it). */
const node = (script: string) => runScript(script, { XDG_RUNTIME_DIR: '/tmp' }, 30_000);

describe('which lines are dropped', () => {
  it('the two notices of clamped limits, whatever the numbers; every other line is kept, in order', () => {
    const other = 'Warning: something else about maxDynamicUniformBuffersPerPipelineLayout';
    expect(withoutClampNotices(`${UNIFORM}\n${other}\n${STORAGE}\n\nlast\n`)).toBe(`${other}\n\nlast\n`);
    expect(withoutClampNotices(UNIFORM.replace('1000000', '500000'))).toBe('');
    expect(withoutClampNotices('no newline at the end')).toBe('no newline at the end\n');
    expect(withoutClampNotices('')).toBe('');
  });
});

describe('captureStderr (native addon)', () => {
  let addon: Addon;
  beforeAll(async () => {
    addon = await loadAddon();
  });

  it("gives the call's result and what was written to file descriptor 2 while it ran", () => {
    const [value, text] = addon.captureStderr(() => {
      writeSync(2, 'written to fd 2\n');
      return 42;
    });
    expect(value).toBe(42);
    expect(text).toBe('written to fd 2\n');
    // Each capture starts empty.
    expect(addon.captureStderr(() => 'x')).toEqual(['x', '']);
  });

  it('puts stderr back afterwards, and on a throw passes the exception on with what was written', async () => {
    const path = await defaultAddonPath();
    const r = node(`
      import { createRequire } from 'node:module';
      import { writeSync } from 'node:fs';
      const addon = createRequire(import.meta.url)(${JSON.stringify(path)});
      const [, captured] = addon.captureStderr(() => writeSync(2, 'captured\\n'));
      writeSync(2, 'after the capture\\n');
      try {
        addon.captureStderr(() => { writeSync(2, 'before the throw\\n'); throw new RangeError('thrown inside'); });
      } catch (e) {
        writeSync(2, 'caught ' + e.name + ': ' + e.message + '\\n');
      }
      console.log(JSON.stringify(captured));
    `);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toBe('captured\n');
    expect(r.stderr).toBe('after the capture\nbefore the throw\ncaught RangeError: thrown inside\n');
  });
});

describe('finding the adapter', () => {
  it("Dawn on its own prints the notices here (lavapipe reports 1,000,000 dynamic buffers): what the next test's silence is measured against", () => {
    const r = node(`
      import { create } from 'webgpu';
      const adapter = await create([]).requestAdapter();
      console.log(adapter ? 'adapter' : 'none');
    `);
    expect(r.stdout.trim()).toBe('adapter');
    expect(r.stderr).toMatch(NOTICE);
  });

  it('tm.init on webgpu, and the capability report, print none of them', () => {
    const r = runIsolated('webgpu', 'return [tm.backend(), (await tm.capabilities()).gpu.available];');
    expect(r.value, r.stderr).toEqual(['webgpu', true]);
    expect(r.stderr).not.toMatch(NOTICE);
  });
});

describe("in the browser bundle (dawn_notices.browser.ts in dawn_notices.ts's place)", () => {
  it('runs the call as it is: a page has no file descriptors, and its WebGPU is not Dawn in Node', async () => {
    const { quietDawn } = await import('../../../src/backends/webgpu/dawn_notices.browser.js');
    let calls = 0;
    await expect(quietDawn(() => ++calls)).resolves.toBe(1);
    expect(calls).toBe(1);
  });
});
