import type { FastifyInstance } from 'fastify';
import { accountStream, programStream } from '#runtime/streams';
import { DEFAULT_PROGRAM_ID } from '#ledger-domain/program/program';
import type { CustomerStreams } from '../ledger/ledger.module';
import type { Quarantine } from '../ledger/quarantine';

/** Header on a read of a quarantined stream: the answer is what the store holds, which failed its integrity check. */
export const INTEGRITY_HEADER = 'ledger-integrity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads served from a customer's ledger stream (not from projections). */
const CUSTOMER_LEDGER_READS = new Set(['/customers/:customerId', '/customers/:customerId/history', '/customers/:customerId/history.csv']);

/**
 * Reads of a quarantined stream still answer (an operator needs to see what is there), flagged with
 * `Ledger-Integrity: quarantined; revision=N; kind=K`. The customer's stream is loaded through the
 * command path's repository first, so its chain is checked (once per event, cached) even when no
 * command has touched it yet in this process.
 */
export function flagQuarantinedReads(fastify: FastifyInstance, customers: CustomerStreams, quarantine: Quarantine): void {
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || reply.statusCode >= 400) return payload;
    const route = request.routeOptions.url;
    let stream: string | undefined;
    if (route === '/program') stream = programStream(DEFAULT_PROGRAM_ID);
    else if (route !== undefined && CUSTOMER_LEDGER_READS.has(route)) {
      const customerId = (request.params as Record<string, unknown> | undefined)?.['customerId'];
      if (typeof customerId !== 'string' || !UUID.test(customerId)) return payload;
      stream = accountStream(customerId.toLowerCase());
      // A failure here leaves the answer unflagged, never failed: the read itself succeeded.
      if (quarantine.of(stream) === undefined) await customers.load(stream).catch(() => undefined);
    }
    const broken = stream === undefined ? undefined : quarantine.of(stream);
    if (broken !== undefined) void reply.header(INTEGRITY_HEADER, `quarantined; revision=${broken.revision}; kind=${broken.kind}`);
    return payload;
  });
}
