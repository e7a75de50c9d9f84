// Kept in step with package.json by scripts/build.mjs (a test checks it).
export const VERSION = '0.1.0';
