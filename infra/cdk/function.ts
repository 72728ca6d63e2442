import { fileURLToPath } from 'node:url';
import {
  Duration,
  type aws_dynamodb as dynamodb,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
} from 'aws-cdk-lib';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { tableDefinition } from '#functions/adapters/dynamodb/table.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** How every function is bundled; the bundle benchmark (tests/bench/bundles.ts) builds with the same. */
export const bundleSettings = {
  // ESM has no `require`; CommonJS dependencies bundled into the ESM output still call it.
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  mainFields: ['module', 'main'],
  target: 'node24',
  minify: true,
  /**
   * The nodejs24.x runtime ships AWS SDK v3; bundling our own would add ~320 KB to every function
   * and a third to its import time (measured by `npm run bench`).
   */
  external: ['@aws-sdk/*'],
} as const;

/** `participation-figures`, `consumers/participation` -> `ParticipationFigures`, `ConsumersParticipation`. */
export function pascalCase(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

/** Where a handler lives, from the catalog's `<module path without .ts>.<export>` notation. */
export function handlerModule(reference: string): { entry: string; exportName: string } {
  const dot = reference.lastIndexOf('.');
  if (dot <= 0 || dot === reference.length - 1) {
    throw new Error(
      `"${reference}" is not a handler reference like functions/consumers/participation.handler`,
    );
  }
  return { entry: `${reference.slice(0, dot)}.ts`, exportName: reference.slice(dot + 1) };
}

export interface PleinFunctionProps {
  /** Module path from the repository root, e.g. `functions/http/initiatives.ts`. */
  entry: string;
  exportName?: string;
  description: string;
  logRetention: logs.RetentionDays;
  environment?: Record<string, string>;
  memorySize?: number;
  timeout?: Duration;
  deadLetterQueue?: lambda.FunctionProps['deadLetterQueue'];
  /** Adds the AWS Parameters and Secrets extension, for functions that read a secret at cold start. */
  paramsAndSecrets?: boolean;
  /** Build-time values for esbuild (e.g. the OpenAPI document built into the meta function). */
  buildTime?: BuildTime;
  /**
   * A folder of the asset to put the bundle in, for code that finds its place by its own path (the
   * Astro Node adapter looks for a `server` folder above its module); the handler is `<folder>/index.*`.
   */
  folder?: string;
}

/** esbuild's `define` and `inject`, for a function whose bundle carries something built at synth. */
export interface BuildTime {
  define?: Record<string, string>;
  inject?: string[];
}

/**
 * A Lambda function the way every Plein function runs: nodejs24.x on arm64, one ESM bundle made by
 * the local esbuild (no Docker), JSON logs into a log group of its own with a retention, and a role
 * that can write only to that group (no managed policy, so grants stay visible in this code).
 */
export function pleinFunction(scope: Construct, id: string, props: PleinFunctionProps): NodejsFunction {
  const group = new Construct(scope, id);
  const logGroup = new logs.LogGroup(group, 'Logs', { retention: props.logRetention });
  const role = new iam.Role(group, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: `Runs ${props.entry}`,
  });
  logGroup.grantWrite(role);
  return new NodejsFunction(group, 'Function', {
    entry: `${repoRoot}${props.entry}`,
    handler: `${props.folder ? `${props.folder}/` : ''}index.${props.exportName ?? 'handler'}`,
    projectRoot: repoRoot,
    depsLockFilePath: `${repoRoot}package-lock.json`,
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize ?? 1024,
    timeout: props.timeout ?? Duration.seconds(10),
    role,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    // Stack traces point into the TypeScript sources, not the minified bundle.
    environment: { PLEIN_MODE: 'aws', NODE_OPTIONS: '--enable-source-maps', ...props.environment },
    deadLetterQueue: props.deadLetterQueue,
    ...(props.paramsAndSecrets
      ? {
          paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
            lambda.ParamsAndSecretsVersions.V1_0_103,
          ),
        }
      : {}),
    bundling: {
      format: OutputFormat.ESM,
      banner: bundleSettings.banner,
      target: bundleSettings.target,
      minify: bundleSettings.minify,
      mainFields: [...bundleSettings.mainFields],
      sourceMap: true,
      // Maps to file and line are enough; embedding the sources would triple the upload.
      sourcesContent: false,
      externalModules: [...bundleSettings.external],
      logLevel: LogLevel.WARNING,
      ...(props.buildTime?.define ? { define: props.buildTime.define } : {}),
      ...(props.buildTime?.inject ? { inject: props.buildTime.inject } : {}),
      ...(props.folder ? { commandHooks: moveInto(props.folder) } : {}),
    },
  });
}

/** Bundling hooks that move the bundle and its source map into a folder of the asset. */
function moveInto(folder: string) {
  if (!/^[\w-]+$/.test(folder)) throw new Error(`"${folder}" is not a plain folder name`);
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => [
      `mkdir -p "${outputDir}/${folder}" && mv "${outputDir}"/index.mjs* "${outputDir}/${folder}/"`,
    ],
  };
}

const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:Scan'];
// Transactions need no action of their own: each item in one is authorized as the operation it is.
const WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
];

/**
 * Gives a function the table: its name in TABLE_NAME and exactly the access asked for, in one call,
 * so that the environment and the IAM grant can never drift apart. The indexes are granted by name
 * from the table's definition, where CDK's own grants would give `index/*`.
 */
export function bindTable(
  fn: lambda.Function,
  table: dynamodb.ITable,
  access: 'read' | 'readWrite',
): iam.Grant {
  fn.addEnvironment('TABLE_NAME', table.tableName);
  return iam.Grant.addToPrincipal({
    grantee: fn,
    actions: access === 'read' ? READ_ACTIONS : [...READ_ACTIONS, ...WRITE_ACTIONS],
    resourceArns: [
      table.tableArn,
      ...tableDefinition.globalSecondaryIndexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
    ],
  });
}
