import { Textarea, TextInput } from '@mantine/core';
import { path } from '../lib/api';
import { useSession } from '../lib/session-context';
import type { Balances } from '../lib/types';
import { CommandForm, integerOrText, optional, useCommandForm, type CustomerFormProps } from './common';

const LABELS = { points: 'Points', reason: 'Reason' };

/** Adjust points (O2VEND's procedure): a positive or negative number, and the reason, which is required. */
export function AdjustForm({ customerId, onSaved, onCancel }: CustomerFormProps) {
  const { api, format } = useSession();
  const form = useCommandForm(LABELS, () => ({ points: '', reason: '' }));
  const { values, command } = form;

  const save = async () => {
    const body = { points: integerOrText(values.points), reason: optional(values.reason) };
    const answer = await command.submit(body, (b, key) =>
      api.post<Balances & { points: number; reason: string }>(path`/customers/${customerId}/adjustments`, b, key),
    );
    if (answer === undefined) return;
    onSaved({
      message: `Points adjusted by ${format.signedPoints(answer.body.points)} (${answer.body.reason}). Balance: ${format.points(answer.body.balance)} points.`,
      position: answer.body.position,
    });
  };

  return (
    <CommandForm form={form} label="Adjust points" submitLabel="Save adjustment" onSubmit={save} onCancel={onCancel}>
      <TextInput
        {...form.field('points')}
        description="A whole number; negative (e.g. -5) takes points away"
        inputMode="numeric"
        autoComplete="off"
        data-autofocus
      />
      <Textarea
        {...form.field('reason')}
        description="Required: it is kept with the adjustment in the customer's points history"
        autosize
        minRows={2}
        withAsterisk
      />
    </CommandForm>
  );
}
