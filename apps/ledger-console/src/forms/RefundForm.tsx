import { Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { DateTimeField } from '../components/DateTimeField';
import { path } from '../lib/api';
import { decimalOf } from '../lib/money';
import { useSession } from '../lib/session-context';
import { fromLocalInput, toLocalInput } from '../lib/time';
import type { Balances, TimelineEntry } from '../lib/types';
import { useCommand } from '../lib/use-command';
import { CommandForm, optional, type Saved } from './common';

const LABELS = { amount: 'Refund amount', refundIdentifier: 'Refund identifier', occurredAt: 'Time of refund', reason: 'Reason' };
const FIELDS = Object.keys(LABELS);

/** Refund a payment (all or part): the points it earned are reversed in proportion. */
export function RefundForm({
  customerId,
  payment,
  onSaved,
  onCancel,
}: {
  customerId: string;
  payment: TimelineEntry;
  onSaved: (saved: Saved) => void;
  onCancel: () => void;
}) {
  const { api, format } = useSession();
  const currency = payment.currency ?? 'USD';
  const [amount, setAmount] = useState(payment.amountMinor === null ? '' : decimalOf(payment.amountMinor, currency));
  const [refundIdentifier, setRefundIdentifier] = useState('');
  const [occurredAt, setOccurredAt] = useState(() => toLocalInput(new Date(), format.timeZone));
  const [reason, setReason] = useState('');
  const command = useCommand(FIELDS);

  const save = async () => {
    const body = {
      amount: optional(amount),
      refundIdentifier: optional(refundIdentifier),
      occurredAt: fromLocalInput(occurredAt, format.timeZone) ?? optional(occurredAt),
      reason: optional(reason),
    };
    const answer = await command.submit(body, (b, key) =>
      api.post<Balances & { pointsReversed: number; amount: string; refundIdentifier: string }>(
        path`/customers/${customerId}/payments/${payment.subjectId}/refunds`,
        b,
        key,
      ),
    );
    if (answer === undefined) return;
    onSaved({
      message: `Refund ${answer.body.refundIdentifier} recorded: ${format.signedPoints(-answer.body.pointsReversed)} points. Balance: ${format.points(answer.body.balance)} points.`,
      position: answer.body.position,
    });
  };

  return (
    <CommandForm
      label="Refund a payment"
      submitLabel="Record refund"
      submitting={command.submitting}
      errors={command.errors}
      labels={LABELS}
      onSubmit={() => void save()}
      onCancel={onCancel}
    >
      <Text size="sm">
        Payment {payment.reference ?? ''} of {payment.amountMinor === null ? '' : format.money(payment.amountMinor, payment.currency)} on{' '}
        {format.dateTime(payment.occurredAt)}
        {payment.locationId ? ` at ${payment.locationId}` : ''}: {format.signedPoints(payment.pointsDelta)} points.
      </Text>
      <TextInput
        name="amount"
        label={LABELS.amount}
        description={`In ${currency}; less than the payment for a partial refund`}
        value={amount}
        onChange={(e) => setAmount(e.currentTarget.value)}
        error={command.errors.fields['amount']}
        inputMode="decimal"
        autoComplete="off"
        data-autofocus
      />
      <TextInput
        name="refundIdentifier"
        label={LABELS.refundIdentifier}
        description="The credit note or return number"
        value={refundIdentifier}
        onChange={(e) => setRefundIdentifier(e.currentTarget.value)}
        error={command.errors.fields['refundIdentifier']}
        autoComplete="off"
      />
      <DateTimeField name="occurredAt" label={LABELS.occurredAt} value={occurredAt} onChange={setOccurredAt} error={command.errors.fields['occurredAt']} />
      <TextInput
        name="reason"
        label={LABELS.reason}
        description="Optional, e.g. Returned: wrong size"
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        error={command.errors.fields['reason']}
        autoComplete="off"
      />
    </CommandForm>
  );
}
