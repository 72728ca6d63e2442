import { aws_iam as iam, Stack, Validations } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { nagNames } from './nag-names.ts';

/**
 * Lets a function send email through SES from the stage's sender (`MAIL_FROM`): the email channel's
 * dispatcher and the consumer that tells owners their item was hidden.
 */
export function allowSendingMail(fn: NodejsFunction, mailFrom: string): void {
  fn.addEnvironment('MAIL_FROM', mailFrom);
  const { account, region, partition } = Stack.of(fn);
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [`arn:${partition}:ses:${region}:${account}:identity/*`],
    }),
  );
  const names = nagNames(fn);
  Validations.of(fn.role ?? fn).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:${names.region}:${names.account}:identity/*]`,
    reason:
      'SES authorizes SendEmail against the sending identity and, in the sandbox, every recipient identity; ' +
      "recipients are municipalities' and initiatives' own addresses, so identities in this account and region are allowed.",
  });
}
