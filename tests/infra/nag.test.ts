import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { routeGroups } from '#functions/http/api.ts';
import { synthesize } from './support/synth.ts';

let app: IConstruct;
let publicOperations: string[];
beforeAll(async () => {
  ({ app } = await synthesize());
  const modules = await Promise.all(routeGroups.map((group) => group.load()));
  publicOperations = modules.flatMap((module) =>
    module.routes.filter((route) => route.spec.auth !== 'required').map((route) => route.spec.operationId),
  );
});

/** Every acknowledgement in the tree: rule id, the construct it sits on, and the reason given. */
function acknowledgements(root: IConstruct) {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          path: construct.node.path,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions, as `cdk synth` runs it', () => {
  it('finds nothing unacknowledged when the CLI knows the account and region', async () => {
    // The CLI sets these (the region even offline); acknowledgements must name the same findings then.
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = '123456789012';
    process.env.CDK_DEFAULT_REGION = 'eu-west-1';
    try {
      const { app: located } = await synthesize();
      const report = new AwsSolutionsChecks(located).validateScope(located);
      expect(
        report.violations.map(
          (violation) =>
            `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath)}`,
        ),
      ).toEqual([]);
    } finally {
      for (const [name, value] of [
        ['CDK_DEFAULT_ACCOUNT', saved.account],
        ['CDK_DEFAULT_REGION', saved.region],
      ] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing that is not acknowledged', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    const findings = report.violations.map((violation) => ({
      rule: violation.ruleName,
      severity: violation.severity,
      at: violation.violatingResources.map((resource) => resource.constructPath),
    }));
    expect(findings).toEqual([]);
  });

  it('acknowledges only these rules, each on the narrowest construct and with a reason', () => {
    const found = acknowledgements(app);
    // A new acknowledgement shows up here in review, where a security reviewer reads its reason.
    // Routes without the authorizer are acknowledged from their spec, one by one.
    // CDK's BucketDeployment handler is one per stack, named with a hash of its settings.
    const where = (ack: { id: string; path: string }) =>
      `${ack.id} @ ${ack.path.replace(/^plein-dev\//, '').replace(/^Custom::CDKBucketDeployment\w+$/, 'Custom::CDKBucketDeployment')}`;
    expect([...new Set(found.map(where))].sort()).toEqual(
      [
        'AwsSolutions-COG2 @ Identity/UserPool',
        'AwsSolutions-IAM5[Resource::*] @ OutboxPipe/Role',
        'AwsSolutions-SQS3 @ OutboxPipe/DeadLetters',
        'AwsSolutions-SQS3 @ Polls/SweepDeadLetters',
        'AwsSolutions-SMG4 @ Channels/ChannelKey',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:events:*:*:event-bus/*] @ Channels/EventbusDispatch/Role',
        'AwsSolutions-SQS3 @ Channels/SweepDeadLetters',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*] @ Channels/EmailDispatch/Role',
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*] @ Events/ConsumersModerationNotices/Role',
        'AwsSolutions-SMG4 @ Polls/BallotKey',
        'AwsSolutions-APIG4 @ Site/PagesRoute',
        'AwsSolutions-CFR1 @ Site/Distribution',
        'AwsSolutions-CFR2 @ Site/Distribution',
        // Only without a custom domain (cdk.json's stages have none).
        'AwsSolutions-CFR4 @ Site/Distribution',
        'AwsSolutions-S1 @ Site/AccessLogs',
        'AwsSolutions-S1 @ Site/Assets',
        ...[
          'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          'IAM5[Action::s3:Abort*]',
          'IAM5[Action::s3:DeleteObject*]',
          'IAM5[Action::s3:GetBucket*]',
          'IAM5[Action::s3:GetObject*]',
          'IAM5[Action::s3:List*]',
          'IAM5[Resource::<SiteAssets7F18EA5C.Arn>/*]',
          'IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
          'L1',
        ].map((rule) => `AwsSolutions-${rule} @ Custom::CDKBucketDeployment`),
        ...publicOperations.map((operationId) => `AwsSolutions-APIG4 @ Api/${operationId}`),
      ].sort(),
    );
    for (const ack of found) expect(ack.reason.length, `${ack.id} @ ${ack.path}`).toBeGreaterThan(40);
  });
});
