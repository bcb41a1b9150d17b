import type { FieldError } from '#ledger-domain/shared/errors';
import { formatAmount } from '#ledger-domain/shared/money';
import type { CommandError } from '../ledger/command-runner';

/**
 * RFC 7807 problem details. Every error response of the API has this shape and the
 * `application/problem+json` content type; `type` is a stable URI per kind of problem.
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

const TYPE_BASE = 'https://loyalty-ledger.dev/problems/';

const problem = (slug: string, status: number, title: string, detail: string, extra: Record<string, unknown> = {}): Problem => ({
  type: `${TYPE_BASE}${slug}`,
  title,
  status,
  detail,
  ...extra,
});

/** The one place where an error value becomes an HTTP status: 400, 404, 409, 412, 422, 503. */
export function toProblem(error: CommandError): Problem {
  switch (error._tag) {
    case 'InvalidInput':
      return invalidInputProblem(error.errors);
    case 'CustomerNotFound':
      return problem('customer-not-found', 404, 'Customer not found', `No customer with id ${error.customerId}.`, { customerId: error.customerId });
    case 'CustomerAlreadyEnrolled':
      return problem('customer-already-enrolled', 409, 'Customer already enrolled', 'This customer is enrolled already.', { customerId: error.customerId });
    case 'ContactTaken':
      return problem(
        `${error.field}-taken`,
        409,
        `${error.field === 'email' ? 'E-mail' : 'Phone'} already in use`,
        `Another customer is enrolled with this ${error.field === 'email' ? 'e-mail address' : 'phone number'}.`,
        { field: error.field },
      );
    case 'DuplicatePurchase':
      return problem(
        'duplicate-purchase',
        409,
        'Duplicate purchase',
        'A payment with this purchase identifier was already recorded at this location; no points were credited again.',
        {
          locationId: error.locationId,
          purchaseIdentifier: error.purchaseIdentifier,
        },
      );
    case 'PaymentAlreadyRecorded':
      return problem('payment-already-recorded', 409, 'Payment already recorded', 'This payment is recorded already; no points were credited again.', {
        paymentId: error.paymentId,
      });
    case 'VisitNotFound':
      return problem('visit-not-found', 422, 'Visit not found', 'The visitId is not a visit of this customer.', { visitId: error.visitId });
    case 'InsufficientPoints': {
      // The decider reports the net balance; like every view, the answer shows a debt as owed.
      const owed = Math.max(0, -error.available);
      const available = Math.max(0, error.available);
      return problem(
        'insufficient-points',
        422,
        'Insufficient points',
        owed > 0
          ? `The customer owes ${owed} points (nothing is available until they are paid); ${error.requested} were requested.`
          : `The available balance is ${available} points; ${error.requested} were requested.`,
        { available, owed, requested: error.requested },
      );
    }
    case 'CurrencyMismatch':
      return problem('currency-mismatch', 422, 'Currency mismatch', `The program's currency is ${error.expected}.`, {
        expected: error.expected,
        actual: error.actual,
      });
    case 'OccurredInFuture':
      return problem(
        'occurred-in-future',
        422,
        'Time in the future',
        `occurredAt may be at most 5 minutes ahead of the server clock (latest allowed ${error.latestAllowed}).`,
        {
          latestAllowed: error.latestAllowed,
        },
      );
    case 'ProgramNotConfigured':
      return problem('program-not-configured', 422, 'Program not configured', 'Configure the program (PUT /program) before recording payments.');
    case 'ProgramVersionMismatch':
      return problem(
        'program-version-mismatch',
        412,
        'Program version changed',
        `If-Match named version ${error.expected}; the current version is ${error.actual}.`,
        {
          expected: error.expected,
          actual: error.actual,
        },
      );
    case 'PaymentNotFound':
      return problem('payment-not-found', 404, 'Payment not found', `No payment with id ${error.paymentId} in this customer's ledger.`, {
        paymentId: error.paymentId,
      });
    case 'DuplicateRefund':
      return problem(
        'duplicate-refund',
        409,
        'Duplicate refund',
        'A refund with this refund identifier was already recorded for this payment; no points were reversed again.',
        {
          paymentId: error.paymentId,
          refundIdentifier: error.refundIdentifier,
        },
      );
    case 'RefundExceedsPayment':
      return problem(
        'refund-exceeds-payment',
        422,
        'Refund exceeds payment',
        `The payment was ${formatAmount(error.paidMinor, error.currency)} ${error.currency}, of which ${formatAmount(error.refundedMinor, error.currency)} is refunded already; ${formatAmount(error.requestedMinor, error.currency)} more would exceed it.`,
        {
          paymentId: error.paymentId,
          paid: formatAmount(error.paidMinor, error.currency),
          refunded: formatAmount(error.refundedMinor, error.currency),
          requested: formatAmount(error.requestedMinor, error.currency),
          currency: error.currency,
        },
      );
    case 'PointsNotPending':
      return problem('points-not-pending', 422, 'No pending points', 'The payment has no pending points: they were activated, voided or reversed already.', {
        paymentId: error.paymentId,
      });
    case 'PointsNotDue':
      return problem('points-not-due', 422, 'Points not due yet', `The payment's points are pending until ${error.activatesAt}.`, {
        paymentId: error.paymentId,
        activatesAt: error.activatesAt,
      });
    case 'NothingToExpire':
      return problem('nothing-to-expire', 422, 'Nothing to expire', 'The lot has no points left to expire, or never expires.', { lotId: error.lotId });
    case 'NotDueYet':
      return problem('not-due-yet', 422, 'Not due yet', `The lot expires at ${error.dueAt}.`, { lotId: error.lotId, dueAt: error.dueAt });
    case 'TierUnchanged':
      return problem('tier-unchanged', 422, 'Tier unchanged', "The customer's tier is the one the program's rules give now.", { customerId: error.customerId });
    case 'AmountOutOfRange':
      return problem(
        'amount-out-of-range',
        422,
        'Amount out of range',
        `The command would take a balance or lifetime total past ${error.limit} points, beyond what the ledger keeps exact; nothing was written.`,
        { limit: error.limit },
      );
    case 'PaymentVoided':
      return problem('payment-voided', 422, 'Payment voided', "The payment's points were voided; nothing more is earned on it.", {
        paymentId: error.paymentId,
      });
    case 'IdempotencyKeyReused':
      return problem('idempotency-key-reused', 422, 'Idempotency-Key reused', 'This Idempotency-Key was already used with a different request.');
    case 'Contention':
      // Retry-After: the answer is "not now", and a client should be told when to try again.
      return {
        ...problem('contention', 503, 'Too much contention', 'The ledger was changed concurrently too many times; retry with the same Idempotency-Key.'),
        retryAfterSeconds: 1,
      };
    case 'CommandTimedOut':
      return { ...problem('timeout', 503, 'Command timed out', 'The command was not written; retry with the same Idempotency-Key.'), retryAfterSeconds: 1 };
    case 'LedgerIntegrity':
      // No Retry-After: retrying will not help until an operator has checked the ledger.
      return problem(
        'ledger-integrity',
        503,
        'Ledger integrity check failed',
        error.streamName.startsWith('loyaltyProgram-')
          ? "The program's ledger failed its integrity check; no command is accepted until an operator has checked it. Nothing was written."
          : 'This ledger failed its integrity check; no command is accepted on it until an operator has checked it. Nothing was written.',
        { revision: error.revision.toString() },
      );
  }
}

/** The store cannot take writes now (full, locked, I/O, unreachable): nothing was written, and a retry may succeed. */
export const storeUnavailableProblem = (): Problem => ({
  ...problem(
    'store-unavailable',
    503,
    'Store unavailable',
    'The ledger cannot be written now. Nothing was written; retry with the same Idempotency-Key after the Retry-After delay.',
  ),
  retryAfterSeconds: 5,
});

/** The same key twice in one JSON object: parsers disagree on which one counts, so neither does. */
export const duplicateKeyProblem = (path: string): Problem => invalidInputProblem([{ path, message: 'duplicate key: each key may appear once in an object' }]);

/** `minPosition` beyond the log's head: it names a write that has not happened, so waiting cannot help. */
export const positionBeyondHeadProblem = (head: bigint): Problem =>
  invalidInputProblem([{ path: 'minPosition', message: `beyond the ledger's head position (${head})` }]);

/** The server is closing: the request was not handled; another replica (or this one, restarted) will. */
export const shuttingDownProblem = (): Problem => ({
  ...problem('shutting-down', 503, 'Shutting down', 'The service is shutting down; the request was not handled. Retry.'),
  retryAfterSeconds: 1,
});

/** Errors of the HTTP parser itself (framing, header size and syntax), before any route sees the request. */
export function httpParserProblem(code: string | undefined): Problem {
  if (code === 'HPE_HEADER_OVERFLOW')
    return problem('headers-too-large', 431, 'Request headers too large', 'The request headers are larger than the limit (16 KiB).');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return problem('request-timeout', 408, 'Request timeout', 'The request was not received in time.');
  return problem('bad-request', 400, 'Bad request', 'The request is not valid HTTP/1.1 (framing, headers or their syntax).');
}

export const invalidInputProblem = (errors: readonly FieldError[]): Problem =>
  problem('invalid-input', 400, 'Invalid input', errors.map((e) => `${e.path}: ${e.message}`).join('; '), { errors });

export const httpProblem = (status: number, title: string, detail: string): Problem => problem(slugFor(status), status, title, detail);

function slugFor(status: number): string {
  switch (status) {
    case 400:
      return 'bad-request';
    case 404:
      return 'not-found';
    case 405:
      return 'method-not-allowed';
    case 413:
      return 'payload-too-large';
    case 415:
      return 'unsupported-media-type';
    case 429:
      return 'rate-limited';
    case 503:
      return 'unavailable';
    default:
      return status >= 500 ? 'internal-error' : 'client-error';
  }
}

/** Thrown by controllers to end a request with a problem; caught by the global filter. */
export class ProblemException extends Error {
  constructor(readonly problem: Problem) {
    super(problem.title);
  }
}
