import { notReadyProblem } from './not-ready';

describe('notReadyProblem', () => {
  it("names every failing check and keeps terminus's info, error and details", () => {
    const down = { status: 'down' as const, message: 'no answer within 1000 ms' };
    const problem = notReadyProblem({
      status: 'error',
      info: { readModels: { status: 'up' } },
      error: { eventStore: down, readModels: down },
      details: { eventStore: down, readModels: down },
    });
    expect(problem).toEqual({
      type: 'https://loyalty-ledger.dev/problems/not-ready',
      title: 'Not ready',
      status: 503,
      detail: 'Not ready: eventStore, readModels are down.',
      info: { readModels: { status: 'up' } },
      error: { eventStore: down, readModels: down },
      details: { eventStore: down, readModels: down },
    });
  });

  it('says the service is shutting down when terminus reports it (after SIGTERM, before the server closes)', () => {
    const problem = notReadyProblem({ status: 'shutting_down', details: {} });
    expect(problem).toMatchObject({ status: 503, title: 'Shutting down', detail: 'The service is shutting down.', error: {}, info: {} });
  });
});
