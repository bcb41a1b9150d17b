import { resolveLogFormat } from './logging';

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
