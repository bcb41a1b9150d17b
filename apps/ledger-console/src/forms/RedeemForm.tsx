import { TextInput } from '@mantine/core';
import { useState } from 'react';
import { path } from '../lib/api';
import { useSession } from '../lib/session-context';
import type { Balances } from '../lib/types';
import { useCommand } from '../lib/use-command';
import { CommandForm, integerOrText, optional, type Saved } from './common';

const LABELS = { points: 'Points to redeem', reference: 'Reference', reason: 'Reason' };
const FIELDS = Object.keys(LABELS);

/** Redeem: points the customer spends, with an optional voucher reference and reason. */
export function RedeemForm({
  customerId,
  available,
  onSaved,
  onCancel,
}: {
  customerId: string;
  available: number;
  onSaved: (saved: Saved) => void;
  onCancel: () => void;
}) {
  const { api, format } = useSession();
  const [points, setPoints] = useState('');
  const [reference, setReference] = useState('');
  const [reason, setReason] = useState('');
  const command = useCommand(FIELDS);

  const save = async () => {
    const body = { points: integerOrText(points), reference: optional(reference), reason: optional(reason) };
    const answer = await command.submit(body, (b, key) => api.post<Balances & { points: number }>(path`/customers/${customerId}/redemptions`, b, key));
    if (answer === undefined) return;
    onSaved({
      message: `${format.points(answer.body.points)} points redeemed. Balance: ${format.points(answer.body.balance)} points.`,
      position: answer.body.position,
    });
  };

  return (
    <CommandForm
      label="Redeem points"
      submitLabel="Redeem"
      submitting={command.submitting}
      errors={command.errors}
      labels={LABELS}
      onSubmit={() => void save()}
      onCancel={onCancel}
    >
      <TextInput
        name="points"
        label={LABELS.points}
        description={`Available now: ${format.points(available)} points`}
        value={points}
        onChange={(e) => setPoints(e.currentTarget.value)}
        error={command.errors.fields['points']}
        inputMode="numeric"
        autoComplete="off"
        data-autofocus
      />
      <TextInput
        name="reference"
        label={LABELS.reference}
        description="Optional, e.g. the voucher number"
        value={reference}
        onChange={(e) => setReference(e.currentTarget.value)}
        error={command.errors.fields['reference']}
        autoComplete="off"
      />
      <TextInput
        name="reason"
        label={LABELS.reason}
        description="Optional"
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        error={command.errors.fields['reason']}
        autoComplete="off"
      />
    </CommandForm>
  );
}
