import { Logger } from '@nestjs/common';
import type { ChainBreakKind, ChainPolicy } from '#event-store/chain-check';

/** Where a stream's hash chain broke, as the command path found it. */
export interface ChainBreak {
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly kind: ChainBreakKind;
  readonly detail: string;
  /** A break in the program's stream stops every command: the program decides what each one earns. */
  readonly ledgerWide: boolean;
}

/** The chain check of the command path: the policy, and where breaks are kept. */
export interface ChainIntegrity {
  readonly policy: ChainPolicy;
  readonly quarantine: Quarantine;
}

/**
 * Streams whose hash chain failed its check when loaded to decide a command. Commands on them are
 * refused (503 `ledger-integrity`, nothing written) until an operator has looked and the process
 * is restarted; reads still answer, flagged. Each break is logged once, as an error naming the
 * stream and revision, and counted for `/metrics`.
 */
export class Quarantine {
  private readonly logger = new Logger('Integrity');
  private readonly streams = new Map<string, ChainBreak>();
  private readonly listeners = new Set<(found: ChainBreak) => void>();
  private ledgerWide: ChainBreak | undefined;

  add(found: ChainBreak): void {
    if (this.streams.has(found.streamName)) return;
    this.streams.set(found.streamName, found);
    if (found.ledgerWide) this.ledgerWide ??= found;
    this.logger.error(
      `hash chain broken: ${found.kind} in ${found.streamName} at revision ${found.revision} (position ${found.position}): ${found.detail}. ` +
        `Commands on ${found.ledgerWide ? 'every stream' : 'this stream'} are refused; run "ledger audit verify-chain".`,
    );
    for (const listener of this.listeners) listener(found);
  }

  /** The stream's own break, else a ledger-wide one: why a command on it must be refused. */
  refusal(streamName: string): ChainBreak | undefined {
    return this.streams.get(streamName) ?? this.ledgerWide;
  }

  /** The stream's own break, for flagging reads. */
  of(streamName: string): ChainBreak | undefined {
    return this.streams.get(streamName);
  }

  get size(): number {
    return this.streams.size;
  }

  onBreak(listener: (found: ChainBreak) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
