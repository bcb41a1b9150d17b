import { Badge, Button, Card, Group, Stack, Table, Text, VisuallyHidden } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import type { ReactNode } from 'react';
import type { Described } from '../lib/entries';
import type { Format } from '../lib/format';

export interface EntryRow {
  readonly key: string;
  readonly occurredAt: string;
  readonly recordedAt: string;
  readonly described: Described;
  readonly locationId: string | null;
  readonly pointsDelta: number;
  readonly balanceAfter: number;
  readonly actor: string | null;
  /** A button for the row (Refund), if any. */
  readonly action?: ReactNode;
}

const BACKDATED_MS = 10 * 60_000;

/**
 * Ledger entries with the running balance: a table on a wide screen, a list of cards on a phone.
 * The caption names what is listed, for screen readers as much as for the eye.
 */
export function EntryList({ rows, caption, format, empty }: { rows: readonly EntryRow[]; caption: string; format: Format; empty: string }) {
  const narrow = useMediaQuery('(max-width: 48em)') ?? false;
  if (rows.length === 0)
    return (
      <Text c="dimmed" py="md">
        {empty}
      </Text>
    );
  const recorded = (row: EntryRow) =>
    Math.abs(Date.parse(row.recordedAt) - Date.parse(row.occurredAt)) > BACKDATED_MS ? `recorded ${format.dateTime(row.recordedAt)}` : undefined;
  if (narrow) {
    return (
      <Stack gap="xs" component="ol" aria-label={caption} style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {rows.map((row) => (
          <Card key={row.key} component="li" withBorder padding="sm">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div>
                <Badge color={row.described.color} variant="light">
                  {row.described.label}
                </Badge>
                <Text size="sm" mt={4}>
                  {format.dateTime(row.occurredAt)}
                  {row.locationId ? ` · ${row.locationId}` : ''}
                </Text>
                {row.described.details.map((d) => (
                  <Text key={d} size="sm" c="dimmed" style={{ overflowWrap: 'anywhere' }}>
                    {d}
                  </Text>
                ))}
                {recorded(row) && (
                  <Text size="xs" c="dimmed">
                    {recorded(row)}
                  </Text>
                )}
              </div>
              <div style={{ textAlign: 'right', flexShrink: 0 }}>
                <Text fw={600} c={row.pointsDelta < 0 ? 'red.8' : row.pointsDelta > 0 ? 'green.8' : undefined}>
                  {format.signedPoints(row.pointsDelta)}
                </Text>
                <Text size="xs" c="dimmed">
                  balance {format.points(row.balanceAfter)}
                </Text>
              </div>
            </Group>
            {row.action && <Group mt="xs">{row.action}</Group>}
          </Card>
        ))}
      </Stack>
    );
  }
  return (
    <Table striped highlightOnHover verticalSpacing="xs" stickyHeader>
      <Table.Caption>{caption}</Table.Caption>
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">Occurred</Table.Th>
          <Table.Th scope="col">Entry</Table.Th>
          <Table.Th scope="col">Location</Table.Th>
          <Table.Th scope="col">Details</Table.Th>
          <Table.Th scope="col" style={{ textAlign: 'right' }}>
            Points
          </Table.Th>
          <Table.Th scope="col" style={{ textAlign: 'right' }}>
            Balance
          </Table.Th>
          <Table.Th scope="col">
            <VisuallyHidden>Actions</VisuallyHidden>
          </Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((row) => (
          <Table.Tr key={row.key}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>
              {format.dateTime(row.occurredAt)}
              {recorded(row) && (
                <Text size="xs" c="dimmed">
                  {recorded(row)}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Badge color={row.described.color} variant="light">
                {row.described.label}
              </Badge>
            </Table.Td>
            <Table.Td>{row.locationId ?? ''}</Table.Td>
            <Table.Td>
              {row.described.details.join(' · ')}
              {row.actor && (
                <Text size="xs" c="dimmed">
                  by {row.actor}
                </Text>
              )}
            </Table.Td>
            <Table.Td
              style={{ textAlign: 'right', fontWeight: 600, whiteSpace: 'nowrap' }}
              c={row.pointsDelta < 0 ? 'red.8' : row.pointsDelta > 0 ? 'green.8' : undefined}
            >
              {format.signedPoints(row.pointsDelta)}
            </Table.Td>
            <Table.Td style={{ textAlign: 'right' }}>{format.points(row.balanceAfter)}</Table.Td>
            <Table.Td>{row.action}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function LoadMore({ onClick, loading, label }: { onClick: () => void; loading: boolean; label: string }) {
  return (
    <Group justify="center" mt="sm">
      <Button variant="default" onClick={onClick} loading={loading}>
        {label}
      </Button>
    </Group>
  );
}
