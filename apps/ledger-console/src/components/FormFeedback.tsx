import { Alert, VisuallyHidden } from '@mantine/core';
import type { FormErrors } from '../lib/problems';

/**
 * The errors of one form, announced: the refusal that is about no field in a visible alert, and
 * the field messages (shown under their fields) read out too, by label, in the same live region.
 */
export function FormFeedback({ errors, labels }: { errors: FormErrors; labels: Readonly<Record<string, string>> }) {
  const fieldLines = Object.entries(errors.fields).map(([field, message]) => `${labels[field] ?? field}: ${message}`);
  return (
    <div role="alert" aria-live="assertive" aria-atomic="true">
      {errors.general !== undefined && (
        <Alert color="red" variant="light" title="Not saved">
          {errors.general}
        </Alert>
      )}
      {fieldLines.length > 0 && <VisuallyHidden>{`Not saved. ${fieldLines.join(' ')}`}</VisuallyHidden>}
    </div>
  );
}
