/**
 * Test support: start the in-process emulators, provision the topology on them, and point the AWS SDK
 * (through its standard environment variables) at them, exactly as the local runtime does.
 */
import { startDynamo, startSqs, type Emulator } from '../../infra/local/emulators';
import { LOCAL_CREDENTIALS, LOCAL_REGION, provision, type Provisioned } from '../../infra/local/provision';

export interface TestEmulators extends Provisioned {
  readonly dynamo: Emulator;
  readonly sqs: Emulator;
  stop(): Promise<void>;
}

/** Starts dynalite (in memory) and local-aws-sqs, provisions the topology and sets process.env for the SDK. */
export async function startTestEmulators(prefix = `zt-test-${process.pid}`): Promise<TestEmulators> {
  const [dynamo, sqs] = await Promise.all([startDynamo(), startSqs()]);
  const provisioned = await provision({ dynamoEndpoint: dynamo.endpoint, sqsEndpoint: sqs.endpoint, prefix });
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
