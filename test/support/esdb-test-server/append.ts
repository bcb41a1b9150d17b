/**
 * `Streams/Append` (client streaming): the options message, then the proposed events; one answer when the
 * client half-closes. Validation and error trailers follow KurrentDB's Streams.Append and RpcExceptions.
 */
import { status, type sendUnaryData, type ServerReadableStream } from '@grpc/grpc-js';
import { AppendReq, type AppendResp } from '@eventstore/db-client/generated/streams_pb';
import type { EventLog, ExpectedRevision, ProposedEvent } from './store';
import { appendSuccess, appendWrongExpectedVersion, rpcError, streamNameOf, u64, uuidOf, type RpcError } from './wire';

export type AppendCall = ServerReadableStream<AppendReq, AppendResp>;

export interface AppendContext {
  readonly log: EventLog;
  readonly maxAppendSize: number;
  /** True when this committed append's acknowledgement must be lost (fault injection). */
  loseAck(): boolean;
}

/** An append in flight, so that stop() can answer it with UNAVAILABLE. */
export interface PendingAppend {
  abort(error: RpcError): void;
  readonly finished: Promise<void>;
}

export function handleAppend(call: AppendCall, respond: sendUnaryData<AppendResp>, context: AppendContext): PendingAppend {
  let answered = false;
  let signalFinished!: () => void;
  const finished = new Promise<void>((resolve) => (signalFinished = resolve));
  const answer = (error: RpcError | null, response?: AppendResp) => {
    if (answered) return;
    answered = true;
    signalFinished();
    if (error) respond(error);
    else respond(null, response);
  };

  let header: { stream: string; expected: ExpectedRevision } | undefined;
  const events: ProposedEvent[] = [];
  let size = 0;

  call.on('data', (message: AppendReq) => {
    if (answered) return;
    if (!header) {
      const parsed = parseOptions(message);
      if (typeof parsed === 'string') return answer(rpcError(status.UNKNOWN, parsed));
      header = parsed;
      return;
    }
    const proposed = message.getProposedMessage();
    if (!proposed) return answer(rpcError(status.UNKNOWN, 'every message after the options must be a proposed_message'));
    const metadata = proposed.getMetadataMap();
    const type = metadata.get('type');
    const contentType = metadata.get('content-type');
    if (type === undefined || contentType === undefined) {
      const missing = type === undefined ? 'type' : 'content-type';
      return answer(
        rpcError(status.INVALID_ARGUMENT, `Required Metadata Property '${missing}' is missing`, {
          exception: 'missing-required-metadata-property',
          'required-metadata-properties': 'type,content-type',
        }),
      );
    }
    const id = uuidOf(proposed.getId());
    if (!id) return answer(rpcError(status.INVALID_ARGUMENT, 'proposed_message.id must be a UUID'));
    const data = proposed.getData_asU8();
    const customMetadata = proposed.getCustomMetadata_asU8();
    size += data.byteLength + customMetadata.byteLength + Buffer.byteLength(type, 'utf8');
    if (size > context.maxAppendSize) {
      return answer(
        rpcError(status.INVALID_ARGUMENT, `Maximum Append Size of ${context.maxAppendSize} Exceeded.`, {
          exception: 'maximum-append-size-exceeded',
          'maximum-append-size': String(context.maxAppendSize),
        }),
      );
    }
    events.push({ id, type, isJson: contentType === 'application/json', data, customMetadata });
  });

  call.on('end', () => {
    if (answered) return;
    if (!header) return answer(rpcError(status.UNKNOWN, 'the first message must be the options'));
    const result = context.log.append(header.stream, header.expected, events, new Date());
    if (result.kind === 'wrong_expected_version') {
      return answer(null, appendWrongExpectedVersion(header.expected, result.currentRevision));
    }
    if (context.loseAck()) {
      return answer(rpcError(status.UNAVAILABLE, 'Connection lost before the append was acknowledged (test fault: the append was committed)'));
    }
    answer(null, appendSuccess(result.lastRevision, result.position));
  });

  // A client that cancels before half-closing has appended nothing.
  call.on('cancelled', () => {
    answered = true;
    signalFinished();
  });

  return { abort: (error) => answer(error), finished };
}

function parseOptions(message: AppendReq): { stream: string; expected: ExpectedRevision } | string {
  const options = message.getOptions();
  if (!options) return 'the first message must be the options';
  const stream = streamNameOf(options.getStreamIdentifier());
  if (!stream) return 'options.stream_identifier is required';
  const { ExpectedStreamRevisionCase } = AppendReq.Options;
  switch (options.getExpectedStreamRevisionCase()) {
    case ExpectedStreamRevisionCase.ANY:
      return { stream, expected: { kind: 'any' } };
    case ExpectedStreamRevisionCase.NO_STREAM:
      return { stream, expected: { kind: 'no_stream' } };
    case ExpectedStreamRevisionCase.STREAM_EXISTS:
      return { stream, expected: { kind: 'stream_exists' } };
    case ExpectedStreamRevisionCase.REVISION: {
      const revision = u64(options.getRevision());
      return revision === undefined ? 'options.revision must be a u64' : { stream, expected: { kind: 'revision', revision } };
    }
    default:
      return 'options: an expected stream revision is required';
  }
}
