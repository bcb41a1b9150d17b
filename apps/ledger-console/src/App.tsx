import { Anchor, AppShell, Badge, Button, Group, Text } from '@mantine/core';
import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Loading } from './components/Loading';
import { ApiError, createApi, NetworkError, type Api } from './lib/api';
import { makeFormat } from './lib/format';
import { Link, RouterProvider, useRouter, type Route } from './lib/router';
import { forgetKey, InvalidKey, probeCapabilities, roleOf, storedKey, storeKey, type Capabilities } from './lib/session';
import { SessionContext, type Session } from './lib/session-context';
import type { Program } from './lib/types';
import { CustomerCardPage } from './pages/CustomerCardPage';
import { CustomersPage } from './pages/CustomersPage';
import { ProgramPage } from './pages/ProgramPage';
import { SignInPage } from './pages/SignInPage';

// The reports and their chart library load when the page is first opened.
const ReportsPage = lazy(() => import('./pages/ReportsPage'));

interface SignedIn {
  readonly key: string;
  readonly api: Api;
  readonly capabilities: Capabilities;
}

const locale = typeof navigator !== 'undefined' ? navigator.language : 'en-US';

export function App() {
  return (
    <RouterProvider>
      <Console />
    </RouterProvider>
  );
}

function Console() {
  const [signedIn, setSignedIn] = useState<SignedIn | undefined>();
  const [program, setProgramState] = useState<Program | null>(null);
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(() => storedKey() !== null);

  const signOut = useCallback(() => {
    forgetKey();
    setSignedIn(undefined);
    setProgramState(null);
  }, []);

  const signIn = useCallback(
    async (key: string) => {
      if (key === '') {
        setError('Enter your API key.');
        return;
      }
      setBusy(true);
      setError(undefined);
      try {
        // One round: what the key may do, and the program (currency, timezone) to show figures in.
        const api = createApi(key, signOut);
        const [capabilities, loaded] = await Promise.all([
          probeCapabilities(key),
          api.get<Program>('/program').catch((e: unknown) => {
            if (e instanceof ApiError && e.status === 422) return null;
            throw e;
          }),
        ]);
        storeKey(key);
        setProgramState(loaded);
        setSignedIn({ key, api, capabilities });
      } catch (e) {
        forgetKey();
        if (e instanceof InvalidKey || (e instanceof ApiError && e.status === 401)) setError('This API key is not valid. Check it and try again.');
        else if (e instanceof ApiError) setError(e.problem.detail ?? e.message);
        else if (e instanceof NetworkError) setError(e.message);
        else setError(e instanceof Error ? e.message : String(e));
      } finally {
        setBusy(false);
      }
    },
    [signOut],
  );

  // A reload of the tab keeps the session: sign in again with the key this tab kept.
  useEffect(() => {
    const key = storedKey();
    if (key !== null) void signIn(key);
  }, [signIn]);

  const setProgram = useCallback((next: Program | null) => {
    setProgramState((current) => (JSON.stringify(current) === JSON.stringify(next) ? current : next));
  }, []);

  const session: Session | undefined = useMemo(() => {
    if (signedIn === undefined) return undefined;
    return {
      api: signedIn.api,
      capabilities: signedIn.capabilities,
      role: roleOf(signedIn.capabilities),
      program,
      format: makeFormat(program, locale),
      setProgram,
      signOut,
    };
  }, [signedIn, program, setProgram, signOut]);

  if (session === undefined) {
    if (busy && storedKey() !== null) return <Loading label="Signing in…" />;
    return <SignInPage onSignIn={(key) => void signIn(key)} error={error} busy={busy} />;
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell session={session} />
    </SessionContext.Provider>
  );
}

function Shell({ session }: { session: Session }) {
  const { route } = useRouter();
  const { capabilities } = session;
  const nav: { to: Route; label: string; shown: boolean; active: boolean }[] = [
    { to: { name: 'customers' }, label: 'Customers', shown: capabilities.readCustomers, active: route.name === 'customers' || route.name === 'customer' },
    { to: { name: 'reports' }, label: 'Reports', shown: capabilities.readReports, active: route.name === 'reports' },
    { to: { name: 'program' }, label: 'Program', shown: true, active: route.name === 'program' },
  ];
  return (
    <AppShell header={{ height: { base: 96, sm: 56 } }} padding="md">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header px="md">
        <Group h="100%" justify="space-between" wrap="wrap" gap={4} py={4}>
          <Group gap="md" wrap="nowrap">
            <Text fw={700} component="span">
              Loyalty ledger
            </Text>
            <nav aria-label="Main">
              <Group gap="sm" wrap="nowrap" component="ul" style={{ listStyle: 'none', margin: 0, padding: 0 }}>
                {nav
                  .filter((n) => n.shown)
                  .map((n) => (
                    <li key={n.label}>
                      <Anchor
                        component={Link}
                        to={n.to}
                        fw={n.active ? 700 : 400}
                        aria-current={n.active ? 'page' : undefined}
                        underline={n.active ? 'always' : 'hover'}
                      >
                        {n.label}
                      </Anchor>
                    </li>
                  ))}
              </Group>
            </nav>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Badge variant="light" aria-label={`Signed in as ${session.role}`}>
              {session.role}
            </Badge>
            <Button size="compact-sm" variant="default" onClick={session.signOut}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Main id="main">
        <Page route={route} capabilities={capabilities} />
      </AppShell.Main>
    </AppShell>
  );
}

function Page({ route, capabilities }: { route: Route; capabilities: Capabilities }) {
  switch (route.name) {
    case 'customers':
      if (capabilities.readCustomers) return <CustomersPage />;
      if (capabilities.readReports) return <LazyReports />;
      return <ProgramPage />;
    case 'customer':
      return capabilities.readCustomers ? <CustomerCardPage customerId={route.customerId} /> : <NotAllowed />;
    case 'reports':
      return capabilities.readReports ? <LazyReports /> : <NotAllowed />;
    case 'program':
      return <ProgramPage />;
    case 'not-found':
      return (
        <Text>
          No such page.{' '}
          <Anchor component={Link} to={{ name: 'customers' }}>
            Go to the start
          </Anchor>
          .
        </Text>
      );
  }
}

function LazyReports() {
  return (
    <Suspense fallback={<Loading label="Loading the reports…" />}>
      <ReportsPage />
    </Suspense>
  );
}

function NotAllowed() {
  return <Text role="alert">This API key may not open this page.</Text>;
}
