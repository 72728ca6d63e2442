import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { outboxStreamFilter } from '#functions/adapters/dynamodb/outbox.ts';
import { tableDefinition } from '#functions/adapters/dynamodb/table.ts';
import { rules } from '#shared/events/rules.ts';
import { repoRoot } from '../../infra/cdk/function.ts';
import { stageConfigFrom } from '../../infra/cdk/stage.ts';
import { parsePattern, type Resource, referencedId, resourcesOf, synthesize } from './support/synth.ts';

let template: Template;
beforeAll(async () => {
  ({ template } = await synthesize());
});

const only = (entries: [string, Resource][]) => {
  expect(entries).toHaveLength(1);
  return entries[0] as [string, Resource];
};

/** The domain bus, by its stage's name (the channels construct has a dispatch bus of its own). */
const busNamed = (from: Template, name: string) =>
  only(resourcesOf(from, 'AWS::Events::EventBus').filter(([, bus]) => bus.Properties.Name === name));

describe('data', () => {
  it('keeps the one table safe: PITR, deletion protection, retained, with TTL and a NEW_IMAGE stream', () => {
    const [, table] = only(resourcesOf(template, 'AWS::DynamoDB::Table'));
    expect(table.Properties).toMatchObject({
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: tableDefinition.streamViewType },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('has the indexes of the table definition', () => {
    const [, table] = only(resourcesOf(template, 'AWS::DynamoDB::Table'));
    const indexes = table.Properties.GlobalSecondaryIndexes as { IndexName: string }[];
    expect(indexes.map((index) => index.IndexName)).toEqual(
      tableDefinition.globalSecondaryIndexes.map((index) => index.indexName),
    );
  });
});

describe('stages', () => {
  it("takes a stage's settings from cdk.json: prod has the bus plein and keeps logs longer", async () => {
    const prod = (await synthesize({ stage: 'prod' })).template;
    const [, bus] = busNamed(prod, 'plein');
    expect(bus.Properties.Name).toBe('plein');
    for (const [id, logGroup] of resourcesOf(prod, 'AWS::Logs::LogGroup')) {
      expect(logGroup.Properties.RetentionInDays, id).toBe(90);
    }
  });

  it('refuses write budgets that are not a rate-limit policy', () => {
    const root = new Construct(undefined as never, '');
    const dev = { busName: 'b', logRetentionDays: 14, archiveRetentionDays: 30, mailFrom: 'a@example.org' };
    const throttle = { apiThrottle: { rateLimit: 1, burstLimit: 1 } };
    root.node.setContext('plein:stages', {
      dev: { ...dev, ...throttle, rateLimits: { perUsr: { limit: 5, windowSeconds: 60 } } },
    });
    expect(() => stageConfigFrom(root.node)).toThrow(/perUsr/);
    const valid = new Construct(undefined as never, '');
    valid.node.setContext('plein:stages', {
      dev: { ...dev, ...throttle, rateLimits: { perUser: { limit: 5, windowSeconds: 60 } } },
    });
    expect(stageConfigFrom(valid.node).rateLimits).toEqual({ perUser: { limit: 5, windowSeconds: 60 } });
  });

  it('refuses a stage cdk.json does not define', () => {
    // A bare root construct: an App would make an assembly directory for nothing.
    const root = new Construct(undefined as never, '');
    root.node.setContext('plein:stages', { dev: {} });
    root.node.setContext('stage', 'staging');
    expect(() => stageConfigFrom(root.node)).toThrow(/Unknown stage "staging"/);
  });
});

/**
 * Plein's functions: all but CDK's BucketDeployment handler, which CDK builds itself (Python), runs
 * only while CloudFormation deploys the site's files, and whose failure fails that deployment.
 */
const pleinFunctions = (from: Template) =>
  resourcesOf(from, 'AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomCDKBucketDeployment'));

describe('functions', () => {
  it("leaves out of Plein's functions only the one BucketDeployment handler", () => {
    const others = resourcesOf(template, 'AWS::Lambda::Function').filter(
      ([id]) => !pleinFunctions(template).some(([plein]) => plein === id),
    );
    expect(others).toHaveLength(1);
    expect(JSON.stringify(template.toJSON().Resources)).toContain('Custom::CDKBucketDeployment');
  });

  it('run nodejs24.x on arm64, log JSON into a log group of their own that has a retention', () => {
    const functions = pleinFunctions(template);
    expect(functions.length).toBeGreaterThan(0);
    const logGroups = template.findResources('AWS::Logs::LogGroup') as Record<string, Resource>;
    for (const [id, fn] of functions) {
      expect(fn.Properties, id).toMatchObject({ Runtime: 'nodejs24.x', Architectures: ['arm64'] });
      const logging = fn.Properties.LoggingConfig as { LogGroup: unknown; LogFormat: string };
      expect(logging.LogFormat, id).toBe('JSON');
      const logGroup = logGroups[referencedId(logging.LogGroup) ?? ''];
      expect(logGroup?.Properties.RetentionInDays, id).toBeGreaterThan(0);
    }
  });
});

describe('events', () => {
  it('builds every catalog rule on the plein bus with the catalog pattern, exactly', () => {
    const [busId] = busNamed(template, 'plein-dev');
    const synthesized = resourcesOf(template, 'AWS::Events::Rule').filter(
      ([, rule]) => referencedId(rule.Properties.EventBusName) === busId,
    );
    expect(synthesized).toHaveLength(rules.length);
    for (const rule of rules) {
      const found = synthesized.find(([, resource]) => resource.Properties.Name === rule.name);
      expect(found, rule.name).toBeDefined();
      const properties = (found as [string, Resource])[1].Properties;
      expect(referencedId(properties.EventBusName)).toBe(busId);
      expect(parsePattern(properties.EventPattern)).toEqual(rule.eventPattern);
    }
  });

  it("gives every rule target a dead-letter queue and the catalog's retry policy", () => {
    const queues = template.findResources('AWS::SQS::Queue');
    for (const rule of rules) {
      const [, resource] =
        resourcesOf(template, 'AWS::Events::Rule').find(([, r]) => r.Properties.Name === rule.name) ?? [];
      const targets = resource?.Properties.Targets as {
        DeadLetterConfig?: { Arn: unknown };
        RetryPolicy?: unknown;
      }[];
      expect(targets.length, rule.name).toBeGreaterThan(0);
      for (const target of targets) {
        expect(queues[referencedId(target.DeadLetterConfig?.Arn) ?? ''], rule.name).toBeDefined();
        expect(target.RetryPolicy).toEqual({
          MaximumRetryAttempts: rule.target.retry.maximumRetryAttempts,
          MaximumEventAgeInSeconds: rule.target.retry.maximumEventAgeSeconds,
        });
      }
    }
  });

  it('gives every function fed by EventBridge or SQS a dead-letter queue', () => {
    const queues = template.findResources('AWS::SQS::Queue') as Record<string, Resource>;
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const ruleTargets = resourcesOf(template, 'AWS::Events::Rule').flatMap(
      ([, rule]) => rule.Properties.Targets as { Arn: unknown }[],
    );
    for (const target of ruleTargets) {
      const fn = functions[referencedId(target.Arn) ?? ''];
      if (!fn) continue;
      const deadLetters = fn.Properties.DeadLetterConfig as { TargetArn: unknown } | undefined;
      expect(queues[referencedId(deadLetters?.TargetArn) ?? '']).toBeDefined();
    }
    for (const [id, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
      const queue = queues[referencedId(mapping.Properties.EventSourceArn) ?? ''];
      if (!queue) continue;
      expect(queue.Properties.RedrivePolicy, id).toBeDefined();
    }
  });

  it("lets exactly the consumers that send mail use SES, from the stage's sender", () => {
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Resource>;
    const policies = resourcesOf(template, 'AWS::IAM::Policy');
    const mailFrom = (
      JSON.parse(readFileSync(`${repoRoot}cdk.json`, 'utf8')) as {
        context: { 'plein:stages': { dev: { mailFrom: string } } };
      }
    ).context['plein:stages'].dev.mailFrom;
    const targets = new Map<string, boolean>();
    for (const [, rule] of resourcesOf(template, 'AWS::Events::Rule')) {
      const definition = rules.find((candidate) => candidate.name === rule.Properties.Name);
      if (!definition) continue;
      for (const target of rule.Properties.Targets as { Arn: unknown }[]) {
        const id = referencedId(target.Arn) ?? '';
        targets.set(id, (targets.get(id) ?? false) || definition.target.sendsMail === true);
      }
    }
    expect([...targets.values()]).toContain(true);
    for (const [id, sendsMail] of targets) {
      const variables = (functions[id]?.Properties.Environment as { Variables?: Record<string, unknown> })
        ?.Variables;
      expect(variables?.MAIL_FROM, id).toBe(sendsMail ? mailFrom : undefined);
      const role = referencedId((functions[id]?.Properties.Role as unknown) ?? '');
      const mayMail = policies.some(
        ([, policy]) =>
          JSON.stringify(policy.Properties.Roles).includes(`"${role}"`) &&
          JSON.stringify(policy.Properties.PolicyDocument).includes('ses:SendEmail'),
      );
      expect(mayMail, id).toBe(sendsMail);
    }
  });

  it('archives every event the bus carries', () => {
    const [busId] = busNamed(template, 'plein-dev');
    const [, archive] = only(resourcesOf(template, 'AWS::Events::Archive'));
    expect(referencedId(archive.Properties.SourceArn)).toBe(busId);
    expect(archive.Properties.EventPattern).toBeUndefined();
  });
});

describe('outbox pipe', () => {
  it("filters the table's stream with the outbox filter the local relay applies", () => {
    const [tableId] = only(resourcesOf(template, 'AWS::DynamoDB::Table'));
    const [busId] = busNamed(template, 'plein-dev');
    const [, pipe] = only(resourcesOf(template, 'AWS::Pipes::Pipe'));
    expect(pipe.Properties.Source).toEqual({ 'Fn::GetAtt': [tableId, 'StreamArn'] });
    expect(referencedId(pipe.Properties.Target)).toBe(busId);
    const { FilterCriteria } = pipe.Properties.SourceParameters as {
      FilterCriteria: { Filters: { Pattern: string }[] };
    };
    expect(FilterCriteria.Filters.map((filter) => parsePattern(filter.Pattern))).toEqual([
      outboxStreamFilter,
    ]);
  });

  it('has a dead-letter queue, runs, and may invoke its enrichment', () => {
    const [, pipe] = only(resourcesOf(template, 'AWS::Pipes::Pipe'));
    const stream = (pipe.Properties.SourceParameters as { DynamoDBStreamParameters: Record<string, unknown> })
      .DynamoDBStreamParameters;
    const deadLetters = stream.DeadLetterConfig as { Arn: unknown };
    expect(template.findResources('AWS::SQS::Queue')[referencedId(deadLetters.Arn) ?? '']).toBeDefined();
    expect(pipe.Properties.DesiredState).toBe('RUNNING');
    const enriched = template;
    const enrichmentId = referencedId(pipe.Properties.Enrichment) ?? '';
    expect(enriched.findResources('AWS::Lambda::Function')[enrichmentId]).toBeDefined();
    const roleId = referencedId(pipe.Properties.RoleArn);
    const policies = resourcesOf(enriched, 'AWS::IAM::Policy').filter(([, policy]) =>
      (policy.Properties.Roles as unknown[]).some((role) => referencedId(role) === roleId),
    );
    const statements = policies.flatMap(
      ([, policy]) =>
        (policy.Properties.PolicyDocument as { Statement: { Action: unknown; Resource: unknown }[] })
          .Statement,
    );
    expect(statements).toContainEqual(
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: { 'Fn::GetAtt': [enrichmentId, 'Arn'] },
      }),
    );
  });
});

describe('IAM', () => {
  /** Where AWS accepts nothing narrower than "*": each with the reason. */
  const wildcardResourceExceptions: Record<string, string> = {
    'dynamodb:ListStreams': 'has no resource-level permissions; the Pipe reads the stream itself by its ARN',
  };

  it('grants no "*" action, and "*" resources only where AWS requires them', () => {
    const documents = [
      ...resourcesOf(template, 'AWS::IAM::Policy').map(
        ([id, policy]) => [id, policy.Properties.PolicyDocument] as const,
      ),
      ...resourcesOf(template, 'AWS::IAM::Role').flatMap(([id, role]) =>
        ((role.Properties.Policies ?? []) as { PolicyDocument: unknown }[]).map(
          (p) => [id, p.PolicyDocument] as const,
        ),
      ),
    ];
    expect(documents.length).toBeGreaterThan(0);
    for (const [id, document] of documents) {
      for (const statement of (document as { Statement: Record<string, unknown>[] }).Statement) {
        if (statement.Effect !== 'Allow') continue;
        const actions = [statement.Action].flat() as string[];
        const resources = [statement.Resource].flat();
        for (const action of actions) expect(action, id).not.toMatch(/^\*$|:\*$/);
        if (resources.includes('*')) {
          expect(
            actions.every((action) => action in wildcardResourceExceptions),
            `${id}: ${actions}`,
          ).toBe(true);
        }
      }
    }
  });
});

describe('observability', () => {
  const alarms = () => resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, alarm]) => alarm.Properties);
  const dimensionOf = (alarm: Record<string, unknown>, name: string) =>
    (alarm.Dimensions as { Name: string; Value: unknown }[] | undefined)?.find(
      (dimension) => dimension.Name === name,
    )?.Value;

  /** Queues something names as its dead-letter queue: Lambda, a rule target, a Pipe, another queue. */
  const deadLetterQueueIds = () => {
    const json = JSON.stringify(template.toJSON().Resources);
    return resourcesOf(template, 'AWS::SQS::Queue')
      .map(([id]) => id)
      .filter((id) =>
        [
          `"DeadLetterConfig":{"Arn":{"Fn::GetAtt":["${id}","Arn"]}}`,
          `"DeadLetterConfig":{"TargetArn":{"Fn::GetAtt":["${id}","Arn"]}}`,
          `"deadLetterTargetArn":{"Fn::GetAtt":["${id}","Arn"]}`,
        ].some((reference) => json.includes(reference)),
      );
  };

  it('alarms on the depth of every dead-letter queue', () => {
    const queues = deadLetterQueueIds();
    expect(queues.length).toBeGreaterThanOrEqual(rules.length + 1);
    for (const queueId of queues) {
      const watched = alarms().filter(
        (alarm) =>
          alarm.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          referencedId(dimensionOf(alarm, 'QueueName')) === queueId,
      );
      expect(watched, queueId).toHaveLength(1);
    }
  });

  it('has a dashboard: API requests, 5xx and latency, every function, dead-letter queue, bus rule and table throttles', () => {
    const [, board] = only(resourcesOf(template, 'AWS::CloudWatch::Dashboard'));
    // The body is JSON inside a string (with references joined in): read it without the escapes.
    const body = JSON.stringify(board.Properties.DashboardBody).replaceAll('\\"', '"');
    for (const title of [
      'API requests',
      'API 5xx',
      'API latency (p50, p99)',
      'Function errors',
      'Function throttles',
      'Function duration (p99)',
      'Dead letters waiting',
      'Bus rules: invocations and failures',
      'DynamoDB throttled requests',
    ]) {
      expect(body).toContain(title);
    }
    for (const metric of ['"Count"', '"5xx"', '"Latency"', 'ReadThrottleEvents', 'WriteThrottleEvents']) {
      expect(body).toContain(metric);
    }
    for (const [apiId] of resourcesOf(template, 'AWS::ApiGatewayV2::Api'))
      expect(body).toContain(`"Ref":"${apiId}"`);
    // Each function appears in errors, throttles and duration; each rule with its two metrics.
    for (const [functionId] of pleinFunctions(template)) {
      expect(body.split(`"Ref":"${functionId}"`).length - 1, functionId).toBeGreaterThanOrEqual(3);
    }
    for (const queueId of deadLetterQueueIds()) expect(body).toContain(`"${queueId}","QueueName"`);
    for (const [ruleId] of resourcesOf(template, 'AWS::Events::Rule')) {
      expect(body.split(`"Ref":"${ruleId}"`).length - 1, ruleId).toBe(2);
    }
    const [tableId] = only(resourcesOf(template, 'AWS::DynamoDB::Table'));
    expect(body).toContain(`"Ref":"${tableId}"`);
  });

  it('alarms on errors and throttles of every function', () => {
    for (const [functionId] of pleinFunctions(template)) {
      for (const metric of ['Errors', 'Throttles']) {
        const watched = alarms().filter(
          (alarm) =>
            alarm.MetricName === metric && referencedId(dimensionOf(alarm, 'FunctionName')) === functionId,
        );
        expect(watched, `${functionId} ${metric}`).toHaveLength(1);
      }
    }
  });
});
