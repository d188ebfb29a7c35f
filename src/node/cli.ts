// The decaylab command line: train, sweep, evaluate, serve (commander). `main` returns what each command produced, for tests.
import { Command, Option } from 'commander';
import type { ResultsFile } from '../train/results';
import { addRunFlags, parseCoefficients, type RunFlags } from './run_options';
import { runMany } from './commands/run_many';
import { evaluateCommand, type EvaluateFlags } from './commands/evaluate';
import { processIo, type CliIo } from './cli_io';
import { addServeCommand } from './serve';

const nonNegativeNumber = (raw: string): number => parseCoefficients(raw)[0];

export function buildProgram(io: CliIo, done: (r: ResultsFile) => void): Command {
  const program = new Command('decaylab')
    .description('Train MLPs with WebGPU compute shaders and measure what weight decay does to them.')
    .showHelpAfterError('(run with --help for the flags)');
  // Set before adding subcommands, which copy these settings: errors throw instead of exiting the process.
  program.exitOverride();
  program.configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  addRunFlags(program.command('train').description('one training run; writes results.json, results.csv, weights, checkpoints and the report into --out'))
    .option('--wd <coefficient>', 'decay coefficient (λ for --mode l2, wd otherwise)', nonNegativeNumber, 0)
    .option('--resume <checkpoint>', 'continue the run that wrote this checkpoint (same flags)')
    .action(async (f: RunFlags & { wd: number; resume?: string }) => {
      done(await runMany(f, { command: 'train', coefficients: [f.wd], ...(f.resume ? { resume: f.resume } : {}) }, io));
    });

  addRunFlags(program.command('sweep').description('one run per decay coefficient, same seed and data order, then the report'))
    .requiredOption('--wd <list>', 'comma list of decay coefficients, e.g. 0,1e-5,1e-4,1e-3,1e-2', parseCoefficients)
    .option('--no-batch-sweep', 'GPU engine: train the coefficients one after another instead of together in the same dispatches')
    .action(async (f: RunFlags & { wd: number[]; batchSweep: boolean }) => {
      done(await runMany(f, { command: 'sweep', coefficients: f.wd, batch: f.batchSweep }, io));
    });

  program.command('evaluate')
    .description('loss, accuracy, per-class accuracy and confusion matrix of a checkpoint')
    .requiredOption('--checkpoint <file>', 'a checkpoint written by train or sweep (--out/checkpoints/*.ckpt)')
    .addOption(new Option('--split <split>', 'which split to evaluate').choices(['train', 'val', 'test']).default('test'))
    .addOption(new Option('--engine <engine>', 'engine (default: gpu when available)').choices(['gpu', 'cpu']))
    .option('--out <dir>', 'output directory', 'decaylab-eval')
    .option('--quiet', 'print nothing')
    .action(async (f: EvaluateFlags) => {
      done(await evaluateCommand(f, io));
    });

  // The edge API and the lab page on this machine; runs until SIGINT/SIGTERM.
  addServeCommand(program, (line) => io.err(line));
  return program;
}

/** Runs the CLI on argv (without "node script"); returns the command's results. Throws on bad input. */
export async function main(args: string[], io: CliIo = processIo): Promise<ResultsFile | null> {
  let results: ResultsFile | null = null;
  const program = buildProgram(io, (r) => (results = r));
  await program.parseAsync(args, { from: 'user' });
  return results;
}
