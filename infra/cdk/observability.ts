import {
  CfnOutput,
  aws_cloudwatch as cloudwatch,
  Duration,
  type aws_lambda as lambda,
  Names,
  aws_sns as sns,
  type aws_sqs as sqs,
} from 'aws-cdk-lib';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';

export interface ObservabilityProps {
  functions: readonly lambda.IFunction[];
  deadLetterQueues: readonly sqs.IQueue[];
}

/**
 * Alarms that say something is being lost or refused: any message in a dead-letter queue, any
 * function error (handlers answer problem+json themselves, so an error is a crash) and any throttle.
 * They all notify one topic; who subscribes (email, chat) is an operational choice.
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'Alarms', { displayName: 'Plein alarms', enforceSSL: true });
    const action = new SnsAction(this.topic);
    const alarm = (target: Construct, suffix: string, metric: cloudwatch.IMetric, description: string) => {
      new cloudwatch.Alarm(this, `${Names.nodeUniqueId(target.node)}${suffix}`, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(action);
    };

    for (const queue of props.deadLetterQueues) {
      alarm(
        queue,
        'Depth',
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        `Dead letters waiting in ${queue.node.path}: events were not delivered or not processed.`,
      );
    }
    for (const fn of props.functions) {
      const period = Duration.minutes(5);
      alarm(
        fn,
        'Errors',
        fn.metricErrors({ period, statistic: 'Sum' }),
        `${fn.node.path} failed (unhandled error).`,
      );
      alarm(
        fn,
        'Throttles',
        fn.metricThrottles({ period, statistic: 'Sum' }),
        `${fn.node.path} was throttled.`,
      );
    }

    new CfnOutput(this, 'AlarmTopic', {
      value: this.topic.topicArn,
      description: 'Subscribe here to hear of alarms',
    });
  }
}
