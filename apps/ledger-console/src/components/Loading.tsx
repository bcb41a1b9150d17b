import { Center, Loader } from '@mantine/core';

export function Loading({ label }: { label: string }) {
  return (
    <Center py="xl" role="status" aria-live="polite">
      <Loader size="sm" aria-hidden="true" />
      <span style={{ marginLeft: 8 }}>{label}</span>
    </Center>
  );
}
