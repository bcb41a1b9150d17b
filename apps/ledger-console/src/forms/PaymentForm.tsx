import { TextInput } from '@mantine/core';
import { useMemo } from 'react';
import { DateTimeField } from '../components/DateTimeField';
import { path } from '../lib/api';
import { minorDigits, minorOf, pointsFor } from '../lib/money';
import { useSession } from '../lib/session-context';
import type { PaymentAnswer } from '../lib/types';
import { CommandForm, instantOrText, LocationField, nowOnWallClock, optional, useCommandForm, type CustomerFormProps } from './common';

const LABELS = { locationId: 'Location', amount: 'Purchase amount', purchaseIdentifier: 'Purchase identifier', occurredAt: 'Time of visit' };

/**
 * Add a visit / Payment (Appfront's back-office procedure): branch, purchase amount, purchase
 * identifier and time of visit. A store payment is also a purchase visit; it earns
 * floor(amount × points per unit) points.
 */
export function PaymentForm({ customerId, locations, onSaved, onCancel }: CustomerFormProps & { locations: readonly string[] }) {
  const { api, program, format } = useSession();
  const form = useCommandForm(LABELS, () => ({
    locationId: locations[0] ?? '',
    amount: '',
    purchaseIdentifier: '',
    occurredAt: nowOnWallClock(format.timeZone),
  }));
  const { values, command } = form;

  const currency = program?.currency ?? 'USD';
  const preview = useMemo(() => (program ? pointsFor(values.amount, currency, program.pointsPerUnit) : undefined), [values.amount, currency, program]);
  const ratio = program
    ? `${program.pointsPerUnit} point${program.pointsPerUnit === '1' ? '' : 's'} per ${format.money(10 ** minorDigits(currency), currency)}`
    : '';

  const save = async () => {
    const body = {
      locationId: optional(values.locationId),
      amount: optional(values.amount),
      purchaseIdentifier: optional(values.purchaseIdentifier),
      occurredAt: instantOrText(values.occurredAt, format.timeZone),
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
    <CommandForm form={form} label="Add a visit / Payment" submitLabel="Add a visit / Payment" onSubmit={save} onCancel={onCancel}>
      <LocationField {...form.field('locationId')} listId="known-locations" locations={locations} />
      <TextInput
        {...form.field('amount')}
        description={preview === undefined ? `In ${currency}, e.g. 49.99${ratio ? ` · ${ratio}` : ''}` : `Earns ${format.points(preview)} points at ${ratio}`}
        inputMode="decimal"
        autoComplete="off"
        leftSection={<span aria-hidden="true">{currency}</span>}
        leftSectionWidth={48}
      />
      <TextInput {...form.field('purchaseIdentifier')} description="Usually the receipt number" autoComplete="off" />
      <DateTimeField {...form.field('occurredAt')} onChange={form.set('occurredAt')} />
    </CommandForm>
  );
}
