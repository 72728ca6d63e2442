import { CfnOutput, aws_events as eventbridge, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { RuleDefinition } from '#shared/events/rules.ts';
import { Api, type LoadedRouteGroup } from './api.ts';
import { Channels } from './channels.ts';
import { Data } from './data.ts';
import { Events } from './events.ts';
import { handlerModule, pleinFunction } from './function.ts';
import { Identity } from './identity.ts';
import { Observability } from './observability.ts';
import { OutboxPipe } from './outbox-pipe.ts';
import { Polls } from './polls.ts';
import { Site } from './site.ts';
import type { StageConfig } from './stage.ts';

export interface PleinStackProps extends StackProps {
  stage: StageConfig;
  routeGroups: readonly LoadedRouteGroup[];
  rules: readonly RuleDefinition[];
  /** The Pipe's enrichment handler (`<module>.<export>`); see OutboxPipe for why it is needed. */
  outboxEnrichment?: string;
}

/**
 * One stack per stage, one construct per concern. One stack, not one per concern: the concerns
 * reference each other (stream ARN, bus, pool) and cross-stack exports would freeze those
 * references; the table and the user pool are protected by RETAIN and deletion protection instead.
 */
export class PleinStack extends Stack {
  constructor(scope: Construct, id: string, props: PleinStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const logRetention = stage.logRetentionDays;

    const data = new Data(this, 'Data');
    const identity = new Identity(this, 'Identity', { stageName: stage.name });
    const events = new Events(this, 'Events', {
      busName: stage.busName,
      archiveRetentionDays: stage.archiveRetentionDays,
      rules: props.rules,
      table: data.table,
      logRetention,
      mailFrom: stage.mailFrom,
    });
    const enrichment = props.outboxEnrichment
      ? pleinFunction(this, 'OutboxEnrichment', {
          ...handlerModule(props.outboxEnrichment),
          description: 'Turns outbox stream records into bus entries for the Pipe',
          logRetention,
        })
      : undefined;
    const pipe = new OutboxPipe(this, 'OutboxPipe', {
      table: data.table,
      bus: events.bus,
      enrichment,
      logRetention,
    });
    const channels = new Channels(this, 'Channels', {
      table: data.table,
      logRetention,
      mailFrom: stage.mailFrom,
      fanout: events.consumerByHandler.get('functions/consumers/channel-fanout.handler'),
    });
    const polls = new Polls(this, 'Polls', { table: data.table, logRetention });
    const api = new Api(this, 'Api', {
      routeGroups: props.routeGroups,
      table: data.table,
      secrets: { ballotKey: polls.ballotKey, channelKey: channels.channelKey },
      identity,
      throttle: stage.apiThrottle,
      ...(stage.rateLimits ? { rateLimits: stage.rateLimits } : {}),
      logRetention,
    });
    const site = new Site(this, 'Site', {
      apiEndpoint: api.httpApi.apiEndpoint,
      logRetention,
      ...(stage.siteDomain ? { domain: stage.siteDomain } : {}),
      identity,
    });
    new Observability(this, 'Observability', {
      dashboardName: `plein-${stage.name}`,
      httpApis: { api: api.httpApi, pages: site.pagesApi },
      rules: this.node
        .findAll()
        .filter((construct): construct is eventbridge.Rule => construct instanceof eventbridge.Rule),
      table: data.table,
      functions: [
        ...api.functions,
        site.pages,
        ...events.consumers,
        ...channels.functions,
        polls.sweeper,
        ...(enrichment ? [enrichment] : []),
      ],
      deadLetterQueues: [
        ...events.deadLetterQueues,
        ...channels.deadLetterQueues,
        pipe.deadLetterQueue,
        polls.deadLetterQueue,
      ],
    });

    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'BusName', { value: events.bus.eventBusName });
    new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: identity.client.userPoolClientId });
    new CfnOutput(this, 'HostedSignInDomain', { value: identity.domain.baseUrl() });
  }
}
