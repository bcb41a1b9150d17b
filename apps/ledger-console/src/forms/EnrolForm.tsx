import { TextInput } from '@mantine/core';
import { useState } from 'react';
import { useSession } from '../lib/session-context';
import type { Customer } from '../lib/types';
import { useCommand } from '../lib/use-command';
import { CommandForm, optional } from './common';

const LABELS = { email: 'E-mail', phone: 'Phone', name: 'Name' };
const FIELDS = Object.keys(LABELS);

/** Enrol a customer: an e-mail and/or a phone number (each unique), and a name. */
export function EnrolForm(props: { initial: { email?: string; phone?: string }; onEnrolled: (customer: Customer) => void; onCancel: () => void }) {
  const { api } = useSession();
  const [email, setEmail] = useState(props.initial.email ?? '');
  const [phone, setPhone] = useState(props.initial.phone ?? '');
  const [name, setName] = useState('');
  const command = useCommand(FIELDS);

  const save = async () => {
    const body = { email: optional(email), phone: optional(phone), name: optional(name) };
    const answer = await command.submit(body, (b, key) => api.post<Customer>('/customers', b, key));
    if (answer !== undefined) props.onEnrolled(answer.body);
  };

  return (
    <CommandForm
      label="Enrol a customer"
      submitLabel="Enrol"
      submitting={command.submitting}
      errors={command.errors}
      labels={LABELS}
      onSubmit={() => void save()}
      onCancel={props.onCancel}
    >
      <TextInput
        name="name"
        label={LABELS.name}
        description="Optional"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={command.errors.fields['name']}
        autoComplete="off"
        data-autofocus
      />
      <TextInput
        name="email"
        type="email"
        label={LABELS.email}
        description="E-mail and/or phone"
        value={email}
        onChange={(e) => setEmail(e.currentTarget.value)}
        error={command.errors.fields['email']}
        autoComplete="off"
      />
      <TextInput
        name="phone"
        type="tel"
        label={LABELS.phone}
        description="With country code, e.g. +1 555 010 2000"
        value={phone}
        onChange={(e) => setPhone(e.currentTarget.value)}
        error={command.errors.fields['phone']}
        autoComplete="off"
      />
    </CommandForm>
  );
}
