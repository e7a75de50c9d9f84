// Shaders in shaders/*.wgsl are imported as text: esbuild's text loader in the
// build, a small plugin in vitest.config.ts for the tests.
declare module '*.wgsl' {
  const source: string;
  export default source;
}

// wgsl_reflect's ESM build (its `main` is CommonJS-only); the types are the package's own.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
