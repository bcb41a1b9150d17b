#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ConfigError } from '#runtime/config';
import { OperatorError } from '#runtime/operator-error';
import { ledgerProgram } from './program';

/**
 * `npm run ledger -- <command>` (or the `ledger` bin). Same configuration variables as the API.
 * Exit codes: 0 done, 1 failed, 2 usage or configuration error. Returns the code rather than
 * exiting, so the whole command line can run in-process.
 */
export async function run(argv: readonly string[], out: NodeJS.WritableStream = process.stdout, err: NodeJS.WritableStream = process.stderr): Promise<number> {
  let exitCode = 0;
  const program = ledgerProgram({ out, err }, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    // Commander has already printed the message (and usage) or the help.
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    // One line, no stack trace: it would only hide the line the operator needs. ConfigError is
    // an OperatorError too, so it is tested first.
    if (error instanceof ConfigError) {
      err.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof OperatorError) {
      err.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  run(process.argv.slice(2))
    .then((code) => process.exit(code))
    .catch((error: unknown) => {
      // Not an operator's mistake: the stack trace is what a developer needs.
      console.error(error);
      process.exit(1);
    });
}
