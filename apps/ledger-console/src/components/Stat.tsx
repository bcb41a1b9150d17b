import { Paper, Text } from '@mantine/core';

/** One figure with its label, as a definition list: screen readers read the label, then the figure. */
export function Stat({ label, value, hint, tone }: { label: string; value: string; hint?: string | undefined; tone?: 'warn' | undefined }) {
  return (
    <Paper component="dl" withBorder p="sm" radius="md" m={0}>
      <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text component="dd" m={0} size="xl" fw={700} c={tone === 'warn' ? 'red.8' : undefined}>
        {value}
      </Text>
      {hint && (
        <Text component="dd" m={0} size="xs" c="dimmed">
          {hint}
        </Text>
      )}
    </Paper>
  );
}
