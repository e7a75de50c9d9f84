// The `tmnn` command line: `tmnn report [--json]`, `tmnn bench`, `tmnn tune`, `tmnn onnx FILE`, `--help`, `--version`.
import { parseArgs } from 'node:util';
import { capabilities } from '../capabilities/report.js';
import { quickBench } from './bench.js';
import { formatOnnxSummary, onnxSummary } from './onnx.js';
import { tuneWebgpu } from './tune.js';
import { ansi, formatReport, plain } from '../capabilities/format.js';
import { init } from '../selection.js';
import { TmnnError } from '../errors.js';
import { VERSION } from '../version.js';

const HELP = `tmnn ${VERSION}: neural networks on WebGPU, OpenBLAS or plain JS

Usage:
  tmnn report [--json] [--backend NAME]   what this machine offers, and the backend tmnn picks
  tmnn bench                              a few seconds of matmul timing on each backend present
  tmnn tune [--json]                      measure the webgpu kernel choices for this adapter again and
                                          keep them (tmnn measures once per adapter and remembers)
  tmnn onnx FILE [--json] [--backend NAME]
                                          whether tmnn runs an ONNX model (else the ops it lacks), what
                                          it takes and gives, and its inference time here
  tmnn --help | --version

Options:
  --json            print the report (or the tuning) as JSON
  --backend NAME    force a backend: webgpu, native or js (env TMNN_BACKEND does the same)
  -h, --help        this text
  -v, --version     the version
`;

class UsageError extends Error {}

/** The options each command reads. */
const OPTIONS_OF: Record<string, readonly string[] | undefined> = { report: ['json', 'backend'], bench: [], tune: ['json'], onnx: ['json', 'backend'] };
/** The commands that take a positional argument, and what it is. */
const ARGUMENT_OF: Record<string, string | undefined> = { onnx: 'FILE' };

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        backend: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command = 'report', ...rest] = positionals;
  const takes = ARGUMENT_OF[command];
  if (takes && rest.length !== 1) throw new UsageError(`${command} takes one ${takes}, got ${rest.length}`);
  if (!takes && rest.length) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  // An option a command does not read is refused, not ignored: `tune --backend js` measured webgpu anyway.
  const applies = OPTIONS_OF[command];
  if (!applies) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  for (const flag of ['json', 'backend'] as const) {
    if (values[flag] !== undefined && !applies.includes(flag)) throw new UsageError(`--${flag} does not apply to ${command}`);
  }
  switch (command) {
    case 'report': {
      await init(values.backend === undefined ? {} : { backend: values.backend as 'js' });
      const report = await capabilities();
      // init() names the call that forced the backend; here the flag did.
      if (values.backend !== undefined) report.selected = { ...report.selected, reason: 'forced by --backend' };
      if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else process.stdout.write(`${formatReport(report, process.stdout.isTTY && !process.env.NO_COLOR ? ansi : plain)}\n`);
      return 0;
    }
    case 'bench':
      await quickBench(process.stdout, process.stderr);
      return 0;
    case 'tune':
      await tuneWebgpu(process.stdout, values.json);
      return 0;
    case 'onnx': {
      await init(values.backend === undefined ? {} : { backend: values.backend as 'js' });
      const summary = await onnxSummary(rest[0]);
      process.stdout.write(values.json ? `${JSON.stringify(summary, null, 2)}\n` : `${formatOnnxSummary(summary)}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`tmnn: ${err.message}\nRun 'tmnn --help' for usage.\n`);
      process.exit(2);
    }
    process.stderr.write(`tmnn: ${err instanceof TmnnError ? err.message : err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
