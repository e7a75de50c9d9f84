// What Dawn offers on the machine at hand, for the device kit
// (scripts/device-kit.sh): each adapter's info, features and the limits tmnn
// tunes by, asked for once as tmnn asks and once with Dawn's
// allow_unsafe_apis toggle, which is what exposes the experimental
// subgroup-matrix feature (tensor-core products) and its configs. Plain
// JavaScript, since it runs beside the bundled bench with only `webgpu` around.
import { create } from 'webgpu';

const LIMITS = ['maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupStorageSize', 'maxStorageBufferBindingSize', 'maxBufferSize'];

async function probe(label, flags) {
  const gpu = create(flags);
  console.log(`${label}: WGSL language features ${[...gpu.wgslLanguageFeatures].sort().join(', ')}`);
  for (const powerPreference of ['high-performance', 'low-power']) {
    const adapter = await gpu.requestAdapter({ powerPreference });
    if (!adapter) {
      console.log(`${label} [${powerPreference}]: no adapter`);
      continue;
    }
    const { info } = adapter;
    console.log(`${label} [${powerPreference}]: ${info.vendor} · ${info.architecture} · ${info.device} · ${info.description}`);
    console.log(`  subgroup sizes ${info.subgroupMinSize}..${info.subgroupMaxSize}; fallback ${info.isFallbackAdapter}`);
    console.log(`  features: ${[...adapter.features].sort().join(', ')}`);
    console.log(`  limits: ${LIMITS.map((k) => `${k} ${adapter.limits[k]}`).join(', ')}`);
    const configs = info.subgroupMatrixConfigs;
    if (configs) {
      console.log(`  subgroupMatrixConfigs (${configs.length}):`);
      for (const c of configs) console.log(`    ${JSON.stringify(c, ['componentType', 'resultComponentType', 'M', 'N', 'K'])}`);
    } else {
      console.log('  subgroupMatrixConfigs: not listed');
    }
  }
}

await probe('as tmnn asks', ['disable-dawn-features=timestamp_quantization', 'backend=vulkan']);
await probe('allow_unsafe_apis', ['enable-dawn-features=allow_unsafe_apis', 'backend=vulkan']);
process.exit(0);
