import { UsageError, type Command } from './command.js';
import { COMMAND_LOADERS } from './registry.js';

async function loadCommands(): Promise<Command[]> {
  const all: Command[] = [];
  for (const load of COMMAND_LOADERS) all.push(...(await load()));
  return all;
}

function helpText(commands: readonly Command[]): string {
  const rows = commands.map((c) => `  t2v ${c.path.join(' ').padEnd(22)} ${c.summary}`);
  return ['usage: t2v <command> [options]', '', 'commands:', ...rows, '', 'Run `t2v <command> --help` for its options.'].join('\n');
}

/** Dispatch argv to the command whose path matches the longest prefix. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const commands = await loadCommands();
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(helpText(commands) + '\n');
    return argv.length === 0 ? 1 : 0;
  }
  const matches = commands
    .filter((c) => c.path.every((w, i) => argv[i] === w))
    .sort((a, b) => b.path.length - a.path.length);
  const cmd = matches[0];
  if (!cmd) {
    process.stderr.write(`t2v: unknown command '${argv.slice(0, 2).join(' ')}'\n\n${helpText(commands)}\n`);
    return 2;
  }
  const rest = argv.slice(cmd.path.length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    return await cmd.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`t2v ${cmd.path.join(' ')}: ${err.message}\n\n${cmd.usage}\n`);
      return 2;
    }
    throw err;
  }
}
