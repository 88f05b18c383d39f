/**
 * Test support: start the in-process emulators, provision the topology on them, and point the AWS SDK
 * (through its standard environment variables) at them, exactly as the local runtime does. Which DynamoDB
 * implementation runs is the runtime's switch, `ZT_DYNAMODB_EMULATOR` (dynalite or dynamodb-local).
 */
import { startDynamo, startSqs, type Emulator } from '../../infra/local/emulators';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provision, type Provisioned } from '../../infra/local/provision';

export interface TestEmulators extends Provisioned {
  readonly dynamo: Emulator;
  readonly sqs: Emulator;
  stop(): Promise<void>;
}

let starts = 0;

/** Starts dynalite (in memory; or joins DynamoDB Local, see infra/local/emulators.ts) and local-aws-sqs, provisions the topology and sets process.env for the SDK. */
export async function startTestEmulators(prefix = `zt-test-${process.pid}`): Promise<TestEmulators> {
  const [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
  // On a shared DynamoDB Local (npm run test:dynamodb-local), every start gets tables of its own, as an
  // in-memory dynalite would give it.
  const tablePrefix = dynamo.sharedNamespace ? `${prefix}-${dynamo.sharedNamespace}-${(starts += 1)}` : prefix;
  const provisioned = await provision({ dynamoEndpoint: dynamo.endpoint, sqsEndpoint: sqs.endpoint, prefix: tablePrefix });
  Object.assign(process.env, {
    AWS_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    ...provisioned.env,
  });
  return {
    ...provisioned,
    dynamo,
    sqs,
    stop: async () => {
      await Promise.all([dynamo.close(), sqs.close()]);
    },
  };
}
