import { NativeSelect, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { DateTimeField } from '../components/DateTimeField';
import { path } from '../lib/api';
import { useSession } from '../lib/session-context';
import { fromLocalInput, toLocalInput } from '../lib/time';
import { useCommand } from '../lib/use-command';
import { CommandForm, optional, type Saved } from './common';

const LABELS = { locationId: 'Location', occurredAt: 'Date', kind: 'Kind', notes: 'Notes' };
const FIELDS = Object.keys(LABELS);
const KINDS = [
  { value: 'browse', label: 'Browse (no purchase)' },
  { value: 'service', label: 'Service (alterations, styling)' },
  { value: 'event', label: 'Event' },
  { value: 'pickup', label: 'Pickup (click and collect)' },
];

/** New Visit (Omneo's procedure): location, date, kind and notes; a visit without a purchase. */
export function VisitForm({
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
  const { api, format } = useSession();
  const [locationId, setLocationId] = useState(locations[0] ?? '');
  const [occurredAt, setOccurredAt] = useState(() => toLocalInput(new Date(), format.timeZone));
  const [kind, setKind] = useState('browse');
  const [notes, setNotes] = useState('');
  const command = useCommand(FIELDS);

  const save = async () => {
    const body = {
      locationId: optional(locationId),
      occurredAt: fromLocalInput(occurredAt, format.timeZone) ?? optional(occurredAt),
      kind,
      notes: optional(notes),
    };
    const answer = await command.submit(body, (b, key) =>
      api.post<{ visitId: string; kind: string; locationId: string; position: string }>(path`/customers/${customerId}/visits`, b, key),
    );
    if (answer === undefined) return;
    onSaved({ message: `Visit (${answer.body.kind}) at ${answer.body.locationId} recorded.`, position: answer.body.position });
  };

  return (
    <CommandForm
      label="New Visit"
      submitLabel="Save visit"
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
        list="known-locations-visit"
        autoComplete="off"
        data-autofocus
      />
      <DateTimeField name="occurredAt" label={LABELS.occurredAt} value={occurredAt} onChange={setOccurredAt} error={command.errors.fields['occurredAt']} />
      <NativeSelect
        name="kind"
        label={LABELS.kind}
        data={KINDS}
        value={kind}
        onChange={(e) => setKind(e.currentTarget.value)}
        error={command.errors.fields['kind']}
      />
      <Textarea
        name="notes"
        label={LABELS.notes}
        description="Optional, up to 1,000 characters"
        value={notes}
        onChange={(e) => setNotes(e.currentTarget.value)}
        error={command.errors.fields['notes']}
        autosize
        minRows={2}
      />
      <datalist id="known-locations-visit">
        {locations.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
    </CommandForm>
  );
}
