import {
  Annotations,
  type aws_dynamodb as dynamodb,
  type aws_events as events,
  aws_iam as iam,
  type aws_lambda as lambda,
  aws_logs as logs,
  aws_pipes as pipes,
  Stack,
  type aws_sqs as sqs,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { outboxStreamFilter } from '#functions/adapters/dynamodb/outbox.ts';
import { deadLetterQueue } from './queues.ts';

export interface OutboxPipeProps {
  table: dynamodb.Table;
  bus: events.IEventBus;
  /**
   * Turns each outbox stream record into `{ source, detailType, time, detail }` with the detail
   * unmarshalled (busEntryFromStreamRecord). Without it the Pipe is created stopped: see below.
   */
  enrichment?: lambda.IFunction;
  logRetention: logs.RetentionDays;
}

/**
 * Publishes the outbox: table stream -> filter (outbox inserts only) -> enrichment -> bus "plein".
 *
 * Why an enrichment function: the stream carries the outbox item in DynamoDB's typed JSON
 * (`{"M": {"eventId": {"S": ...}}}`), and an input template can only pick typed values out of it,
 * never turn a map or list of any shape back into plain JSON. `detail.data` is such a map, so only
 * code can produce the event the catalog describes; the Pipe then reads source, detail-type and
 * time from the enrichment's output through dynamic path parameters.
 */
export class OutboxPipe extends Construct {
  readonly deadLetterQueue: sqs.Queue;
  readonly pipe: pipes.CfnPipe;

  constructor(scope: Construct, id: string, props: OutboxPipeProps) {
    super(scope, id);
    const tableStreamArn = props.table.tableStreamArn;
    if (!tableStreamArn) throw new Error('The outbox pipe needs the table to have a stream.');

    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the Pipe's dead-letter queue (batches that failed every retry); a queue behind a " +
        'dead-letter queue would only move the problem. Its depth raises an alarm.',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: 'Reads the outbox off the table stream and puts it on the bus',
    });
    props.table.grantStreamRead(role);
    props.bus.grantPutEventsTo(role);
    this.deadLetterQueue.grantSendMessages(role);
    logGroup.grantWrite(role);
    // The function's own ARN only: grantInvoke would add every version (`:*`), which the Pipe never calls.
    if (props.enrichment) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [props.enrichment.functionArn],
        }),
      );
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'dynamodb:ListStreams supports no resource-level permissions, so IAM accepts it only on "*"; ' +
        "every other stream action is granted on this table's stream ARN alone.",
    });

    this.pipe = new pipes.CfnPipe(this, 'Pipe', {
      description: 'Outbox inserts from the table stream to the bus',
      roleArn: role.roleArn,
      // Stopped without its enrichment: running would publish DynamoDB-typed details that no
      // consumer can parse. The stream keeps 24 h and the outbox items 7 days, so nothing is lost.
      desiredState: props.enrichment ? 'RUNNING' : 'STOPPED',
      source: tableStreamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          // From the oldest record: events written before the pipe first runs are published too.
          startingPosition: 'TRIM_HORIZON',
          // PutEvents takes at most 10 entries.
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: 10,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(outboxStreamFilter) }] },
      },
      ...(props.enrichment ? { enrichment: props.enrichment.functionArn } : {}),
      target: props.bus.eventBusArn,
      targetParameters: {
        inputTemplate: '<$.detail>',
        eventBridgeEventBusParameters: { source: '$.source', detailType: '$.detailType', time: '$.time' },
      },
      logConfiguration: {
        level: 'ERROR',
        cloudwatchLogsLogDestination: { logGroupArn: logGroup.logGroupArn },
      },
    });
    if (!props.enrichment) {
      Annotations.of(this).addWarningV2(
        'plein:outbox-pipe-stopped',
        'The outbox Pipe is deployed STOPPED: it needs an enrichment function (stream record -> bus entry) ' +
          'in functions/, passed as outboxEnrichment in infra/app.ts. Until then no event reaches the bus.',
      );
    }
  }
}
