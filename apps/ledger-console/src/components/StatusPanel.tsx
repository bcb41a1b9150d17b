import { Badge, Card, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
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
          <StatusItem
            title="Read models"
            of={projection}
            detail={(p) => (
              <>
                {format.count(Number(p.lag))} events behind (checkpoint {p.checkpoint} of {status.projections?.head}; {p.database})
              </>
            )}
          />
          <StatusItem
            title="Reactions"
            of={status.reactions}
            detail={(r) => (
              <>
                {format.count(Number(r.lag))} events behind ({r.mode}); {format.count(r.refused)} refused
              </>
            )}
          />
          <StatusItem
            title="Lifecycle"
            of={status.lifecycle}
            detail={(l) => (
              <>
                {l.mode}, every {l.intervalMs < 1000 ? `${format.count(l.intervalMs)} ms` : `${format.count(l.intervalMs / 1000)} s`}; due now:{' '}
                {format.count(l.due.activations)} activations, {format.count(l.due.expirations)} expiries
                {l.lastRun
                  ? `; last pass ${format.dateTime(l.lastRun.finishedAt)}: ${format.count(l.lastRun.activate.applied)} activated, ${format.count(l.lastRun.expire.applied)} expired, ${format.count(l.lastRun.tier.applied)} tier changes`
                  : '; no pass yet'}
              </>
            )}
          />
        </SimpleGrid>
      )}
    </Card>
  );
}

/** One part of the ledger: its name and health, and what it reports, when this key may read it. */
function StatusItem<T extends { ok?: boolean }>({ title, of, detail }: { title: string; of: T | null | undefined; detail: (part: T) => ReactNode }) {
  return (
    <Stack gap={2}>
      <Text fw={600} component="div">
        {title} {health(of)}
      </Text>
      <Text size="sm">{of ? detail(of) : 'Not available to this key.'}</Text>
    </Stack>
  );
}
