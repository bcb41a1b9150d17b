import { Badge, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { useSession } from '../lib/session-context';
import type { Lifecycle, Projections, Reactions } from '../lib/types';

interface Status {
  readonly projections: Projections | null;
  readonly reactions: Reactions | null;
  readonly lifecycle: Lifecycle | null;
}

const health = (h: { ok?: boolean } | null | undefined) =>
  h == null ? <Badge color="gray">unknown</Badge> : h.ok === false ? <Badge color="red">failing</Badge> : <Badge color="green">healthy</Badge>;

/** How far behind the ledger the read models and the reactions are, and the lifecycle runner's last pass. */
export function StatusPanel({ refreshKey = 0 }: { refreshKey?: number }) {
  const { api, format } = useSession();
  const [status, setStatus] = useState<Status | undefined>();
  useEffect(() => {
    let live = true;
    void Promise.all([
      api.get<Projections>('/projections').catch(() => null),
      api.get<Reactions>('/reactions').catch(() => null),
      api.get<Lifecycle>('/lifecycle').catch(() => null),
    ]).then(([projections, reactions, lifecycle]) => {
      if (live) setStatus({ projections, reactions, lifecycle });
    });
    return () => {
      live = false;
    };
  }, [api, refreshKey]);

  const projection = status?.projections?.projections[0];
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="status-heading">
      <Title order={2} size="h4" id="status-heading" mb="sm">
        Ledger status
      </Title>
      {status === undefined ? (
        <Text size="sm" role="status">
          Loading…
        </Text>
      ) : (
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="md">
          <Stack gap={2}>
            <Text fw={600} component="div">
              Read models {health(projection)}
            </Text>
            {projection ? (
              <Text size="sm">
                {format.count(Number(projection.lag))} events behind (checkpoint {projection.checkpoint} of {status.projections?.head}; {projection.database})
              </Text>
            ) : (
              <Text size="sm">Not available to this key.</Text>
            )}
          </Stack>
          <Stack gap={2}>
            <Text fw={600} component="div">
              Reactions {health(status.reactions)}
            </Text>
            {status.reactions ? (
              <Text size="sm">
                {format.count(Number(status.reactions.lag))} events behind ({status.reactions.mode}); {format.count(status.reactions.refused)} refused
              </Text>
            ) : (
              <Text size="sm">Not available to this key.</Text>
            )}
          </Stack>
          <Stack gap={2}>
            <Text fw={600} component="div">
              Lifecycle {health(status.lifecycle)}
            </Text>
            {status.lifecycle ? (
              <Text size="sm">
                {status.lifecycle.mode}, every{' '}
                {status.lifecycle.intervalMs < 1000
                  ? `${format.count(status.lifecycle.intervalMs)} ms`
                  : `${format.count(status.lifecycle.intervalMs / 1000)} s`}
                ; due now: {format.count(status.lifecycle.due.activations)} activations, {format.count(status.lifecycle.due.expirations)} expiries
                {status.lifecycle.lastRun
                  ? `; last pass ${format.dateTime(status.lifecycle.lastRun.finishedAt)}: ${format.count(status.lifecycle.lastRun.activate.applied)} activated, ${format.count(status.lifecycle.lastRun.expire.applied)} expired, ${format.count(status.lifecycle.lastRun.tier.applied)} tier changes`
                  : '; no pass yet'}
              </Text>
            ) : (
              <Text size="sm">Not available to this key.</Text>
            )}
          </Stack>
        </SimpleGrid>
      )}
    </Card>
  );
}
