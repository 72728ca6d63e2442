import { Stack, Token } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The stack's account and region as cdk-nag writes them in a finding's id: `<AWS::AccountId>` and
 * `<AWS::Region>` while they are tokens (tests, an environment-agnostic synth), the values themselves
 * once the CLI knows them (`cdk synth` sets the region even offline). An acknowledgement must name
 * the finding exactly, so it is built from these.
 */
export function nagNames(scope: IConstruct): { account: string; region: string } {
  const { account, region } = Stack.of(scope);
  return {
    account: Token.isUnresolved(account) ? '<AWS::AccountId>' : account,
    region: Token.isUnresolved(region) ? '<AWS::Region>' : region,
  };
}
