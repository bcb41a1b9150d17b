/**
 * Who asked, and when: everything a command needs that is not its business data. Built once
 * per request at the edge; the domain never reads clocks or generates ids itself.
 */
export interface CommandContext {
  readonly commandId: string;
  /** Ties together everything one request (or one saga) caused. */
  readonly correlationId: string;
  /** What caused this command when it is not a request: the id of the event a reaction answers. Default: the command id. */
  readonly causationId?: string;
  /** Who made the change. A placeholder until API keys arrive: then the key's name. */
  readonly actor: string;
  /** Server time at which the command was accepted. Events' `recordedAt`. */
  readonly now: Date;
  /** SHA-256 of the request when an Idempotency-Key was sent: a reused key must carry the same request. */
  readonly requestFingerprint?: string;
  readonly idempotencyKey?: string;
}

/** Version of the metadata layout and event data shapes written by this code. */
export const EVENT_SCHEMA_VERSION = 1;
