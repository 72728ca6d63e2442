import {
  Duration,
  type aws_dynamodb as dynamodb,
  aws_events as events,
  aws_iam as iam,
  type aws_lambda as lambda,
  type aws_logs as logs,
  Stack,
  aws_secretsmanager as secretsmanager,
  aws_sqs as sqs,
  Validations,
} from 'aws-cdk-lib';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { channelKeySecretName } from '#functions/adapters/channels/config.ts';
import { DELIVERY_DUE } from '#functions/adapters/channels/dispatch-queue.ts';
import { type SubscriptionKind, subscriptionKinds } from '#shared/domain/subscription.ts';
import { bindTable, pascalCase, pleinFunction } from './function.ts';
import { allowSendingMail } from './mail.ts';
import { deadLetterQueue } from './queues.ts';

export interface ChannelsProps {
  table: dynamodb.ITable;
  logRetention: logs.RetentionDays;
  /** The sender of channel emails: an SES identity verified in this account and region. */
  mailFrom: string;
  /** The fan-out consumer (rule `channel-fanout`): given the bus, it asks for a first try at once. */
  fanout?: lambda.Function;
}

/** How many tries of one kind run at once: receivers and SES are spared a stampede. */
const concurrency: Record<SubscriptionKind, number> = { webhook: 20, email: 5, eventbus: 5 };
const DISPATCH_TIMEOUT = Duration.seconds(60);

/**
 * Delivery to municipal channels in AWS, SQS-buffered per channel kind:
 *
 *   fan-out (bus rule) ─┐                      ┌▶ queue webhook  ─▶ dispatch (webhook)  ─▶ receiver
 *   sweep (every min.) ─┴▶ bus "channels" ─▶ rules ─▶ queue email    ─▶ dispatch (email)    ─▶ SES
 *     DeliveryDue {deliveryId, kind}          └▶ queue eventbus ─▶ dispatch (eventbus) ─▶ PutEvents
 *
 * DynamoDB holds each delivery's state and its next try; the sweep claims due deliveries from the sparse
 * "due" index and announces them, because a retry hours away is beyond what SQS can delay (15 minutes).
 * A failed try is recorded and rescheduled by the handler; only a crash returns the message, which after
 * five receives goes to the kind's dead-letter queue (alarmed), while the delivery itself comes due again.
 */
export class Channels extends Construct {
  readonly bus: events.EventBus;
  readonly channelKey: secretsmanager.Secret;
  readonly functions: NodejsFunction[] = [];
  readonly deadLetterQueues: sqs.Queue[] = [];
  readonly queues = new Map<SubscriptionKind, sqs.Queue>();

  constructor(scope: Construct, id: string, props: ChannelsProps) {
    super(scope, id);
    const { table, logRetention } = props;
    this.bus = new events.EventBus(this, 'DispatchBus', {
      description: 'DeliveryDue notices: which delivery to try now, routed to its channel kind',
    });
    this.channelKey = new secretsmanager.Secret(this, 'ChannelKey', {
      secretName: channelKeySecretName(table.tableName),
      description: "Seals webhook signing secrets in the table (AES-256-GCM under this key's SHA-256).",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    Validations.of(this.channelKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Every stored webhook secret is sealed under this key, so a rotation must re-seal all of them at once; ' +
        'a rotation Lambda that only replaced the key would break every webhook. Rotate webhook secrets instead.',
    });

    for (const kind of subscriptionKinds) this.dispatcher(kind, props);

    const sweepDeadLetters = deadLetterQueue(this, 'SweepDeadLetters');
    Validations.of(sweepDeadLetters).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the sweep schedule's dead-letter queue; a queue behind it would only move the problem. Its depth raises an alarm.",
    });
    const sweep = pleinFunction(this, 'Sweep', {
      entry: 'functions/consumers/channel-sweep.ts',
      description: 'Claims deliveries whose next try has come and announces them on the channels bus',
      logRetention,
      timeout: Duration.seconds(50),
      environment: { CHANNEL_DISPATCH_BUS: this.bus.eventBusName },
      // Failures after Lambda's own retries of the scheduled invocation land here too.
      deadLetterQueue: sweepDeadLetters,
    });
    bindTable(sweep, table, 'readWrite');
    this.bus.grantPutEventsTo(sweep);
    new events.Rule(this, 'EveryMinute', {
      description: 'Channel sweep: deliveries whose next try has come',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(sweep, {
          deadLetterQueue: sweepDeadLetters,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });
    this.functions.push(sweep);
    this.deadLetterQueues.push(sweepDeadLetters);

    if (props.fanout) {
      props.fanout.addEnvironment('CHANNEL_DISPATCH_BUS', this.bus.eventBusName);
      this.bus.grantPutEventsTo(props.fanout);
    }
  }

  private dispatcher(kind: SubscriptionKind, props: ChannelsProps) {
    const name = pascalCase(kind);
    const deadLetters = deadLetterQueue(this, `${name}DeadLetters`);
    const queue = new sqs.Queue(this, `${name}Queue`, {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the function's timeout, as Lambda advises for an SQS event source.
      visibilityTimeout: Duration.seconds(DISPATCH_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetters, maxReceiveCount: 5 },
    });
    new events.Rule(this, `${name}Due`, {
      eventBus: this.bus,
      description: `DeliveryDue notices of ${kind} deliveries to their queue`,
      eventPattern: {
        source: [DELIVERY_DUE.source],
        detailType: [DELIVERY_DUE.detailType],
        detail: { kind: [kind] },
      },
      targets: [
        new SqsQueue(queue, {
          message: events.RuleTargetInput.fromEventPath('$.detail'),
          deadLetterQueue: deadLetters,
          retryAttempts: 10,
          maxEventAge: Duration.hours(1),
        }),
      ],
    });
    const fn = pleinFunction(this, `${name}Dispatch`, {
      entry: 'functions/consumers/channel-dispatch.ts',
      description: `Tries ${kind} deliveries`,
      logRetention: props.logRetention,
      timeout: DISPATCH_TIMEOUT,
      memorySize: 512,
      // Only webhooks read the channel key (to open their signing secrets), through the extension.
      ...(kind === 'webhook' ? { paramsAndSecrets: true } : {}),
    });
    bindTable(fn, props.table, 'readWrite');
    fn.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: concurrency[kind],
      }),
    );
    if (kind === 'webhook') this.channelKey.grantRead(fn);
    if (kind === 'email') allowSendingMail(fn, props.mailFrom);
    if (kind === 'eventbus') {
      const { partition } = Stack.of(this);
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['events:PutEvents'],
          resources: [`arn:${partition}:events:*:*:event-bus/*`],
        }),
      );
      Validations.of(fn.role ?? fn).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:*:*:event-bus/*]',
        reason:
          'Each municipality subscribes its own bus, in its own account, at run time; the bus ARN is data. ' +
          "What may arrive is decided by the receiving bus's resource policy, which names this account.",
      });
    }
    this.queues.set(kind, queue);
    this.functions.push(fn);
    this.deadLetterQueues.push(deadLetters);
  }
}
