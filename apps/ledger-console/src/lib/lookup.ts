/**
 * What staff type in the search box, read as the API reads it: a customer id (UUID), an e-mail
 * (trimmed, lower-cased) or a phone number (+ and digits kept). Pure; tested under Jest against the
 * API's own codecs (test/console/lookup.spec.ts).
 */
export type Lookup =
  { readonly by: 'id'; readonly value: string } | { readonly by: 'email'; readonly value: string } | { readonly by: 'phone'; readonly value: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function readLookup(text: string): Lookup | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (UUID.test(trimmed)) return { by: 'id', value: trimmed.toLowerCase() };
  if (trimmed.includes('@')) return { by: 'email', value: normaliseEmail(trimmed) };
  return { by: 'phone', value: normalisePhone(trimmed) };
}

export const normaliseEmail = (email: string): string => email.trim().toLowerCase();

/** As the API stores it: a leading + kept, every other character but digits dropped. */
export const normalisePhone = (phone: string): string => {
  const trimmed = phone.trim();
  return (trimmed.startsWith('+') ? '+' : '') + trimmed.replace(/\D/g, '');
};
