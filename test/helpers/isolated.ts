// Runs a snippet against tmnn in a separate Node process, for cases that have
// crashed a backend's native code: a crash there fails one test instead of
// taking down the test file's worker (and every test after it).
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
// Inside the package (so the native addon is found from the bundle's location), and git-ignored.
const OUT_DIR = `${ROOT}node_modules/.cache/tmnn-test`;
let bundle: string | undefined;

/** tmnn's current sources bundled for a plain `node` (built once per test file). */
export function tmnnBundle(): string {
  if (!bundle) {
    mkdirSync(OUT_DIR, { recursive: true });
    bundle = `${OUT_DIR}/index-${process.pid}.js`;
    buildSync({ entryPoints: [`${ROOT}src/index.ts`], outfile: bundle, bundle: true, format: 'esm', platform: 'node', packages: 'external', logLevel: 'error', loader: { '.wgsl': 'text' } });
  }
  return bundle;
}

export interface IsolatedResult {
  /** The last line the snippet printed, parsed as JSON; undefined if the process died first. */
  value: unknown;
  status: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs `body` (an async function body that may use `tm` and returns a
 * JSON-serialisable value) with `backend` active (null: none initialised), in
 * a fresh process with `env` added to the environment.
 */
export function runIsolated(backend: string | null, body: string, env: Record<string, string> = {}): IsolatedResult {
  const script = `
    import * as tm from ${JSON.stringify(tmnnBundle())};
    ${backend ? `await tm.init({ backend: ${JSON.stringify(backend)} });` : ''}
    const value = await (async () => { ${body} })();
    console.log(JSON.stringify(value));
  `;
  const r = runScript(script, env);
  const last = r.stdout.trim().split('\n').pop();
  let value: unknown;
  try {
    value = r.status === 0 && last ? JSON.parse(last) : undefined;
  } catch {
    value = undefined;
  }
  return { value, status: r.status, signal: r.signal, stderr: r.stderr };
}

/** An ES module `script` run by a fresh `node` in the package root, with `env` added to the environment. */
export function runScript(script: string, env: Record<string, string> = {}, timeout = 20_000): { stdout: string; stderr: string; status: number | null; signal: NodeJS.Signals | null } {
  // The child's bundle loads shaders as plain text (esbuild's buildSync takes no plugins), noting no bindings.
  const childEnv = { ...process.env, TMNN_TEST_NOTED_BINDINGS: '', ...env };
  const [command, args] = nodeCommand(['--input-type=module', '-e', script]);
  return spawnSync(command, args, { encoding: 'utf8', cwd: ROOT, timeout, env: childEnv });
}

/**
 * `node` with `args`, started the way this process was: where the suite runs
 * under another system's dynamic loader (second_adapter.test.ts runs the
 * webgpu suites on Mesa 26 so), TMNN_TEST_NODE holds that command as a JSON
 * array (loader, its options, node), and a child must load the same driver.
 */
export function nodeCommand(args: readonly string[]): [string, string[]] {
  const command = process.env.TMNN_TEST_NODE ? (JSON.parse(process.env.TMNN_TEST_NODE) as string[]) : [process.execPath];
  return [command[0], [...command.slice(1), ...args]];
}
