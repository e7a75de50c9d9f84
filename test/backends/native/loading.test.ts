// A machine without the built addon: tm.init() passes native over, says why
// and how to fix it, and runs on js; once the addon is there again, the next
// load finds it (a failure is not cached). Its own file, so that no other
// test has loaded the addon in this module graph first.
import { afterAll, describe, expect, it } from 'vitest';

const saved = process.env.TMNN_NATIVE_ADDON;
process.env.TMNN_NATIVE_ADDON = '/nonexistent/tmnn_native.node';

afterAll(() => {
  if (saved === undefined) delete process.env.TMNN_NATIVE_ADDON;
  else process.env.TMNN_NATIVE_ADDON = saved;
});

describe('without the addon', () => {
  it('tm.init() runs on js and names the fix; forcing native fails with it; a later load succeeds', async () => {
    const tm = await import('../../../src/index.js');
    const { loadAddon } = await import('../../../src/backends/native/addon.js');
    expect(await tm.init({ backend: undefined })).not.toBe('native');
    const passed = tm.backendSelection().passedOver.find((p) => p.name === 'native');
    expect(passed?.why).toMatch(/^native addon not built: run `npm run build:native` \(needs g\+\+, python3 and libopenblas-dev: apt-get install libopenblas-dev pkg-config\); no file at \/nonexistent\/tmnn_native\.node$/);
    await expect(tm.init({ backend: 'native' })).rejects.toThrow(/native addon not built/);
    delete process.env.TMNN_NATIVE_ADDON;
    await expect(loadAddon()).resolves.toHaveProperty('matmul');
    expect(await tm.init({ backend: 'native' })).toBe('native');
  });
});
