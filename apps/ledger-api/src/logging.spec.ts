import { loggedPath, resolveLogFormat } from './logging';

describe('log format', () => {
  it('is readable on a terminal and JSON off it, by default', () => {
    expect(resolveLogFormat({ logFormat: 'auto', environment: 'development' }, true)).toBe('pretty');
    expect(resolveLogFormat({ logFormat: 'auto', environment: 'development' }, false)).toBe('json');
  });

  it('is JSON when asked for, on a terminal too', () => {
    expect(resolveLogFormat({ logFormat: 'json', environment: 'development' }, true)).toBe('json');
  });

  it('is readable off a terminal when asked for', () => {
    expect(resolveLogFormat({ logFormat: 'pretty', environment: 'development' }, false)).toBe('pretty');
  });

  it('is always JSON in production, whatever the setting or the terminal', () => {
    for (const logFormat of ['auto', 'json', 'pretty'] as const) {
      for (const terminal of [true, false]) expect(resolveLogFormat({ logFormat, environment: 'production' }, terminal)).toBe('json');
    }
  });
});

describe('logged path', () => {
  const id = '0b3c6f1e-8d2a-4c59-9e47-2f6a1d8b7c30';
  it('is the route template with ids filled in and anything else left as the parameter name', () => {
    expect(loggedPath({ url: `/customers/${id}/history?asOf=x`, routeOptions: { url: '/customers/:customerId/history' }, params: { customerId: id } })).toBe(
      `/customers/${id}/history`,
    );
    expect(
      loggedPath({ url: '/customers/leak.me@example.com', routeOptions: { url: '/customers/:customerId' }, params: { customerId: 'leak.me@example.com' } }),
    ).toBe('/customers/:customerId');
  });

  it('keeps only route words and ids of a path no route matched', () => {
    expect(loggedPath({ url: `/nowhere/leak.me@example.com/${id}/history.csv?email=x` })).toBe(`/nowhere/:redacted/${id}/history.csv`);
  });
});
