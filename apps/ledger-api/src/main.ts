import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app';
import { ConfigError, loadConfig } from '../../../libs/runtime/src/config';
import { StoreUnreachableError, serverOf } from '../../../libs/runtime/src/wiring';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  await app.listen({ port: config.port, host: config.host });
  const store = config.store.kind === 'eventstoredb' ? `EventStoreDB at ${serverOf(config.store.connectionString)}` : `embedded store in ${config.dataDir}`;
  new Logger('Main').log(`loyalty-ledger listening on http://${config.host}:${config.port} (${store}); API docs at /docs`);
}

main().catch((error: unknown) => {
  // A configuration error is the operator's to fix: say what is wrong, without a stack trace.
  if (error instanceof ConfigError || error instanceof StoreUnreachableError) console.error(error.message);
  else console.error(error);
  process.exit(1);
});
