import { Alert, Button, Card, Group, NativeSelect, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { FormFeedback } from '../components/FormFeedback';
import { StatusPanel } from '../components/StatusPanel';
import { useCommandForm } from '../forms/common';
import { minorDigits } from '../lib/money';
import { useSession } from '../lib/session-context';
import type { Program } from '../lib/types';

const LABELS = {
  currency: 'Currency',
  pointsPerUnit: 'Points per unit',
  timezone: 'Timezone',
  negativeBalance: 'Negative balances',
  pendingDays: 'Return window (days)',
  reversalShortfall: 'Reversal shortfall',
};

/** The program's settings; an admin key may change them (PUT /program, guarded by If-Match). */
export function ProgramPage() {
  const { api, program, capabilities, format, setProgram } = useSession();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  return (
    <Stack gap="md" maw={900}>
      <Title order={1} size="h2" ref={heading} tabIndex={-1}>
        Program
      </Title>
      {program === null ? (
        <Alert color="yellow">The program is not configured yet.{capabilities.changeProgram ? ' Configure it below.' : ' An admin key configures it.'}</Alert>
      ) : (
        <Card withBorder padding="lg">
          <Table variant="vertical" layout="fixed" withTableBorder>
            <Table.Caption>Program settings, version {program.version}</Table.Caption>
            <Table.Tbody>
              <Row label="Currency" value={program.currency} />
              <Row
                label="Points ratio"
                value={`${program.pointsPerUnit} point(s) per ${format.money(10 ** minorDigits(program.currency), program.currency)}`}
              />
              <Row label="Timezone" value={program.timezone} />
              <Row label="Negative balances" value={program.negativeBalance === 'deny' ? 'denied' : 'allowed for manual adjustments'} />
              <Row label="Return window" value={program.pendingDays === 0 ? 'none: points are available at once' : `${program.pendingDays} days`} />
              <Row label="Reversal shortfall" value={program.reversalShortfall === 'debt' ? 'owed by the customer' : 'written off'} />
              <Row
                label="Visit rewards"
                value={
                  program.visitRewards.length === 0 ? 'none' : program.visitRewards.map((r) => `every ${r.everyVisits} visits: ${r.points} points`).join('; ')
                }
              />
              <Row label="Cashback" value={program.cashback.length === 0 ? 'none' : program.cashback.map((r) => `${r.percent}%`).join('; ')} />
            </Table.Tbody>
          </Table>
          {!capabilities.changeProgram && (
            <Text size="sm" c="dimmed" mt="sm">
              Only an admin key may change the program.
            </Text>
          )}
        </Card>
      )}
      {capabilities.changeProgram && <ProgramForm program={program} onSaved={setProgram} api={api} />}
      <StatusPanel />
    </Stack>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <Table.Tr>
      <Table.Th w={200}>{label}</Table.Th>
      <Table.Td>{value}</Table.Td>
    </Table.Tr>
  );
}

function ProgramForm({ program, onSaved, api }: { program: Program | null; onSaved: (p: Program) => void; api: ReturnType<typeof useSession>['api'] }) {
  const form = useCommandForm(LABELS, () => ({
    currency: program?.currency ?? 'USD',
    pointsPerUnit: program?.pointsPerUnit ?? '1',
    timezone: program?.timezone ?? 'UTC',
    negativeBalance: program?.negativeBalance ?? 'deny',
    pendingDays: String(program?.pendingDays ?? 0),
    reversalShortfall: program?.reversalShortfall ?? 'debt',
  }));
  const { values, command } = form;
  const [done, setDone] = useState<string | undefined>();

  const save = async () => {
    setDone(undefined);
    const body = { ...values, pendingDays: /^\d+$/.test(values.pendingDays) ? Number(values.pendingDays) : values.pendingDays };
    // If-Match: refused (412) if someone changed the program since this page loaded it.
    const answer = await command.submit(body, (b, idempotencyKey) =>
      api.request<Program>('PUT', '/program', { body: b, idempotencyKey, ...(program && { ifMatch: `"${program.version}"` }) }),
    );
    if (answer === undefined) return;
    onSaved(answer.body);
    setDone(`Saved: the program is at version ${answer.body.version}.`);
  };

  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="change-program">
      <Title order={2} size="h4" id="change-program" mb="sm">
        Change the program
      </Title>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void save();
        }}
        aria-label="Change the program"
        noValidate
      >
        <Stack gap="sm">
          <Group grow wrap="wrap" align="flex-start">
            <TextInput {...form.field('currency')} description="ISO 4217 code, e.g. USD" />
            <TextInput {...form.field('pointsPerUnit')} description="Points per 1.00 of currency, e.g. 1 or 0.5" />
            <TextInput {...form.field('timezone')} description="IANA zone, e.g. Europe/Paris" />
          </Group>
          <Group grow wrap="wrap" align="flex-start">
            <NativeSelect
              {...form.field('negativeBalance')}
              data={[
                { value: 'deny', label: 'Deny' },
                { value: 'allow', label: 'Allow (manual adjustments)' },
              ]}
            />
            <TextInput {...form.field('pendingDays')} description="0 to 365; 0: available at once" inputMode="numeric" />
            <NativeSelect
              {...form.field('reversalShortfall')}
              data={[
                { value: 'debt', label: 'Owed by the customer' },
                { value: 'writeOff', label: 'Written off' },
              ]}
            />
          </Group>
          <FormFeedback errors={command.errors} labels={LABELS} />
          <div role="status">{done && <Alert color="green">{done}</Alert>}</div>
          <Group justify="flex-end">
            <Button type="submit" loading={command.submitting}>
              Save program
            </Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}
