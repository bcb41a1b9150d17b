/**
 * Read-your-writes: the position of the last command the console sent for each customer. Reads
 * from the projections (timeline, achievements) pass it as `minPosition`, so the API answers once
 * they include that command.
 */
const positions = new Map<string, string>();

export function rememberPosition(customerId: string, position: string | undefined): void {
  if (position === undefined) return;
  const known = positions.get(customerId);
  if (known === undefined || BigInt(position) > BigInt(known)) positions.set(customerId, position);
}

export const positionOf = (customerId: string): string | undefined => positions.get(customerId);
