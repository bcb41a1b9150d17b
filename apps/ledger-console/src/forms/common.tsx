import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { FormFeedback } from '../components/FormFeedback';
import type { FormErrors } from '../lib/problems';
import { fromLocalInput, toLocalInput } from '../lib/time';
import { useCommand } from '../lib/use-command';

/** What a command form reports when the ledger accepted it. */
export interface Saved {
  /** One sentence for the status line ("Payment R-1001 recorded: +50 points."). */
  readonly message: string;
  readonly position: string;
}

/** What every form of a command on one customer is given: the customer, and what to do once saved or cancelled. */
export interface CustomerFormProps {
  readonly customerId: string;
  readonly onSaved: (saved: Saved) => void;
  readonly onCancel: () => void;
}

/** The props every field of a command form takes from it: its name, label, value, change and error. */
export interface FieldProps {
  readonly name: string;
  readonly label: string;
  readonly value: string;
  readonly onChange: (event: { readonly currentTarget: { readonly value: string } }) => void;
  readonly error: string | undefined;
}

/**
 * A command form's state: the text typed in each field (by the field names of `labels`), its
 * submissions (`useCommand`, whose errors name the same fields), and `field(name)`, the props
 * that field's input takes.
 */
export function useCommandForm<K extends string>(labels: Readonly<Record<K, string>>, initial: () => Record<K, string>) {
  const [values, setValues] = useState(initial);
  const fields = useMemo(() => Object.keys(labels), [labels]);
  const command = useCommand(fields);
  const set = (name: K) => (value: string) => setValues((v) => ({ ...v, [name]: value }));
  const field = (name: K): FieldProps => ({
    name,
    label: labels[name],
    value: values[name],
    // The value read now: React empties `currentTarget` once the event is handled, before the update runs.
    onChange: (event) => set(name)(event.currentTarget.value),
    error: command.errors.fields[name],
  });
  return { values, set, field, labels, command };
}

/** A command form: its fields, the errors (announced), and Save / Cancel. Enter in a field submits. */
export function CommandForm(props: {
  form: { readonly labels: Readonly<Record<string, string>>; readonly command: { readonly submitting: boolean; readonly errors: FormErrors } };
  label: string;
  submitLabel: string;
  onSubmit: () => Promise<void>;
  onCancel: () => void;
  children: ReactNode;
}) {
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    void props.onSubmit();
  };
  return (
    <form onSubmit={onSubmit} aria-label={props.label} noValidate>
      <Stack gap="sm">
        {props.children}
        <FormFeedback errors={props.form.command.errors} labels={props.form.labels} />
        <Group justify="flex-end" gap="sm" wrap="wrap">
          <Button variant="default" onClick={props.onCancel} type="button">
            Cancel
          </Button>
          <Button type="submit" loading={props.form.command.submitting}>
            {props.submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The branch a visit or a payment happened at: typed, or picked from the branches the ledger knows. */
export function LocationField({ listId, locations, ...field }: FieldProps & { listId: string; locations: readonly string[] }) {
  return (
    <>
      <TextInput {...field} description="The branch, e.g. store-1" onFocus={(e) => e.currentTarget.select()} list={listId} autoComplete="off" data-autofocus />
      <datalist id={listId}>
        {locations.map((l) => (
          <option key={l} value={l} />
        ))}
      </datalist>
    </>
  );
}

/** "Now" on the branch's wall clock when the form opened, to the minute: the same values on a retry are the same request. */
export const nowOnWallClock = (timeZone: string): string => toLocalInput(new Date(), timeZone);

/** The instant a wall-clock time stands for, else the text itself: the API says what is wrong with it. */
export const instantOrText = (text: string, timeZone: string): string | undefined => fromLocalInput(text, timeZone) ?? optional(text);

/** `Number("-5")` for a whole number as typed, else the text itself: the API says what is wrong with it. */
export const integerOrText = (text: string): number | string | undefined =>
  /^\s*[-−]?\d{1,12}\s*$/.test(text) ? Number(text.trim().replace('−', '-')) : optional(text);

/** A text field, trimmed, and left out of the body when empty: the API then names it as required. */
export const optional = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());
