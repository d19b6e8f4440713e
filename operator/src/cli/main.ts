#!/usr/bin/env node
// The `portico` command. Each subcommand lives in its own file and registers itself here.
import { Command, CommanderError } from 'commander';
import { registerBootstrapCommand } from './bootstrap-command.js';
import { registerCheckCommand } from './check-command.js';
import { registerServeCommand } from './serve-command.js';
import { registerTranslateCommand } from './translate-command.js';
import { PORTICO_VERSION } from './version.js';

const program = new Command()
  .name('portico')
  .description('Kubernetes Ingress controller that serves Envoy over xDS')
  .version(PORTICO_VERSION)
  .showHelpAfterError()
  .exitOverride();

registerServeCommand(program);
registerTranslateCommand(program);
registerCheckCommand(program);
registerBootstrapCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode;
  } else {
    // Never a stack trace for the user: the message is enough, and the exit code says it failed.
    process.stderr.write(`portico: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
