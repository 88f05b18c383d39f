/**
 * Vitest global setup of `npm run test:dynamodb-local`: one DynamoDB Local for the whole run (a JVM
 * takes seconds to start), on a free loopback port, stopped at the end. The test files find it through
 * the local runtime's own switch (infra/local/emulators.ts): `ZT_DYNAMODB_EMULATOR=dynamodb-local` and
 * `ZT_DYNAMODB_LOCAL_ENDPOINT`, which the worker processes inherit.
 */
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local';
import { DYNAMODB_EMULATOR_ENV, DYNAMODB_LOCAL_ENDPOINT_ENV } from '../../infra/local/emulators';

export default async function setup(): Promise<() => Promise<void>> {
  const server = await startDynamoDbLocal();
  process.env[DYNAMODB_EMULATOR_ENV] = 'dynamodb-local';
  process.env[DYNAMODB_LOCAL_ENDPOINT_ENV] = server.endpoint;
  return () => server.close();
}
