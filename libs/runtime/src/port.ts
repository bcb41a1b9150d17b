import { createServer } from 'node:net';
import { OperatorError } from './operator-error';

export class PortError extends OperatorError {}

/**
 * Checks that the service could listen on host:port, by listening and closing at once, before
 * start-up writes anything (a first admin key, a fresh store). The real listen may still lose a
 * race for the port; `listenError` words that case the same way.
 */
export function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error) => reject(listenError(error, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A failed listen as one line naming the address and what to do. */
export function listenError(error: unknown, host: string, port: number): Error {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EADDRINUSE':
      return new PortError(`Port ${port} on ${host} is already in use (is loyalty-ledger already running?). Stop that process, or set PORT to a free port.`);
    case 'EACCES':
      return new PortError(
        `Port ${port} on ${host} cannot be opened: EACCES (permission denied; ports below 1024 need privileges). Set PORT to a port above 1023.`,
      );
    case 'EADDRNOTAVAIL':
      return new PortError(`Cannot listen on ${host}: EADDRNOTAVAIL (not an address of this machine). Set HOST to one of its addresses, such as 127.0.0.1.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new PortError(`Cannot listen on ${host}: ${code} (the host name does not resolve). Set HOST to an address, such as 127.0.0.1.`);
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
