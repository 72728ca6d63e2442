import {
  Duration,
  type aws_dynamodb as dynamodb,
  aws_iam as iam,
  type aws_logs as logs,
  aws_scheduler as scheduler,
  aws_secretsmanager as secretsmanager,
  Validations,
} from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bindTable, pleinFunction } from './function.ts';
import { deadLetterQueue } from './queues.ts';

export interface PollsProps {
  table: dynamodb.ITable;
  logRetention: logs.RetentionDays;
}

/**
 * What polls need beyond their API: the ballot key (a generated secret that only the polls function
 * reads) and a minute-by-minute sweep that opens and closes polls on time. One sweep rather than a
 * schedule per poll: nothing has to create or clean up schedules, and a late or repeated sweep changes
 * nothing (the poll-schedule handler is idempotent).
 */
export class Polls extends Construct {
  readonly ballotKey: secretsmanager.Secret;
  readonly sweeper: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: PollsProps) {
    super(scope, id);
    this.ballotKey = new secretsmanager.Secret(this, 'BallotKey', {
      description: 'HMAC key of ballot ids (base64 of at least 32 bytes). Rotate only while no poll is open.',
      // 64 characters of [A-Za-z0-9] read as base64: 48 bytes.
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
    });
    this.deadLetterQueue = deadLetterQueue(this, 'SweepDeadLetters');
    this.sweeper = pleinFunction(this, 'Sweep', {
      entry: 'functions/consumers/poll-schedule.ts',
      exportName: 'sweep',
      description: 'Opens and closes polls whose time has come',
      logRetention: props.logRetention,
      timeout: Duration.seconds(50),
      // The schedule invokes asynchronously: what fails after Lambda's own retries lands here too.
      deadLetterQueue: this.deadLetterQueue,
    });
    bindTable(this.sweeper, props.table, 'readWrite');
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the sweep schedule's dead-letter queue; a queue behind it would only move the problem. Its depth raises an alarm.",
    });
    Validations.of(this.ballotKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the ballot key while a poll is open would give a voter a second ballot id, so a changed vote would count twice. ' +
        'The key is rotated by hand between polls (README, "Secrets"); it never leaves Secrets Manager and only the polls function reads it.',
    });
    // A role that may invoke the sweep function itself and nothing else. The L1 schedule, because the
    // L2 target also grants every version of the function (`:*`), which the schedule never calls.
    const role = new iam.Role(this, 'ScheduleRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
    });
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.sweeper.functionArn] }),
    );
    this.deadLetterQueue.grantSendMessages(role);
    new scheduler.CfnSchedule(this, 'EveryMinute', {
      description: 'Poll sweep: open and close polls on time',
      scheduleExpression: 'rate(1 minute)',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: this.sweeper.functionArn,
        roleArn: role.roleArn,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: { maximumEventAgeInSeconds: 300, maximumRetryAttempts: 2 },
      },
    });
  }
}
