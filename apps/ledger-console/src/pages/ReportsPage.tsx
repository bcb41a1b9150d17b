import { Alert, Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Stat } from '../components/Stat';
import { StatusPanel } from '../components/StatusPanel';
import { ApiError, NetworkError, query } from '../lib/api';
import { plainMessage } from '../lib/problems';
import { useSession } from '../lib/session-context';
import { addDays, daysBetween, localDay } from '../lib/time';
import type { LiabilityReport, LocationDay, VisitReport } from '../lib/types';

/**
 * Reports (Omneo's visit reporting): visits per location and day with and without a purchase,
 * conversion, a chart of visits over time, points earned, spent and expired per day (the liability
 * report: the breakage figures finance asks for), and how current the figures are.
 * Loaded on its own (with the chart library) when first opened.
 */
export default function ReportsPage() {
  const { api, format } = useSession();
  const today = localDay(new Date(), format.timeZone);
  const [from, setFrom] = useState(() => addDays(today, -29));
  const [to, setTo] = useState(today);
  const [locationId, setLocationId] = useState('');
  const [report, setReport] = useState<{ visits: VisitReport; liability: LiabilityReport } | undefined>();
  const [loading, setLoading] = useState(false);
  const [errors, setErrors] = useState<{ from?: string; to?: string; locationId?: string; general?: string }>({});
  const [refreshKey, setRefreshKey] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    async (range: { from: string; to: string; locationId: string }) => {
      setLoading(true);
      setErrors({});
      try {
        // One round: both reports at once (the liability report is program-wide, whatever the location).
        const [visits, liability] = await Promise.all([
          api.get<VisitReport>(`/reports/visits${query({ from: range.from, to: range.to, locationId: range.locationId.trim() })}`),
          api.get<LiabilityReport>(`/reports/liability${query({ from: range.from, to: range.to })}`),
        ]);
        setReport({ visits, liability });
      } catch (e) {
        if (e instanceof ApiError && e.problem.errors?.length) {
          const out: Record<string, string> = {};
          for (const x of e.problem.errors) out[x.path in { from: 1, to: 1, locationId: 1 } ? x.path : 'general'] = plainMessage(x.message);
          setErrors(out);
        } else if (e instanceof ApiError) setErrors({ general: e.problem.detail ?? e.message });
        else if (e instanceof NetworkError) setErrors({ general: e.message });
        else throw e;
      } finally {
        setLoading(false);
      }
    },
    [api],
  );

  useEffect(() => {
    heading.current?.focus();
    void load({ from, to, locationId });
  }, [load]); // once: `load` is stable; later loads come from the form

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRefreshKey((k) => k + 1);
    void load({ from, to, locationId });
  };

  return (
    <Stack gap="md">
      <Title order={1} size="h2" ref={heading} tabIndex={-1}>
        Reports
      </Title>
      <Card withBorder padding="md">
        <form onSubmit={submit} aria-label="Report period" noValidate>
          <Group align="flex-end" gap="md" wrap="wrap">
            <TextInput type="date" name="from" label="From" value={from} onChange={(e) => setFrom(e.currentTarget.value)} error={errors.from} />
            <TextInput type="date" name="to" label="To (inclusive)" value={to} onChange={(e) => setTo(e.currentTarget.value)} error={errors.to} />
            <TextInput
              name="locationId"
              label="Location"
              description="Empty for every location"
              value={locationId}
              onChange={(e) => setLocationId(e.currentTarget.value)}
              error={errors.locationId}
              autoComplete="off"
            />
            <Button type="submit" loading={loading}>
              Show report
            </Button>
          </Group>
          <Text size="xs" c="dimmed" mt="xs">
            Days are in the program's timezone ({format.timeZone}).
          </Text>
        </form>
        <div role="alert">
          {errors.general && (
            <Alert color="red" mt="sm">
              {errors.general}
            </Alert>
          )}
        </div>
      </Card>
      {report && <ReportBody report={report.visits} liability={report.liability} />}
      <StatusPanel refreshKey={refreshKey} />
    </Stack>
  );
}

interface DayTotals {
  readonly day: string;
  readonly withPurchase: number;
  readonly withoutPurchase: number;
}

interface MovementDay {
  readonly day: string;
  readonly earned: number;
  readonly spent: number;
  readonly expired: number;
}

function ReportBody({ report, liability }: { report: VisitReport; liability: LiabilityReport }) {
  const { format } = useSession();
  const days: readonly DayTotals[] = useMemo(() => {
    const byDay = new Map<string, { withPurchase: number; withoutPurchase: number }>();
    for (const row of report.days) {
      const t = byDay.get(row.day) ?? { withPurchase: 0, withoutPurchase: 0 };
      byDay.set(row.day, {
        withPurchase: t.withPurchase + row.visitsWithPurchase,
        withoutPurchase: t.withoutPurchase + row.visitsWithoutPurchase,
      });
    }
    return daysBetween(report.from, report.to).map((day) => ({ day, ...(byDay.get(day) ?? { withPurchase: 0, withoutPurchase: 0 }) }));
  }, [report]);
  const movements: readonly MovementDay[] = useMemo(() => {
    const byDay = new Map(liability.days.map((d) => [d.day, d]));
    return daysBetween(liability.from, liability.to).map((day) => {
      const d = byDay.get(day);
      return { day, earned: (d?.earned ?? 0) + (d?.credited ?? 0), spent: (d?.spent ?? 0) + (d?.debited ?? 0), expired: d?.expired ?? 0 };
    });
  }, [liability]);
  const moved = liability.totals;
  const locations = useMemo(() => totalsByLocation(report.days), [report]);
  const total = locations.reduce(
    (t, l) => ({
      visits: t.visits + l.visits,
      withPurchase: t.withPurchase + l.visitsWithPurchase,
      payments: t.payments + l.payments,
      points: t.points + l.pointsEarned,
    }),
    { visits: 0, withPurchase: 0, payments: 0, points: 0 },
  );
  const revenue = revenueByCurrency(report.days);
  const period = `${format.day(report.from, 'medium')} to ${format.day(report.to, 'medium')}`;

  return (
    <>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }} spacing="sm" aria-label={`Totals, ${period}`}>
        <Stat label="Visits" value={format.count(total.visits)} />
        <Stat label="With purchase" value={format.count(total.withPurchase)} />
        <Stat label="Without purchase" value={format.count(total.visits - total.withPurchase)} />
        <Stat label="Conversion" value={format.percent(total.visits === 0 ? null : total.withPurchase / total.visits)} />
        <Stat
          label="Revenue"
          value={revenue.length === 0 ? format.money(0) : revenue.map((r) => format.money(r.amountMinor, r.currency)).join(' + ')}
          hint={`${format.count(total.payments)} payments`}
        />
        <Stat label="Points earned" value={format.points(total.points)} hint="by payments" />
      </SimpleGrid>

      <SimpleGrid cols={{ base: 1, lg: 2 }} spacing="md">
        <Card withBorder padding="md" component="figure" m={0}>
          <Text component="figcaption" fw={600} mb="xs">
            Visits per day, with and without a purchase
          </Text>
          <div
            role="img"
            aria-label={`Bar chart of visits per day, ${period}: ${format.count(total.visits)} visits, ${format.count(total.withPurchase)} with a purchase. The tables below list the figures.`}
          >
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickFormatter={(d: string) => format.day(d)} minTickGap={16} fontSize={12} />
                <YAxis allowDecimals={false} fontSize={12} />
                <Tooltip labelFormatter={(d) => format.day(String(d), 'medium')} />
                {/* Legend text in the text colour: the bars' own colours are too light for text. */}
                <Legend formatter={(value: string) => <span style={{ color: 'var(--mantine-color-text)' }}>{value}</span>} />
                <Bar dataKey="withPurchase" name="With purchase" stackId="visits" fill="var(--mantine-color-teal-6)" isAnimationActive={false} />
                <Bar dataKey="withoutPurchase" name="Without purchase" stackId="visits" fill="var(--mantine-color-gray-6)" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
        </Card>
        <Card withBorder padding="md" component="figure" m={0}>
          <Text component="figcaption" fw={600} mb="xs">
            Points earned, spent and expired per day
          </Text>
          <div
            role="img"
            aria-label={`Bar chart of points per day, ${period}: ${format.points(moved.earned + moved.credited)} earned or credited, ${format.points(moved.spent + moved.debited)} spent or debited, ${format.points(moved.expired)} expired.`}
          >
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={movements} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickFormatter={(d: string) => format.day(d)} minTickGap={16} fontSize={12} />
                <YAxis allowDecimals={false} fontSize={12} />
                <Tooltip labelFormatter={(d) => format.day(String(d), 'medium')} formatter={(v) => format.points(Number(v))} />
                <Legend formatter={(value: string) => <span style={{ color: 'var(--mantine-color-text)' }}>{value}</span>} />
                <Bar dataKey="earned" name="Earned" fill="var(--mantine-color-blue-6)" isAnimationActive={false} />
                <Bar dataKey="spent" name="Spent" fill="var(--mantine-color-grape-6)" isAnimationActive={false} />
                <Bar dataKey="expired" name="Expired" fill="var(--mantine-color-gray-6)" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <Text size="xs" c="dimmed">
            Whole program, by business time. Earned includes cashback, rewards and manual credits; spent includes manual debits. Reversed by refunds:{' '}
            {format.points(moved.reversed)}; outstanding now: {format.points(liability.outstanding.available)} available,{' '}
            {format.points(liability.outstanding.pending)} pending.
          </Text>
        </Card>
      </SimpleGrid>

      <Card withBorder padding="md" component="section" aria-labelledby="by-location">
        <Title order={2} size="h4" id="by-location" mb="xs">
          Conversion by location
        </Title>
        <Table.ScrollContainer minWidth={560}>
          <Table striped>
            <Table.Caption>Visits with and without a purchase per location, {period}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Location</Table.Th>
                <NumberHeaders labels={['Visits', 'With purchase', 'Without purchase', 'Conversion', 'Payments', 'Points earned']} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {locations.map((l) => (
                <Table.Tr key={l.locationId}>
                  <Table.Th scope="row">{l.locationId}</Table.Th>
                  <Table.Td ta="right">{format.count(l.visits)}</Table.Td>
                  <Table.Td ta="right">{format.count(l.visitsWithPurchase)}</Table.Td>
                  <Table.Td ta="right">{format.count(l.visitsWithoutPurchase)}</Table.Td>
                  <Table.Td ta="right">{format.percent(l.visits === 0 ? null : l.visitsWithPurchase / l.visits)}</Table.Td>
                  <Table.Td ta="right">{format.count(l.payments)}</Table.Td>
                  <Table.Td ta="right">{format.points(l.pointsEarned)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {locations.length === 0 && <Text c="dimmed">No visits in this period.</Text>}
      </Card>

      <Card withBorder padding="md" component="section" aria-labelledby="by-day">
        <Title order={2} size="h4" id="by-day" mb="xs">
          Per location and day
        </Title>
        <div style={{ maxHeight: 420, overflow: 'auto' }} tabIndex={0} role="region" aria-label="Per location and day (scrollable)">
          <Table striped stickyHeader miw={720}>
            <Table.Caption>Every location and day with a visit or a payment, {period}</Table.Caption>
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Day</Table.Th>
                <Table.Th scope="col">Location</Table.Th>
                <NumberHeaders labels={['Visits', 'With purchase', 'Without', 'Conversion', 'Customers', 'Revenue', 'Points']} />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {[...report.days].reverse().map((row) => (
                <Table.Tr key={`${row.day} ${row.locationId}`}>
                  <Table.Td>{format.day(row.day, 'medium')}</Table.Td>
                  <Table.Td>{row.locationId}</Table.Td>
                  <Table.Td ta="right">{format.count(row.visits)}</Table.Td>
                  <Table.Td ta="right">{format.count(row.visitsWithPurchase)}</Table.Td>
                  <Table.Td ta="right">{format.count(row.visitsWithoutPurchase)}</Table.Td>
                  <Table.Td ta="right">{format.percent(row.conversion)}</Table.Td>
                  <Table.Td ta="right">{format.count(row.distinctCustomers)}</Table.Td>
                  <Table.Td ta="right">{row.revenue.map((r) => format.money(r.amountMinor, r.currency)).join(' + ') || '—'}</Table.Td>
                  <Table.Td ta="right">{format.points(row.pointsEarned)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </div>
      </Card>
    </>
  );
}

interface LocationTotals {
  readonly locationId: string;
  readonly visits: number;
  readonly visitsWithPurchase: number;
  readonly visitsWithoutPurchase: number;
  readonly payments: number;
  readonly pointsEarned: number;
}

function totalsByLocation(rows: readonly LocationDay[]): LocationTotals[] {
  const out = new Map<string, LocationTotals>();
  for (const r of rows) {
    const t = out.get(r.locationId) ?? { locationId: r.locationId, visits: 0, visitsWithPurchase: 0, visitsWithoutPurchase: 0, payments: 0, pointsEarned: 0 };
    out.set(r.locationId, {
      locationId: r.locationId,
      visits: t.visits + r.visits,
      visitsWithPurchase: t.visitsWithPurchase + r.visitsWithPurchase,
      visitsWithoutPurchase: t.visitsWithoutPurchase + r.visitsWithoutPurchase,
      payments: t.payments + r.payments,
      pointsEarned: t.pointsEarned + r.pointsEarned,
    });
  }
  return [...out.values()].sort((a, b) => a.locationId.localeCompare(b.locationId));
}

function revenueByCurrency(rows: readonly LocationDay[]): { currency: string; amountMinor: number }[] {
  const out = new Map<string, number>();
  for (const r of rows) for (const x of r.revenue) out.set(x.currency, (out.get(x.currency) ?? 0) + x.amountMinor);
  return [...out.entries()].map(([currency, amountMinor]) => ({ currency, amountMinor }));
}

/** The right-aligned headers of a table's number columns. */
function NumberHeaders({ labels }: { labels: readonly string[] }) {
  return labels.map((label) => (
    <Table.Th key={label} scope="col" ta="right">
      {label}
    </Table.Th>
  ));
}
