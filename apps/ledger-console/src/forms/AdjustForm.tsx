import { Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { path } from '../lib/api';
import { useSession } from '../lib/session-context';
import type { Balances } from '../lib/types';
import { useCommand } from '../lib/use-command';
import { CommandForm, integerOrText, optional, type Saved } from './common';

const LABELS = { points: 'Points', reason: 'Reason' };
const FIELDS = Object.keys(LABELS);

/** Adjust points (O2VEND's procedure): a positive or negative number, and the reason, which is required. */
export function AdjustForm({ customerId, onSaved, onCancel }: { customerId: string; onSaved: (saved: Saved) => void; onCancel: () => void }) {
  const { api, format } = useSession();
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const command = useCommand(FIELDS);

  const save = async () => {
    const body = { points: integerOrText(points), reason: optional(reason) };
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
    <CommandForm
      label="Adjust points"
      submitLabel="Save adjustment"
      submitting={command.submitting}
      errors={command.errors}
      labels={LABELS}
      onSubmit={() => void save()}
      onCancel={onCancel}
    >
      <TextInput
        name="points"
        label={LABELS.points}
        description="A whole number; negative (e.g. -5) takes points away"
        value={points}
        onChange={(e) => setPoints(e.currentTarget.value)}
        error={command.errors.fields['points']}
        inputMode="numeric"
        autoComplete="off"
        data-autofocus
      />
      <Textarea
        name="reason"
        label={LABELS.reason}
        description="Required: it is kept with the adjustment in the customer's points history"
        value={reason}
        onChange={(e) => setReason(e.currentTarget.value)}
        error={command.errors.fields['reason']}
        autosize
        minRows={2}
        withAsterisk
      />
    </CommandForm>
  );
}
