import { Text, TextInput } from '@mantine/core';
import { DateTimeField } from '../components/DateTimeField';
import { path } from '../lib/api';
import { decimalOf } from '../lib/money';
import { useSession } from '../lib/session-context';
import type { Balances, TimelineEntry } from '../lib/types';
import { CommandForm, instantOrText, nowOnWallClock, optional, useCommandForm, type CustomerFormProps } from './common';

const LABELS = { amount: 'Refund amount', refundIdentifier: 'Refund identifier', occurredAt: 'Time of refund', reason: 'Reason' };

/** Refund a payment (all or part): the points it earned are reversed in proportion. */
export function RefundForm({ customerId, payment, onSaved, onCancel }: CustomerFormProps & { payment: TimelineEntry }) {
  const { api, format } = useSession();
  const currency = payment.currency ?? 'USD';
  const form = useCommandForm(LABELS, () => ({
    amount: payment.amountMinor === null ? '' : decimalOf(payment.amountMinor, currency),
    refundIdentifier: '',
    occurredAt: nowOnWallClock(format.timeZone),
    reason: '',
  }));
  const { values, command } = form;

  const save = async () => {
    const body = {
      amount: optional(values.amount),
      refundIdentifier: optional(values.refundIdentifier),
      occurredAt: instantOrText(values.occurredAt, format.timeZone),
      reason: optional(values.reason),
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
    <CommandForm form={form} label="Refund a payment" submitLabel="Record refund" onSubmit={save} onCancel={onCancel}>
      <Text size="sm">
        Payment {payment.reference ?? ''} of {payment.amountMinor === null ? '' : format.money(payment.amountMinor, payment.currency)} on{' '}
        {format.dateTime(payment.occurredAt)}
        {payment.locationId ? ` at ${payment.locationId}` : ''}: {format.signedPoints(payment.pointsDelta)} points.
      </Text>
      <TextInput
        {...form.field('amount')}
        description={`In ${currency}; less than the payment for a partial refund`}
        inputMode="decimal"
        autoComplete="off"
        data-autofocus
      />
      <TextInput {...form.field('refundIdentifier')} description="The credit note or return number" autoComplete="off" />
      <DateTimeField {...form.field('occurredAt')} onChange={form.set('occurredAt')} />
      <TextInput {...form.field('reason')} description="Optional, e.g. Returned: wrong size" autoComplete="off" />
    </CommandForm>
  );
}
