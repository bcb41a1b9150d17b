import fc from 'fast-check';
import * as E from 'fp-ts/Either';
import { Email, Phone } from '#ledger-domain/shared/codecs';
import { readLookup } from '../../apps/ledger-console/src/lib/lookup';

/** The search box reads what staff type as the API normalises it: the same e-mail, the same phone number. */
describe('the customer search box', () => {
  it('reads a customer id, an e-mail or a phone number', () => {
    expect(readLookup(' 0B3C6F1E-8D2A-4C59-9E47-2F6A1D8B7C30 ')).toEqual({ by: 'id', value: '0b3c6f1e-8d2a-4c59-9e47-2f6a1d8b7c30' });
    expect(readLookup('  Ada@Example.COM ')).toEqual({ by: 'email', value: 'ada@example.com' });
    expect(readLookup('+1 (555) 010-2000')).toEqual({ by: 'phone', value: '+15550102000' });
    expect(readLookup('   ')).toBeUndefined();
  });

  it("normalises e-mail addresses and phone numbers as the API's codecs do", () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom('', ' ', '  '), fc.boolean(), (email, pad, upper) => {
        const typed = `${pad}${upper ? email.toUpperCase() : email}${pad}`;
        const api = Email.decode(typed);
        if (E.isRight(api)) expect(readLookup(typed)).toEqual({ by: 'email', value: api.right });
      }),
      { numRuns: 1000 },
    );
    const phone = fc
      .tuple(fc.boolean(), fc.array(fc.constantFrom(...'0123456789 ()-./'), { minLength: 6, maxLength: 30 }))
      .map(([plus, chars]) => `${plus ? '+' : ''}${chars.join('')}`);
    fc.assert(
      fc.property(phone, (typed) => {
        const api = Phone.decode(typed);
        if (E.isRight(api) && !typed.includes('@')) expect(readLookup(typed)).toEqual({ by: 'phone', value: api.right });
      }),
      { numRuns: 2000 },
    );
  });
});
