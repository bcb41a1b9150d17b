import { Alert, Button, Card, Center, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';

/** Sign in with an API key. The key is kept for this tab's session only. */
export function SignInPage({ onSignIn, error, busy }: { onSignIn: (key: string) => void; error: string | undefined; busy: boolean }) {
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSignIn(key.trim());
  };
  return (
    <Center mih="80vh" p="md">
      <Card withBorder padding="xl" w="100%" maw={440} component="main" id="main">
        <form onSubmit={submit} aria-labelledby="sign-in-heading" noValidate>
          <Stack gap="md">
            <Title order={1} size="h2" id="sign-in-heading">
              Loyalty ledger
            </Title>
            <Text size="sm">Sign in with your API key. It stays in this browser tab only and is forgotten when you sign out or close the tab.</Text>
            <PasswordInput
              ref={input}
              name="apiKey"
              label="API key"
              value={key}
              onChange={(e) => setKey(e.currentTarget.value)}
              autoComplete="off"
              spellCheck={false}
              error={error !== undefined}
            />
            <div role="alert" aria-live="assertive">
              {error && (
                <Alert color="red" variant="light">
                  {error}
                </Alert>
              )}
            </div>
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Card>
    </Center>
  );
}
