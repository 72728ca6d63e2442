import {
  Duration,
  type aws_dynamodb as dynamodb,
  aws_events as events,
  type aws_logs as logs,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import type { RuleDefinition } from '#shared/events/rules.ts';
import { bindTable, handlerModule, pascalCase, pleinFunction } from './function.ts';
import { allowSendingMail } from './mail.ts';
import { deadLetterQueue } from './queues.ts';

export interface EventsProps {
  busName: string;
  archiveRetentionDays: number;
  rules: readonly RuleDefinition[];
  table: dynamodb.ITable;
  logRetention: logs.RetentionDays;
  /** The sender of the emails consumers send (rule targets with `sendsMail`). */
  mailFrom: string;
}

/** `functions/consumers/participation.handler` -> `ConsumersParticipation`: stable, readable ids. */
function consumerId(handler: string): string {
  const { entry, exportName } = handlerModule(handler);
  const module = entry.replace(/^functions\//, '').replace(/\.ts$/, '');
  return pascalCase(exportName === 'handler' ? module : `${module}-${exportName}`);
}

/** The bus "plein", an archive of all it carries, and one rule per catalog entry with its consumer. */
export class Events extends Construct {
  readonly bus: events.EventBus;
  readonly consumers: NodejsFunction[] = [];
  /** Each consumer function by its catalog handler reference (`functions/consumers/x.handler`). */
  readonly consumerByHandler = new Map<string, NodejsFunction>();
  readonly deadLetterQueues: sqs.Queue[] = [];

  constructor(scope: Construct, id: string, props: EventsProps) {
    super(scope, id);
    this.bus = new events.EventBus(this, 'Bus', { eventBusName: props.busName });
    // The L1, because the L2 insists on a pattern and this archive is of every event.
    new events.CfnArchive(this, 'Archive', {
      sourceArn: this.bus.eventBusArn,
      description: 'Every event on the bus, for replay',
      retentionDays: props.archiveRetentionDays,
    });

    const consumers = new Map<string, { fn: NodejsFunction; deadLetters: sqs.Queue }>();
    for (const rule of props.rules) {
      const handler = rule.target.handler;
      let consumer = consumers.get(handler);
      if (!consumer) {
        consumer = this.consumer(consumerId(handler), handler, props);
        if (rule.target.sendsMail) allowSendingMail(consumer.fn, props.mailFrom);
        consumers.set(handler, consumer);
        this.consumerByHandler.set(handler, consumer.fn);
      }
      const eventRule = new events.Rule(this, pascalCase(rule.name), {
        eventBus: this.bus,
        // Unique on its own bus, and the name the local bus shows too.
        ruleName: rule.name,
        description: rule.description,
        eventPattern: rule.eventPattern as events.EventPattern,
      });
      // The catalog's patterns are EventBridge JSON already: handed over verbatim, as a string,
      // which also survives `null` values that CloudFormation rejects inside an object-form pattern.
      (eventRule.node.defaultChild as events.CfnRule).addPropertyOverride(
        'EventPattern',
        JSON.stringify(rule.eventPattern),
      );
      eventRule.addTarget(
        new LambdaFunction(consumer.fn, {
          deadLetterQueue: consumer.deadLetters,
          retryAttempts: rule.target.retry.maximumRetryAttempts,
          maxEventAge: Duration.seconds(rule.target.retry.maximumEventAgeSeconds),
        }),
      );
    }
  }

  /**
   * One function per distinct handler. Its dead-letter queue takes both kinds of failure: events
   * EventBridge could not deliver (the rule target's DLQ) and events the function kept failing on
   * (Lambda's own DLQ for asynchronous invocations, after its retries).
   */
  private consumer(id: string, handler: string, props: EventsProps) {
    const { entry, exportName } = handlerModule(handler);
    const deadLetters = deadLetterQueue(this, `${id}DeadLetters`);
    const fn = pleinFunction(this, id, {
      entry,
      exportName,
      description: `Consumes bus events: ${handler}`,
      logRetention: props.logRetention,
      memorySize: 512,
      timeout: Duration.seconds(30),
      deadLetterQueue: deadLetters,
    });
    // Consumers are projections: they write what they count.
    bindTable(fn, props.table, 'readWrite');
    this.consumers.push(fn);
    this.deadLetterQueues.push(deadLetters);
    return { fn, deadLetters };
  }
}
