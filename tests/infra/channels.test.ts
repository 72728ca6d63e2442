import { App, aws_dynamodb as dynamodb, aws_logs as logs, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { subscriptionKinds } from '#shared/domain/subscription.ts';
import { Channels } from '../../infra/cdk/channels.ts';
import { parsePattern, type Resource, referencedId, resourcesOf } from './support/synth.ts';

let app: App;
let stack: Stack;
let template: Template;
beforeAll(() => {
  // No bundling: these tests read the template only.
  app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stack = new Stack(app, 'channels-test');
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  new Channels(stack, 'Channels', {
    table,
    logRetention: logs.RetentionDays.ONE_MONTH,
    mailFrom: 'Plein <no-reply@plein.example>',
  });
  template = Template.fromStack(stack);
});

const queueIds = () =>
  resourcesOf(template, 'AWS::SQS::Queue').filter(
    ([, queue]) => queue.Properties.RedrivePolicy !== undefined,
  );

describe('channel dispatch in AWS', () => {
  it('buffers each channel kind in an encrypted SQS queue with a dead-letter queue', () => {
    const queues = queueIds();
    expect(queues).toHaveLength(subscriptionKinds.length);
    for (const [id, queue] of queues) {
      expect(queue.Properties, id).toMatchObject({
        SqsManagedSseEnabled: true,
        RedrivePolicy: { maxReceiveCount: 5 },
      });
      expect(
        referencedId(
          (queue.Properties.RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn,
        ),
      ).toBeDefined();
    }
  });

  it('consumes each queue with the dispatch handler, reporting failed messages one by one', () => {
    const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(subscriptionKinds.length);
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    for (const [, mapping] of mappings) {
      expect(mapping.Properties).toMatchObject({
        BatchSize: 10,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
      const fn = functions[referencedId(mapping.Properties.FunctionName) ?? ''];
      expect(fn?.Properties).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs24.x' });
    }
  });

  it("routes DeliveryDue notices to their kind's queue, as the fan-out and sweep send them", () => {
    const rules = resourcesOf(template, 'AWS::Events::Rule').filter(
      ([, rule]) => rule.Properties.EventPattern,
    );
    const kinds = rules.map(([, rule]) => {
      const pattern = parsePattern(rule.Properties.EventPattern) as {
        source: string[];
        detail: { kind: string[] };
      };
      expect(pattern.source).toEqual(['plein.channels.dispatch']);
      const [target] = rule.Properties.Targets as { InputPath?: string; DeadLetterConfig?: unknown }[];
      expect(target).toMatchObject({ InputPath: '$.detail', DeadLetterConfig: expect.any(Object) });
      return pattern.detail.kind[0];
    });
    expect(kinds.sort()).toEqual([...subscriptionKinds].sort());
  });

  it('sweeps every minute for deliveries whose next try has come', () => {
    const schedules = resourcesOf(template, 'AWS::Events::Rule').filter(
      ([, rule]) => rule.Properties.ScheduleExpression,
    );
    expect(schedules.map(([, rule]) => rule.Properties.ScheduleExpression)).toEqual(['rate(1 minute)']);
  });

  it('gives each dispatcher only its own channel: SES for email, PutEvents for buses, the key for webhooks', () => {
    const policies = resourcesOf(template, 'AWS::IAM::Policy')
      .filter(([id]) => id.startsWith('Channels'))
      .map(([, policy]) => JSON.stringify(policy.Properties));
    const withAction = (action: string) => policies.filter((policy) => policy.includes(action));
    expect(withAction('ses:SendEmail')).toHaveLength(1);
    expect(withAction('"events:PutEvents"').filter((policy) => policy.includes('event-bus/*'))).toHaveLength(
      1,
    );
    expect(withAction('secretsmanager:GetSecretValue')).toHaveLength(1);
    const [, secret] = resourcesOf(template, 'AWS::SecretsManager::Secret')[0] ?? [];
    expect(JSON.stringify(secret?.Properties.Name)).toContain('/channel-key');
  });

  it('passes cdk-nag, every acknowledgement with a reason', () => {
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    const findings = report.violations
      .map((violation) => ({
        rule: violation.ruleName,
        at: violation.violatingResources.map((r) => r.constructPath),
      }))
      .filter((finding) => finding.at.some((path) => path?.includes('/Channels/')));
    expect(findings).toEqual([]);
    const reasons = stack.node
      .findAll()
      .flatMap((construct) =>
        construct.node.metadata
          .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((entry) => Object.values(entry.data as Record<string, string>)),
      );
    expect(reasons.length).toBeGreaterThan(0);
    for (const reason of reasons) expect(reason.length).toBeGreaterThan(40);
  });
});
