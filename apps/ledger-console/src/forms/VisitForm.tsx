import { NativeSelect, Textarea } from '@mantine/core';
import { DateTimeField } from '../components/DateTimeField';
import { path } from '../lib/api';
import { useSession } from '../lib/session-context';
import { CommandForm, instantOrText, LocationField, nowOnWallClock, optional, useCommandForm, type CustomerFormProps } from './common';

const LABELS = { locationId: 'Location', occurredAt: 'Date', kind: 'Kind', notes: 'Notes' };
const KINDS = [
  { value: 'browse', label: 'Browse (no purchase)' },
  { value: 'service', label: 'Service (alterations, styling)' },
  { value: 'event', label: 'Event' },
  { value: 'pickup', label: 'Pickup (click and collect)' },
];

/** New Visit (Omneo's procedure): location, date, kind and notes; a visit without a purchase. */
export function VisitForm({ customerId, locations, onSaved, onCancel }: CustomerFormProps & { locations: readonly string[] }) {
  const { api, format } = useSession();
  const form = useCommandForm(LABELS, () => ({ locationId: locations[0] ?? '', occurredAt: nowOnWallClock(format.timeZone), kind: 'browse', notes: '' }));
  const { values, command } = form;

  const save = async () => {
    const body = {
      locationId: optional(values.locationId),
      occurredAt: instantOrText(values.occurredAt, format.timeZone),
      kind: values.kind,
      notes: optional(values.notes),
    };
    const answer = await command.submit(body, (b, key) =>
      api.post<{ visitId: string; kind: string; locationId: string; position: string }>(path`/customers/${customerId}/visits`, b, key),
    );
    if (answer === undefined) return;
    onSaved({ message: `Visit (${answer.body.kind}) at ${answer.body.locationId} recorded.`, position: answer.body.position });
  };

  return (
    <CommandForm form={form} label="New Visit" submitLabel="Save visit" onSubmit={save} onCancel={onCancel}>
      <LocationField {...form.field('locationId')} listId="known-locations-visit" locations={locations} />
      <DateTimeField {...form.field('occurredAt')} onChange={form.set('occurredAt')} />
      <NativeSelect {...form.field('kind')} data={KINDS} />
      <Textarea {...form.field('notes')} description="Optional, up to 1,000 characters" autosize minRows={2} />
    </CommandForm>
  );
}
