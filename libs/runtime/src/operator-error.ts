/**
 * A problem the operator fixes (configuration, data directory, keys file, port, an unreachable
 * store): the programs print its message as one line and exit 1 (the CLI: 2 for configuration),
 * without a stack trace, which would only hide the line that matters.
 */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
