import { Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { EnrolForm } from '../forms/EnrolForm';
import { ApiError, NetworkError, path, query } from '../lib/api';
import { readLookup, type Lookup } from '../lib/lookup';
import { rememberPosition } from '../lib/positions';
import { plainMessage } from '../lib/problems';
import { useRouter } from '../lib/router';
import { useSession } from '../lib/session-context';
import type { Customer } from '../lib/types';

const describeLookup = (lookup: Lookup) =>
  lookup.by === 'id' ? `customer id ${lookup.value}` : lookup.by === 'email' ? `e-mail ${lookup.value}` : `phone ${lookup.value}`;

/** Find a customer by e-mail, phone or customer id; enrol one from the same screen. */
export function CustomersPage() {
  const { api, capabilities } = useSession();
  const { navigate } = useRouter();
  const [text, setText] = useState('');
  const [searching, setSearching] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [notFound, setNotFound] = useState<Lookup | undefined>();
  const [enrolling, setEnrolling] = useState<{ email?: string; phone?: string } | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  const find = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setNotFound(undefined);
    const lookup = readLookup(text);
    if (lookup === undefined) {
      setError('Enter an e-mail address, a phone number or a customer id.');
      return;
    }
    setSearching(true);
    try {
      let found: Customer | undefined;
      if (lookup.by === 'id') {
        found = await api.get<Customer>(path`/customers/${lookup.value}`).catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return undefined;
          throw e;
        });
      } else {
        const matches = await api.get<Customer[]>(`/customers${query({ [lookup.by]: lookup.value })}`);
        found = matches[0];
      }
      if (found === undefined) setNotFound(lookup);
      else navigate({ name: 'customer', customerId: found.customerId });
    } catch (e) {
      if (e instanceof ApiError) setError(e.problem.errors?.[0] ? plainMessage(e.problem.errors[0].message) : (e.problem.detail ?? e.message));
      else if (e instanceof NetworkError) setError(e.message);
      else throw e;
    } finally {
      setSearching(false);
    }
  };

  const startEnrolment = () => {
    const lookup = notFound ?? readLookup(text);
    setEnrolling(lookup?.by === 'email' ? { email: lookup.value } : lookup?.by === 'phone' ? { phone: text.trim() } : {});
  };

  return (
    <Stack gap="lg" maw={720}>
      <Title order={1} size="h2" ref={heading} tabIndex={-1}>
        Customers
      </Title>
      <Card withBorder padding="lg">
        <form onSubmit={(e) => void find(e)} role="search" aria-label="Find a customer" noValidate>
          <Stack gap="sm">
            <TextInput
              name="lookup"
              label="E-mail, phone or customer id"
              description="E-mail is matched without regard to case; phone numbers by their digits"
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              error={error}
              autoComplete="off"
              type="search"
            />
            <Group gap="sm">
              <Button type="submit" loading={searching}>
                Find customer
              </Button>
              {capabilities.writeCustomers && enrolling === undefined && (
                <Button variant="default" type="button" onClick={startEnrolment}>
                  Enrol a new customer
                </Button>
              )}
            </Group>
          </Stack>
        </form>
        <div role="status" aria-live="polite">
          {notFound !== undefined && (
            <Text mt="md">
              No customer with {describeLookup(notFound)}.
              {capabilities.writeCustomers && enrolling === undefined ? ' To add them, choose “Enrol a new customer”.' : ''}
            </Text>
          )}
        </div>
      </Card>
      {enrolling !== undefined && (
        <Card withBorder padding="lg">
          <Title order={2} size="h3" mb="sm">
            Enrol a new customer
          </Title>
          <EnrolForm
            initial={enrolling}
            onCancel={() => setEnrolling(undefined)}
            onEnrolled={(customer) => {
              rememberPosition(customer.customerId, customer.position);
              navigate({ name: 'customer', customerId: customer.customerId });
            }}
          />
        </Card>
      )}
    </Stack>
  );
}
