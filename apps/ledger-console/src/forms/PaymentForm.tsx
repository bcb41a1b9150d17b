import { TextInput } from '@mantine/core';
import { useMemo, useState } from 'react';
import { DateTimeField } from '../components/DateTimeField';
import { path } from '../lib/api';
import { minorDigits, minorOf, pointsFor } from '../lib/money';
import { useSession } from '../lib/session-context';
import { fromLocalInput, toLocalInput } from '../lib/time';
import type { PaymentAnswer } from '../lib/types';
import { useCommand } from '../lib/use-command';
import { CommandForm, optional, type Saved } from './common';

const LABELS = { locationId: 'Location', amount: 'Purchase amount', purchaseIdentifier: 'Purchase identifier', occurredAt: 'Time of visit' };
const FIELDS = Object.keys(LABELS);

/**
 * Add a visit / Payment (Appfront's back-office procedure): branch, purchase amount, purchase
 * identifier and time of visit. A store payment is also a purchase visit; it earns
 * floor(amount × points per unit) points.
 */
export function PaymentForm({
  customerId,
  locations,
  onSaved,
  onCancel,
}: {
  customerId: string;
  locations: readonly string[];
  onSaved: (saved: Saved) => void;
  onCancel: () => void;
}) {
  const { api, program, format } = useSession();
  const [locationId, setLocationId] = useState(locations[0] ?? '');
  const [amount, setAmount] = useState('');
  const [purchaseIdentifier, setPurchaseIdentifier] = useState('');
  // "Now" when the form opened, to the minute: the same values on a retry are the same request.
  const [occurredAt, setOccurredAt] = useState(() => toLocalInput(new Date(), format.timeZone));
  const command = useCommand(FIELDS);

  const currency = program?.currency ?? 'USD';
  const preview = useMemo(() => (program ? pointsFor(amount, currency, program.pointsPerUnit) : undefined), [amount, currency, program]);
  const ratio = program
    ? `${program.pointsPerUnit} point${program.pointsPerUnit === '1' ? '' : 's'} per ${format.money(10 ** minorDigits(currency), currency)}`
    : '';

  const save = async () => {
    const body = {
      locationId: optional(locationId),
      amount: optional(amount),
      purchaseIdentifier: optional(purchaseIdentifier),
      occurredAt: fromLocalInput(occurredAt, format.timeZone) ?? optional(occurredAt),
    };
    const answer = await command.submit(body, (b, key) => api.post<PaymentAnswer>(path`/customers/${customerId}/payments`, b, key));
    if (answer === undefined) return;
    const p = answer.body;
    const points =
      p.activatesAt === null
        ? `${format.signedPoints(p.pointsEarned)} points`
        : `${format.signedPoints(p.pointsEarned)} points, pending until ${format.dateTime(p.activatesAt)}`;
    onSaved({
      message: `Payment ${p.purchaseIdentifier} of ${format.money(minorOf(p.amount, p.currency) ?? 0, p.currency)} recorded: ${points}.`,
      position: p.position,
    });
  };

  return (
    <CommandForm
      label="Add a visit / Payment"
      submitLabel="Add a visit / Payment"
      submitting={command.submitting}
      errors={command.errors}
      labels={LABELS}
      onSubmit={() => void save()}
      onCancel={onCancel}
    >
      <TextInput
        name="locationId"
        label={LABELS.locationId}
        description="The branch, e.g. store-1"
        value={locationId}
        onChange={(e) => setLocationId(e.currentTarget.value)}
        onFocus={(e) => e.currentTarget.select()}
        error={command.errors.fields['locationId']}
        list="known-locations"
        autoComplete="off"
        data-autofocus
      />
      <TextInput
        name="amount"
        label={LABELS.amount}
        description={preview === undefined ? `In ${currency}, e.g. 49.99${ratio ? ` · ${ratio}` : ''}` : `Earns ${format.points(preview)} points at ${ratio}`}
        value={amount}
        onChange={(e) => setAmount(e.currentTarget.value)}
        error={command.errors.fields['amount']}
        inputMode="decimal"
        autoComplete="off"
        leftSection={<span aria-hidden="true">{currency}</span>}
        leftSectionWidth={48}
      />
      <TextInput
        name="purchaseIdentifier"
        label={LABELS.purchaseIdentifier}
        description="Usually the receipt number"
        value={purchaseIdentifier}
        onChange={(e) => setPurchaseIdentifier(e.currentTarget.value)}
        error={command.errors.fields['purchaseIdentifier']}
        autoComplete="off"
      />
      <DateTimeField name="occurredAt" label={LABELS.occurredAt} value={occurredAt} onChange={setOccurredAt} error={command.errors.fields['occurredAt']} />
      <datalist id="known-locations">
        {locations.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
    </CommandForm>
  );
}
