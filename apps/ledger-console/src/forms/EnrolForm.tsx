import { TextInput } from '@mantine/core';
import { useSession } from '../lib/session-context';
import type { Customer } from '../lib/types';
import { CommandForm, optional, useCommandForm } from './common';

const LABELS = { email: 'E-mail', phone: 'Phone', name: 'Name' };

/** Enrol a customer: an e-mail and/or a phone number (each unique), and a name. */
export function EnrolForm(props: { initial: { email?: string; phone?: string }; onEnrolled: (customer: Customer) => void; onCancel: () => void }) {
  const { api } = useSession();
  const form = useCommandForm(LABELS, () => ({ email: props.initial.email ?? '', phone: props.initial.phone ?? '', name: '' }));
  const { values, command } = form;

  const save = async () => {
    const body = { email: optional(values.email), phone: optional(values.phone), name: optional(values.name) };
    const answer = await command.submit(body, (b, key) => api.post<Customer>('/customers', b, key));
    if (answer !== undefined) props.onEnrolled(answer.body);
  };

  return (
    <CommandForm form={form} label="Enrol a customer" submitLabel="Enrol" onSubmit={save} onCancel={props.onCancel}>
      <TextInput {...form.field('name')} description="Optional" autoComplete="off" data-autofocus />
      <TextInput {...form.field('email')} type="email" description="E-mail and/or phone" autoComplete="off" />
      <TextInput {...form.field('phone')} type="tel" description="With country code, e.g. +1 555 010 2000" autoComplete="off" />
    </CommandForm>
  );
}
