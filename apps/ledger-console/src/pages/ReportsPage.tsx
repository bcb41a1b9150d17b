import { Alert, Button, Card, Group, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { Stat } from '../components/Stat';
import { StatusPanel } from '../components/StatusPanel';
import { ApiError, NetworkError, query } from '../lib/api';
import { plainMessage } from '../lib/problems';
import { useSession } from '../lib/session-context';
import { addDays, daysBetween, localDay } from '../lib/time';
import type { LocationDay, VisitReport } from '../lib/types';

/**
 * Reports (Omneo's visit reporting): visits per location and day with and without a purchase,
 * conversion, a chart of visits over time, points earned per day, and how current the figures are.
 * Loaded on its own (with the chart library) when first opened.
 */
export default function ReportsPage() {
  const { api, format } = useSession();
  const today = localDay(new Date(), format.timeZone);
  const [from, setFrom] = useState(() => addDays(today, -29));
  const [to, setTo] = useState(today);
  const [locationId, setLocationId] = useState('');
  const [report, setReport] = useState<VisitReport | undefined>();
  const [loading, setLoading] = useState(false);
  const [errors, setErrors] = useState<{ from?: string; to?: string; locationId?: string; general?: string }>({});
  const [refreshKey, setRefreshKey] = useState(0);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(
    async (range: { from: string; to: string; locationId: string }) => {
      setLoading(true);
      setErrors({});
      try {
        setReport(await api.get<VisitReport>(`/reports/visits${query({ from: range.from, to: range.to, locationId: range.locationId.trim() })}`));
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
      {report && <ReportBody report={report} />}
      <StatusPanel refreshKey={refreshKey} />
    </Stack>
  );
}

interface DayTotals {
  readonly day: string;
  readonly withPurchase: number;
  readonly withoutPurchase: number;
  readonly points: number;
}

function ReportBody({ report }: { report: VisitReport }) {
  const { format } = useSession();
  const days: readonly DayTotals[] = useMemo(() => {
    const byDay = new Map<string, { withPurchase: number; withoutPurchase: number; points: number }>();
    for (const row of report.days) {
      const t = byDay.get(row.day) ?? { withPurchase: 0, withoutPurchase: 0, points: 0 };
      byDay.set(row.day, {
        withPurchase: t.withPurchase + row.visitsWithPurchase,
        withoutPurchase: t.withoutPurchase + row.visitsWithoutPurchase,
        points: t.points + row.pointsEarned,
      });
    }
    return daysBetween(report.from, report.to).map((day) => ({ day, ...(byDay.get(day) ?? { withPurchase: 0, withoutPurchase: 0, points: 0 }) }));
  }, [report]);
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
            Points earned per day
          </Text>
          <div role="img" aria-label={`Bar chart of points earned per day by payments, ${period}: ${format.points(total.points)} points in all.`}>
            <ResponsiveContainer width="100%" height={260}>
              <BarChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: -8 }}>
                <CartesianGrid strokeDasharray="3 3" vertical={false} />
                <XAxis dataKey="day" tickFormatter={(d: string) => format.day(d)} minTickGap={16} fontSize={12} />
                <YAxis allowDecimals={false} fontSize={12} />
                <Tooltip labelFormatter={(d) => format.day(String(d), 'medium')} formatter={(v) => format.points(Number(v))} />
                <Bar dataKey="points" name="Points earned" fill="var(--mantine-color-blue-6)" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          </div>
          <Text size="xs" c="dimmed">
            Points earned by payments. Points spent per day are not part of the API's reports yet.
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
                <Table.Th scope="col" ta="right">
                  Visits
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  With purchase
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Without purchase
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Conversion
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Payments
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Points earned
                </Table.Th>
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
                <Table.Th scope="col" ta="right">
                  Visits
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  With purchase
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Without
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Conversion
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Customers
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Revenue
                </Table.Th>
                <Table.Th scope="col" ta="right">
                  Points
                </Table.Th>
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
