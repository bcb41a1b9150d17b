/**
 * Translation between the client's own generated protobuf classes and the in-memory model. u64 fields are
 * decimal strings in these classes (jstype = JS_STRING), so values go through bigint and never through
 * a JS number.
 */
import { Metadata, type status } from '@grpc/grpc-js';
import { Empty, StreamIdentifier, UUID } from '@eventstore/db-client/generated/shared_pb';
import { AppendResp, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { ExpectedRevision, StoredEvent } from './store';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const U64_MAX = (1n << 64n) - 1n;

/** A gRPC error status with the trailers the real server sends (`exception` and friends). */
export interface RpcError extends Error {
  readonly code: status;
  readonly details: string;
  readonly metadata: Metadata;
}

export function rpcError(code: status, details: string, trailers: Record<string, string> = {}): RpcError {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

export function streamNameOf(identifier: StreamIdentifier | undefined): string | undefined {
  if (!identifier) return undefined;
  return Buffer.from(identifier.getStreamName_asU8()).toString('utf8');
}

/** The event id as a lower-case canonical UUID, from either UUID representation; undefined if malformed. */
export function uuidOf(uuid: UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  let text: string;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured();
    if (!structured) return undefined;
    const most = BigInt.asUintN(64, BigInt(structured.getMostSignificantBits()));
    const least = BigInt.asUintN(64, BigInt(structured.getLeastSignificantBits()));
    const hex = most.toString(16).padStart(16, '0') + least.toString(16).padStart(16, '0');
    text = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  } else {
    text = uuid.getString().toLowerCase();
  }
  return UUID_PATTERN.test(text) ? text : undefined;
}

/** The server answers in the representation the reader asked for (`uuid_option`). */
function uuidDto(id: string, structured: boolean): UUID {
  const uuid = new UUID();
  if (!structured) return uuid.setString(id);
  const hex = id.replaceAll('-', '');
  const bits = new UUID.Structured()
    .setMostSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(0, 16)}`)).toString())
    .setLeastSignificantBits(BigInt.asIntN(64, BigInt(`0x${hex.slice(16)}`)).toString());
  return uuid.setStructured(bits);
}

export function streamIdentifier(name: string): StreamIdentifier {
  return new StreamIdentifier().setStreamName(Uint8Array.from(Buffer.from(name, 'utf8')));
}

/** Parses a u64 decimal string; undefined when it is not one. */
export function u64(text: string): bigint | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = BigInt(text);
  return value <= U64_MAX ? value : undefined;
}

export function eventResponse(event: StoredEvent, structuredIds: boolean): ReadResp {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidDto(event.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(event.streamName))
    .setStreamRevision(event.revision.toString())
    .setCommitPosition(event.position.toString())
    .setPreparePosition(event.position.toString())
    .setData(event.data)
    .setCustomMetadata(event.customMetadata);
  recorded
    .getMetadataMap()
    .set('type', event.type)
    .set('created', event.createdTicks.toString())
    .set('content-type', event.isJson ? 'application/json' : 'application/octet-stream');
  const read = new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(event.position.toString());
  return new ReadResp().setEvent(read);
}

export function confirmationResponse(subscriptionId: string): ReadResp {
  return new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(subscriptionId));
}

export function caughtUpResponse(): ReadResp {
  return new ReadResp().setCaughtUp(new ReadResp.CaughtUp());
}

export function checkpointResponse(commit: bigint, prepare: bigint): ReadResp {
  const checkpoint = new ReadResp.Checkpoint().setCommitPosition(commit.toString()).setPreparePosition(prepare.toString());
  return new ReadResp().setCheckpoint(checkpoint);
}

export function streamNotFoundResponse(name: string): ReadResp {
  return new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name)));
}

export function appendSuccess(lastRevision: bigint | undefined, position: bigint | undefined): AppendResp {
  const success = new AppendResp.Success();
  if (lastRevision === undefined) success.setNoStream(new Empty());
  else success.setCurrentRevision(lastRevision.toString());
  if (position === undefined) success.setNoPosition(new Empty());
  else success.setPosition(new AppendResp.Position().setCommitPosition(position.toString()).setPreparePosition(position.toString()));
  return new AppendResp().setSuccess(success);
}

/**
 * The `wrong_expected_version` answer as KurrentDB's Streams.Append builds it: the current and expected
 * fields, plus the deprecated 20.6.0 fields (old clients read those) wherever their uint64 JS-number
 * type can carry the value exactly.
 */
export function appendWrongExpectedVersion(expected: ExpectedRevision, current: bigint | undefined): AppendResp {
  const wrong = new AppendResp.WrongExpectedVersion();
  switch (expected.kind) {
    case 'any':
      wrong.setExpectedAny(new Empty()).setAny2060(new Empty());
      break;
    case 'stream_exists':
      wrong.setExpectedStreamExists(new Empty()).setStreamExists2060(new Empty());
      break;
    case 'no_stream':
      // The real server puts ulong.MaxValue into expected_revision_20_6_0, which a JS number cannot hold: left out.
      wrong.setExpectedNoStream(new Empty());
      break;
    case 'revision':
      wrong.setExpectedRevision(expected.revision.toString());
      if (expected.revision <= BigInt(Number.MAX_SAFE_INTEGER)) wrong.setExpectedRevision2060(Number(expected.revision));
      break;
  }
  if (current === undefined) {
    wrong.setCurrentNoStream(new Empty()).setNoStream2060(new Empty());
  } else {
    wrong.setCurrentRevision(current.toString());
    if (current <= BigInt(Number.MAX_SAFE_INTEGER)) wrong.setCurrentRevision2060(Number(current));
  }
  return new AppendResp().setWrongExpectedVersion(wrong);
}
