import type { FastifyReply } from 'fastify';

/** A command's answer, and whether it was replayed for a repeated Idempotency-Key. */
export interface Accepted<View> {
  readonly view: View;
  readonly replayed: boolean;
}

/** Marks a replayed answer, so a client can tell "done now" from "was done before". */
export function respond<View>(reply: FastifyReply, accepted: Accepted<View>): View {
  if (accepted.replayed) void reply.header('idempotent-replayed', 'true');
  return accepted.view;
}

/** Common OpenAPI header for every POST. */
export const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description:
    'Makes the request safe to retry: the same key and body return the first response and write nothing; the same key with a different request is 422. Keys are kept permanently.',
};
