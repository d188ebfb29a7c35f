// Process entry of the CLI: runs main() and turns errors into one line on stderr and exit code 1.
import { CommanderError } from 'commander';
import { main } from './cli';

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (e: unknown) => {
    if (e instanceof CommanderError) process.exit(e.exitCode);
    process.stderr.write(`decaylab: error: ${e instanceof Error ? e.message : String(e)}\n`);
    if (process.env.DECAYLAB_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    process.exit(1);
  },
);
