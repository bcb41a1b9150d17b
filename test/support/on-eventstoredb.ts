// Jest setup file of the `eventstoredb` project: the suites it runs pick their store from this.
process.env['LEDGER_TEST_STORE'] = 'eventstoredb';
