// Stand-alone entry of `decaylab serve` (npm run serve -- --port 8787), usable before the CLI wires the command.
import { Command } from 'commander';
import { addServeCommand } from './serve';

const program = new Command('decaylab');
addServeCommand(program, (line) => console.error(line));
await program.parseAsync(['serve', ...process.argv.slice(2)], { from: 'user' });
