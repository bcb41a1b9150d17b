import Fastify from 'fastify';

/**
 * The baseline of the command benchmark: bare Fastify parsing a JSON body and answering JSON
 * of about the same size as a payment response, with no Nest, no validation and no storage.
 */
const app = Fastify({ logger: false });
app.post('/echo', async (request) => {
  const body = request.body as Record<string, unknown>;
  return { paymentId: '00000000-0000-5000-8000-000000000000', received: body, pointsEarned: 49, balance: 49, position: '1' };
});
const port = Number(process.env['PORT'] ?? 3998);
void app.listen({ port, host: '127.0.0.1' }).then(() => process.send?.('ready'));
