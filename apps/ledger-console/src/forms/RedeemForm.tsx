import { TextInput } from '@mantine/core';
import { path } from '../lib/api';
import { useSession } from '../lib/session-context';
import type { Balances } from '../lib/types';
import { CommandForm, integerOrText, optional, useCommandForm, type CustomerFormProps } from './common';

const LABELS = { points: 'Points to redeem', reference: 'Reference', reason: 'Reason' };

/** Redeem: points the customer spends, with an optional voucher reference and reason. */
export function RedeemForm({ customerId, available, onSaved, onCancel }: CustomerFormProps & { available: number }) {
  const { api, format } = useSession();
  const form = useCommandForm(LABELS, () => ({ points: '', reference: '', reason: '' }));
  const { values, command } = form;

  const save = async () => {
    const body = { points: integerOrText(values.points), reference: optional(values.reference), reason: optional(values.reason) };
    const answer = await command.submit(body, (b, key) => api.post<Balances & { points: number }>(path`/customers/${customerId}/redemptions`, b, key));
    if (answer === undefined) return;
    onSaved({
      message: `${format.points(answer.body.points)} points redeemed. Balance: ${format.points(answer.body.balance)} points.`,
      position: answer.body.position,
    });
  };

  return (
    <CommandForm form={form} label="Redeem points" submitLabel="Redeem" onSubmit={save} onCancel={onCancel}>
      <TextInput
        {...form.field('points')}
        description={`Available now: ${format.points(available)} points`}
        inputMode="numeric"
        autoComplete="off"
        data-autofocus
      />
      <TextInput {...form.field('reference')} description="Optional, e.g. the voucher number" autoComplete="off" />
      <TextInput {...form.field('reason')} description="Optional" autoComplete="off" />
    </CommandForm>
  );
}
