import { randomUUID } from 'node:crypto';
import { digestHex } from '#event-store/hash-chain';

/**
 * Deterministic UUIDs (RFC 4122 layout, version 5 over SHA-1 of the parts), so that a retried
 * command produces the same command id, entity ids and event ids, and the store recognises
 * the retry instead of writing twice. Stored ids come from here: the known-answer vectors in
 * the spec pin every byte.
 */
export function deterministicUuid(...parts: readonly string[]): string {
  const hex = digestHex('sha1', parts.join('\u0000'));
  // The version nibble (byte 6's high half) is 5; the variant bits (byte 8's top two) are 10.
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The command id: from the Idempotency-Key when the caller sent one, otherwise fresh. */
export const commandIdFor = (idempotencyKey: string | undefined): string =>
  idempotencyKey === undefined ? randomUUID() : deterministicUuid('idempotency-key', idempotencyKey);

/** An id for an entity a command creates (visit, payment, …), stable across retries of the command. */
export const entityId = (commandId: string, role: string): string => deterministicUuid('entity', commandId, role);

/**
 * The command a reaction issues: derived from the triggering event and the reaction's key (kind
 * and rule), so every replay, retry or re-run of the reaction is the same command, applied once.
 */
export const reactionCommandId = (triggerEventId: string, key: string): string => deterministicUuid('reaction', triggerEventId, key);

/** The id of the n-th event a command appends to a stream. */
export const eventId = (commandId: string, streamName: string, index: number): string => deterministicUuid('event', commandId, streamName, String(index));

/**
 * A time-driven command of the lifecycle runner (activation, expiry, tier change): derived from
 * what it acts on (the payment, the lot), so every re-run, and every second runner, issues the
 * very same command and the command loop applies it once.
 */
export const lifecycleCommandId = (action: string, subjectId: string): string => deterministicUuid('lifecycle', action, subjectId);

/**
 * An imported row's command: derived from the row's source id alone (not the file, not the
 * import), so the same row imported again, from this file or an overlapping one, is the same
 * command, and the stream that holds it answers "already imported".
 */
export const importCommandId = (sourceId: string): string => deterministicUuid('import', 'row', sourceId);

/** The customer an import enrols for an external id: the same id in every import, so later rows find it. */
export const importedCustomerId = (externalId: string): string => deterministicUuid('import', 'customer', externalId);
