import { useCallback, useRef, useState } from 'react';
import { ApiError, NetworkError, newIdempotencyKey } from './api';
import { formErrors, NO_ERRORS, type FormErrors } from './problems';

/**
 * One form's submissions, each with an Idempotency-Key. The key belongs to the request it was made
 * for: submitting the same values again (a double click, a retry after a network error or a 503)
 * sends the same key, so the ledger answers the first result again instead of recording twice;
 * changed values are a new request with a new key. A second submission while one is in flight is
 * not sent at all.
 */
export function useCommand(fields: readonly string[]) {
  const pending = useRef<{ readonly key: string; readonly request: string } | null>(null);
  const inFlight = useRef(false);
  const [submitting, setSubmitting] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);

  const submit = useCallback(
    async <T>(body: unknown, send: (body: unknown, idempotencyKey: string) => Promise<T>): Promise<T | undefined> => {
      if (inFlight.current) return undefined;
      const request = JSON.stringify(body);
      if (pending.current?.request !== request) pending.current = { key: newIdempotencyKey(), request };
      const { key } = pending.current;
      inFlight.current = true;
      setSubmitting(true);
      try {
        const result = await send(body, key);
        pending.current = null;
        setErrors(NO_ERRORS);
        return result;
      } catch (error) {
        if (error instanceof ApiError) {
          // Refused (4xx but 408/429): nothing was written, the next attempt is a new request.
          // Not written in time (503) or over the rate (429): retry with the same key.
          if (error.status < 500 && error.status !== 408 && error.status !== 429) pending.current = null;
          setErrors(formErrors(error.problem, fields));
        } else if (error instanceof NetworkError) {
          setErrors({
            fields: {},
            general: `${error.message} Sending the form again is safe: the ledger recognises a repeated request and records it once.`,
          });
        } else {
          pending.current = null;
          setErrors({ fields: {}, general: error instanceof Error ? error.message : String(error) });
        }
        return undefined;
      } finally {
        inFlight.current = false;
        setSubmitting(false);
      }
    },
    [fields],
  );

  const reset = useCallback(() => {
    pending.current = null;
    setErrors(NO_ERRORS);
  }, []);

  return { submit, submitting, errors, setErrors, reset };
}
