import { Button, Group, Stack } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { FormFeedback } from '../components/FormFeedback';
import type { FormErrors } from '../lib/problems';

/** What a command form reports when the ledger accepted it. */
export interface Saved {
  /** One sentence for the status line ("Payment R-1001 recorded: +50 points."). */
  readonly message: string;
  readonly position: string;
}

/** A command form: its fields, the errors (announced), and Save / Cancel. Enter in a field submits. */
export function CommandForm(props: {
  label: string;
  submitLabel: string;
  submitting: boolean;
  errors: FormErrors;
  labels: Readonly<Record<string, string>>;
  onSubmit: () => void;
  onCancel: () => void;
  children: ReactNode;
}) {
  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    props.onSubmit();
  };
  return (
    <form onSubmit={onSubmit} aria-label={props.label} noValidate>
      <Stack gap="sm">
        {props.children}
        <FormFeedback errors={props.errors} labels={props.labels} />
        <Group justify="flex-end" gap="sm" wrap="wrap">
          <Button variant="default" onClick={props.onCancel} type="button">
            Cancel
          </Button>
          <Button type="submit" loading={props.submitting}>
            {props.submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** `Number("-5")` for a whole number as typed, else the text itself: the API says what is wrong with it. */
export const integerOrText = (text: string): number | string | undefined =>
  /^\s*[-−]?\d{1,12}\s*$/.test(text) ? Number(text.trim().replace('−', '-')) : optional(text);

/** A text field, trimmed, and left out of the body when empty: the API then names it as required. */
export const optional = (text: string): string | undefined => (text.trim() === '' ? undefined : text.trim());
