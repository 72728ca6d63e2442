import {
  type aws_apigatewayv2 as apigw,
  CfnOutput,
  aws_cloudwatch as cloudwatch,
  Duration,
  type aws_dynamodb as dynamodb,
  type aws_events as events,
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
  /** For the dashboard: the HTTP APIs by label, the bus rules, the table. */
  httpApis: Readonly<Record<string, apigw.IHttpApi>>;
  rules: readonly events.IRule[];
  table: dynamodb.ITable;
  dashboardName: string;
}

/**
 * Alarms that say something is being lost or refused: any message in a dead-letter queue, any
 * function error (handlers answer problem+json themselves, so an error is a crash) and any throttle.
 * They all notify one topic; who subscribes (email, chat) is an operational choice.
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;

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

    this.dashboard = dashboard(this, props);

    new CfnOutput(this, 'AlarmTopic', {
      value: this.topic.topicArn,
      description: 'Subscribe here to hear of alarms',
    });
  }
}

const label = (construct: Construct) => construct.node.path.split('/').slice(1, -1).join('/');

/**
 * One dashboard for the whole stage: what comes in (API requests, 5xx, latency), how the functions
 * fare (errors, throttles, duration), what is being lost (dead letters), the bus's rules (invocations
 * and failures) and the table (throttled requests).
 */
function dashboard(scope: Construct, props: ObservabilityProps): cloudwatch.Dashboard {
  const period = Duration.minutes(5);
  const graph = (
    title: string,
    left: cloudwatch.IMetric[],
    extra: Partial<cloudwatch.GraphWidgetProps> = {},
  ) => new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, period, ...extra });
  const apis = Object.entries(props.httpApis);
  const board = new cloudwatch.Dashboard(scope, 'Dashboard', {
    dashboardName: props.dashboardName,
    defaultInterval: Duration.hours(3),
  });
  board.addWidgets(
    graph(
      'API requests',
      apis.map(([name, api]) => api.metricCount({ label: name, period, statistic: 'Sum' })),
    ),
    graph(
      'API 5xx',
      apis.map(([name, api]) => api.metricServerError({ label: name, period, statistic: 'Sum' })),
    ),
  );
  board.addWidgets(
    graph(
      'API latency (p50, p99)',
      apis.flatMap(([name, api]) => [
        api.metricLatency({ label: `${name} p50`, period, statistic: 'p50' }),
        api.metricLatency({ label: `${name} p99`, period, statistic: 'p99' }),
      ]),
    ),
    graph(
      'Function duration (p99)',
      props.functions.map((fn) => fn.metricDuration({ label: label(fn), period, statistic: 'p99' })),
    ),
  );
  board.addWidgets(
    graph(
      'Function errors',
      props.functions.map((fn) => fn.metricErrors({ label: label(fn), period, statistic: 'Sum' })),
    ),
    graph(
      'Function throttles',
      props.functions.map((fn) => fn.metricThrottles({ label: label(fn), period, statistic: 'Sum' })),
    ),
  );
  board.addWidgets(
    graph(
      'Dead letters waiting',
      props.deadLetterQueues.map((queue) =>
        queue.metricApproximateNumberOfMessagesVisible({ label: label(queue), period, statistic: 'Maximum' }),
      ),
    ),
    graph(
      'Bus rules: invocations and failures',
      props.rules.flatMap((rule) => {
        const dimensionsMap = { RuleName: rule.ruleName };
        return [
          new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName: 'Invocations',
            dimensionsMap,
            label: `${label(rule)} invocations`,
            period,
            statistic: 'Sum',
          }),
          new cloudwatch.Metric({
            namespace: 'AWS/Events',
            metricName: 'FailedInvocations',
            dimensionsMap,
            label: `${label(rule)} failed`,
            period,
            statistic: 'Sum',
          }),
        ];
      }),
    ),
  );
  board.addWidgets(
    graph(
      'DynamoDB throttled requests',
      ['ReadThrottleEvents', 'WriteThrottleEvents'].map((metricName) =>
        props.table.metric(metricName, { label: metricName, period, statistic: 'Sum' }),
      ),
      { width: 24 },
    ),
  );
  return board;
}
