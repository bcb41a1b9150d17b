import { Alert, Anchor, Button, Card, Code, Group, Modal, SimpleGrid, Stack, Tabs, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { EntryList, LoadMore, type EntryRow } from '../components/EntryList';
import { HistoryPanel } from '../components/HistoryPanel';
import { Loading } from '../components/Loading';
import { Stat } from '../components/Stat';
import { AdjustForm } from '../forms/AdjustForm';
import type { Saved } from '../forms/common';
import { PaymentForm } from '../forms/PaymentForm';
import { RedeemForm } from '../forms/RedeemForm';
import { RefundForm } from '../forms/RefundForm';
import { VisitForm } from '../forms/VisitForm';
import { ApiError, NetworkError, path, query } from '../lib/api';
import { describeTimeline, isRedemption, movesPoints } from '../lib/entries';
import { positionOf, rememberPosition } from '../lib/positions';
import { Link } from '../lib/router';
import { useSession } from '../lib/session-context';
import type { Achievements, Customer, Program, TimelineEntry, TimelinePage } from '../lib/types';
import type { Format } from '../lib/format';

const PAGE_SIZE = 25;

type Dialog =
  | { readonly kind: 'payment' }
  | { readonly kind: 'visit' }
  | { readonly kind: 'adjust' }
  | { readonly kind: 'redeem' }
  | { readonly kind: 'refund'; readonly payment: TimelineEntry };

const DIALOG_TITLES: Readonly<Record<Dialog['kind'], string>> = {
  payment: 'Add a visit / Payment',
  visit: 'New Visit',
  adjust: 'Adjust points',
  redeem: 'Redeem points',
  refund: 'Refund a payment',
};

interface CardData {
  readonly customer: Customer;
  readonly timeline: TimelinePage;
  readonly achievements: Achievements | null;
}

/**
 * The customer card: contacts, balances and counts, the actions (for keys that may write), and the
 * Timeline Activity, Points history and Redemption history tabs, plus the auditor's as-of history.
 * Everything it shows comes in one round of parallel requests: customer, timeline, program and
 * achievements.
 */
export function CustomerCardPage({ customerId }: { customerId: string }) {
  const session = useSession();
  const { api, format, capabilities } = session;
  const [data, setData] = useState<CardData | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const [entries, setEntries] = useState<readonly TimelineEntry[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [dialog, setDialog] = useState<Dialog | undefined>();
  const [status, setStatus] = useState<string | undefined>();
  const [tab, setTab] = useState<string | null>('timeline');
  const heading = useRef<HTMLHeadingElement>(null);
  const focusedFor = useRef<string | undefined>(undefined);

  const load = useCallback(async () => {
    const minPosition = positionOf(customerId);
    const consistent = query({ minPosition });
    try {
      const [customer, timeline, program, achievements] = await Promise.all([
        api.get<Customer>(path`/customers/${customerId}`),
        api.get<TimelinePage>(`${path`/customers/${customerId}/timeline`}${query({ order: 'desc', limit: PAGE_SIZE, minPosition })}`),
        // 422: not configured yet (null); any other failure keeps the program the console has.
        api.get<Program>('/program').catch((e: unknown) => (e instanceof ApiError && e.status === 422 ? null : undefined)),
        api.get<Achievements>(`${path`/customers/${customerId}/achievements`}${consistent}`).catch(() => null),
      ]);
      if (program !== undefined) session.setProgram(program);
      setData({ customer, timeline, achievements });
      setEntries(timeline.entries);
      setCursor(timeline.nextCursor);
      setFailure(undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) setFailure('No customer with this id.');
      else if (e instanceof ApiError) setFailure(e.problem.detail ?? e.message);
      else if (e instanceof NetworkError) setFailure(e.message);
      else throw e;
    }
  }, [api, customerId, session.setProgram]);

  useEffect(() => {
    setData(undefined);
    setStatus(undefined);
    void load();
  }, [load]);

  useEffect(() => {
    if (data !== undefined && focusedFor.current !== customerId) {
      focusedFor.current = customerId;
      heading.current?.focus();
    }
  }, [data, customerId]);

  const loadMore = async () => {
    if (cursor === null) return;
    setLoadingMore(true);
    try {
      const page = await api.get<TimelinePage>(`${path`/customers/${customerId}/timeline`}${query({ order: 'desc', limit: PAGE_SIZE, cursor })}`);
      setEntries((current) => [...current, ...page.entries]);
      setCursor(page.nextCursor);
    } catch (e) {
      setStatus(e instanceof Error ? e.message : String(e));
    } finally {
      setLoadingMore(false);
    }
  };

  /** A command was accepted: close its dialog, reload the card (it includes the command), then say what was done. */
  const saved = async (result: Saved) => {
    rememberPosition(customerId, result.position);
    setDialog(undefined);
    await load();
    setTab('timeline');
    setStatus(result.message);
  };

  const locations = useMemo(() => [...new Set(entries.map((e) => e.locationId).filter((l): l is string => l !== null))], [entries]);

  if (failure !== undefined && data === undefined) {
    return (
      <Stack>
        <Alert color="red" title="Customer not shown" role="alert">
          {failure}
        </Alert>
        <Anchor component={Link} to={{ name: 'customers' }}>
          Back to the customer search
        </Anchor>
      </Stack>
    );
  }
  if (data === undefined) return <Loading label="Loading the customer card…" />;

  const { customer, achievements } = data;
  const rowOf = (e: TimelineEntry): EntryRow => ({
    key: e.eventId,
    occurredAt: e.occurredAt,
    recordedAt: e.recordedAt,
    described: describeTimeline(e, format),
    locationId: e.locationId,
    pointsDelta: e.pointsDelta,
    balanceAfter: e.balanceAfter,
    actor: e.actor,
    ...(capabilities.writeCustomers &&
      e.type === 'PaymentRecorded' && {
        action: (
          <Button
            size="compact-sm"
            variant="subtle"
            onClick={() => setDialog({ kind: 'refund', payment: e })}
            aria-label={`Refund payment ${e.reference ?? ''}`}
          >
            Refund
          </Button>
        ),
      }),
  });
  const more = cursor !== null && <LoadMore onClick={() => void loadMore()} loading={loadingMore} label="Show older entries" />;
  const loadedNote = cursor !== null ? ' Older entries are not loaded yet.' : '';
  const title = customer.name ?? customer.email ?? customer.phone ?? 'Customer';

  return (
    <Stack gap="md">
      <Card withBorder padding="lg" component="section" aria-labelledby="customer-heading">
        <Group justify="space-between" align="flex-start" wrap="wrap" gap="xs">
          <div style={{ minWidth: 0 }}>
            <Title order={1} size="h2" id="customer-heading" ref={heading} tabIndex={-1}>
              {title}
            </Title>
            <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
              {[customer.email, customer.phone].filter(Boolean).join(' · ') || 'No contact details'}
            </Text>
            <Text size="xs" c="dimmed">
              Customer id <Code>{customer.customerId}</Code>
            </Text>
          </div>
        </Group>
        <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="sm" mt="md">
          <Stat label="Available points" value={format.points(customer.balance.available)} />
          <Stat label="Pending points" value={format.points(customer.balance.pending)} hint="inside the return window" />
          <Stat label="Owed points" value={format.points(customer.balance.owed)} tone={customer.balance.owed > 0 ? 'warn' : undefined} />
          <Stat label="Visits" value={format.count(customer.visitCount)} hint={achievements ? `achievement level ${achievements.level}` : undefined} />
          <Stat label="Payments" value={format.count(customer.paymentCount)} />
          <Stat label="Lifetime earned" value={format.points(customer.lifetime.earned)} hint={`redeemed ${format.points(customer.lifetime.redeemed)}`} />
          <Stat label="Tier" value={customer.tier.name ?? customer.tier.tierId ?? 'None'} hint={tierHint(customer.tier, format)} />
          <Stat
            label="Next expiry"
            value={customer.nextExpiry === null ? 'None' : format.points(customer.nextExpiry.points)}
            hint={customer.nextExpiry === null ? 'no points due to expire' : `points expire ${format.dateTime(customer.nextExpiry.expiresAt)}`}
          />
        </SimpleGrid>
        <Text size="xs" c="dimmed" mt="xs">
          Lifetime: earned {format.points(customer.lifetime.earned)}, redeemed {format.points(customer.lifetime.redeemed)}, adjusted +
          {format.points(customer.lifetime.adjustedIn)} / −{format.points(customer.lifetime.adjustedOut)}, reversed {format.points(customer.lifetime.reversed)}
          {customer.lifetime.writtenOff > 0 ? `, written off ${format.points(customer.lifetime.writtenOff)}` : ''}.
        </Text>
        {capabilities.writeCustomers ? (
          <Group mt="md" gap="sm" wrap="wrap" role="group" aria-label="Actions">
            <Button onClick={() => setDialog({ kind: 'payment' })}>Add a visit / Payment</Button>
            <Button variant="light" onClick={() => setDialog({ kind: 'visit' })}>
              New Visit
            </Button>
            <Button variant="light" onClick={() => setDialog({ kind: 'adjust' })}>
              Adjust points
            </Button>
            <Button variant="light" onClick={() => setDialog({ kind: 'redeem' })}>
              Redeem
            </Button>
          </Group>
        ) : (
          <Text size="sm" c="dimmed" mt="md">
            Read-only: this key may not record visits, payments or adjustments.
          </Text>
        )}
      </Card>

      <div role="status" aria-live="polite">
        {status && (
          <Alert color="green" variant="light" withCloseButton onClose={() => setStatus(undefined)} closeButtonLabel="Dismiss">
            {status}
          </Alert>
        )}
      </div>

      <Tabs value={tab} onChange={setTab} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="timeline">Timeline Activity</Tabs.Tab>
          <Tabs.Tab value="points">Points history</Tabs.Tab>
          <Tabs.Tab value="redemptions">Redemption history</Tabs.Tab>
          {capabilities.readHistory && <Tabs.Tab value="history">As of (audit)</Tabs.Tab>}
        </Tabs.List>
        <Tabs.Panel value="timeline" pt="sm">
          <EntryList format={format} rows={entries.map(rowOf)} caption={`Timeline Activity, newest first.${loadedNote}`} empty="Nothing recorded yet." />
          {more}
        </Tabs.Panel>
        <Tabs.Panel value="points" pt="sm">
          <EntryList
            format={format}
            rows={entries.filter(movesPoints).map(rowOf)}
            caption={`Points history: earnings, adjustments, redemptions, refunds, newest first.${loadedNote}`}
            empty="No points have moved yet."
          />
          {more}
        </Tabs.Panel>
        <Tabs.Panel value="redemptions" pt="sm">
          <EntryList
            format={format}
            rows={entries.filter(isRedemption).map(rowOf)}
            caption={`Redemption history, newest first.${loadedNote}`}
            empty="No redemptions yet."
          />
          {more}
        </Tabs.Panel>
        {capabilities.readHistory && (
          <Tabs.Panel value="history" pt="sm">
            <HistoryPanel customerId={customerId} />
          </Tabs.Panel>
        )}
      </Tabs>

      <Modal opened={dialog !== undefined} onClose={() => setDialog(undefined)} title={dialog ? DIALOG_TITLES[dialog.kind] : ''} size="lg">
        {dialog?.kind === 'payment' && (
          <PaymentForm customerId={customerId} locations={locations} onSaved={(r) => void saved(r)} onCancel={() => setDialog(undefined)} />
        )}
        {dialog?.kind === 'visit' && (
          <VisitForm customerId={customerId} locations={locations} onSaved={(r) => void saved(r)} onCancel={() => setDialog(undefined)} />
        )}
        {dialog?.kind === 'adjust' && <AdjustForm customerId={customerId} onSaved={(r) => void saved(r)} onCancel={() => setDialog(undefined)} />}
        {dialog?.kind === 'redeem' && (
          <RedeemForm customerId={customerId} available={customer.balance.available} onSaved={(r) => void saved(r)} onCancel={() => setDialog(undefined)} />
        )}
        {dialog?.kind === 'refund' && (
          <RefundForm customerId={customerId} payment={dialog.payment} onSaved={(r) => void saved(r)} onCancel={() => setDialog(undefined)} />
        )}
      </Modal>
    </Stack>
  );
}

/** What the tier stat says under the tier: the multiplier held, and what the next tier needs. */
function tierHint(tier: Customer['tier'], format: Format): string {
  const parts: string[] = [];
  if (tier.multiplier !== null) parts.push(`×${tier.multiplier} points`);
  parts.push(`${format.points(tier.qualifyingPoints)} qualifying`);
  if (tier.next !== null) parts.push(`${format.points(tier.next.pointsNeeded)} more for ${tier.next.name}`);
  return parts.join(' · ');
}
