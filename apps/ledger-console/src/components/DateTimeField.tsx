import { TextInput } from '@mantine/core';
import { useSession } from '../lib/session-context';

/**
 * A date and time on the branch's wall clock (the program's timezone), as the browser's own
 * date-time control: keyboard-friendly everywhere, a picker on phones.
 */
export function DateTimeField(props: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  description?: string;
  name: string;
}) {
  const { format } = useSession();
  return (
    <TextInput
      type="datetime-local"
      name={props.name}
      label={props.label}
      description={props.description ?? `Branch time (${format.timeZone}). Earlier times are fine.`}
      value={props.value}
      onChange={(event) => props.onChange(event.currentTarget.value)}
      error={props.error}
      step={60}
    />
  );
}
