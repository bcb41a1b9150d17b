import { Alert, Button, Group, SegmentedControl, SimpleGrid, Stack, Text } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiError, NetworkError, path, query } from '../lib/api';
import { describeHistory } from '../lib/entries';
import { plainMessage } from '../lib/problems';
import { useSession } from '../lib/session-context';
import { fromLocalInput } from '../lib/time';
import type { History } from '../lib/types';
import { DateTimeField } from './DateTimeField';
import { EntryList } from './EntryList';
import { Stat } from './Stat';

/**
 * The auditor's view: the customer's ledger replayed from the event store as of an instant, on
 * recorded time (what the ledger said then) or business time (what we now know had happened by
 * then), and the same as CSV.
 */
export function HistoryPanel({ customerId }: { customerId: string }) {
  const { api, format } = useSession();
  // Empty: now (everything recorded so far); a date-time to the minute would leave out the current minute.
  const [asOf, setAsOf] = useState('');
  const [basis, setBasis] = useState<'recorded' | 'occurred'>('recorded');
  const [history, setHistory] = useState<History | undefined>();
  const [loading, setLoading] = useState(false);
  const [downloading, setDownloading] = useState(false);
  const [error, setError] = useState<{ field?: string; general?: string }>({});

  const params = () => {
    const instant = fromLocalInput(asOf, format.timeZone);
    return { asOf: instant ?? (asOf.trim() === '' ? undefined : asOf), basis };
  };

  const problemText = (e: unknown): { field?: string; general?: string } => {
    if (e instanceof ApiError && e.problem.errors?.some((x) => x.path === 'asOf'))
      return { field: plainMessage(e.problem.errors.find((x) => x.path === 'asOf')!.message) };
    if (e instanceof ApiError) return { general: e.problem.detail ?? e.message };
    if (e instanceof NetworkError) return { general: e.message };
    throw e;
  };

  const show = async (event: FormEvent) => {
    event.preventDefault();
    setLoading(true);
    setError({});
    try {
      setHistory(await api.get<History>(`${path`/customers/${customerId}/history`}${query(params())}`));
    } catch (e) {
      setError(problemText(e));
    } finally {
      setLoading(false);
    }
  };

  const download = async () => {
    setDownloading(true);
    setError({});
    try {
      // Fetched with the key in the Authorization header, then saved from memory: no key in any URL.
      const { blob, filename } = await api.download(`${path`/customers/${customerId}/history.csv`}${query(params())}`);
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename ?? `ledger-${customerId}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(problemText(e));
    } finally {
      setDownloading(false);
    }
  };

  return (
    <Stack gap="md">
      <form onSubmit={(e) => void show(e)} aria-label="History as of an instant" noValidate>
        <Group align="flex-end" gap="md" wrap="wrap">
          <div style={{ minWidth: 240 }}>
            <DateTimeField
              name="asOf"
              label="As of"
              description={`Program time (${format.timeZone}); empty: now`}
              value={asOf}
              onChange={setAsOf}
              error={error.field}
            />
          </div>
          <div role="group" aria-labelledby="basis-label">
            <Text id="basis-label" size="sm" fw={500} mb={4}>
              Basis
            </Text>
            <SegmentedControl
              value={basis}
              onChange={setBasis}
              data={[
                { value: 'recorded', label: 'Recorded by then' },
                { value: 'occurred', label: 'Occurred by then' },
              ]}
            />
          </div>
          <Button type="submit" loading={loading}>
            Show history
          </Button>
          <Button type="button" variant="default" onClick={() => void download()} loading={downloading}>
            Download CSV
          </Button>
        </Group>
      </form>
      <div role="alert" aria-live="assertive">
        {error.general && (
          <Alert color="red" variant="light">
            {error.general}
          </Alert>
        )}
      </div>
      <div aria-live="polite">
        {history && (
          <Stack gap="sm">
            <Text size="sm">
              {history.basis === 'recorded' ? 'What the ledger said' : 'What had happened'} as of{' '}
              {history.asOf === null ? 'now' : format.dateTime(history.asOf)}: {history.entries.length} entries, replayed from the event store.
            </Text>
            <SimpleGrid cols={{ base: 3 }} spacing="sm">
              <Stat label="Available then" value={format.points(history.balance)} />
              <Stat label="Pending then" value={format.points(history.pending)} />
              <Stat label="Owed then" value={format.points(history.owed)} />
            </SimpleGrid>
            <EntryList
              format={format}
              caption={`History as of ${history.asOf === null ? 'now' : format.dateTime(history.asOf)} (${history.basis} basis), oldest first`}
              empty="Nothing had been recorded by then."
              rows={history.entries.map((e) => ({
                key: e.eventId,
                occurredAt: e.occurredAt,
                recordedAt: e.recordedAt,
                described: describeHistory(e, format),
                locationId: e.locationId ?? null,
                pointsDelta: e.pointsDelta,
                balanceAfter: e.balanceAfter,
                actor: e.actor,
              }))}
            />
          </Stack>
        )}
      </div>
    </Stack>
  );
}
