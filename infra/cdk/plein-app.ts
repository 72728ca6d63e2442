import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { routeGroups } from '#functions/http/api.ts';
import { openApiBundling } from '#functions/http/openapi.ts';
import { rules } from '#shared/events/rules.ts';
import type { LoadedRouteGroup } from './api.ts';
import { PleinStack } from './plein-stack.ts';
import { stageConfigFrom } from './stage.ts';

export interface BuildOptions {
  /** Context on top of what the CLI passes (tests pass cdk.json's, since no CLI reads it for them). */
  context?: Record<string, unknown>;
  /** Where the cloud assembly goes; a temporary folder by default. */
  outdir?: string;
  /** Run cdk-nag's AwsSolutions pack at synth, failing it on an unacknowledged error (default true). */
  nag?: boolean;
  /** The Pipe's enrichment handler; the real one unless a test names another. */
  outboxEnrichment?: string;
}

export const OUTBOX_ENRICHMENT = 'functions/pipes/outbox-enrichment.handler';

/** The route groups with their specs: the stack makes one route per spec. */
async function loadRouteGroups(): Promise<LoadedRouteGroup[]> {
  const openApi = await openApiBundling();
  return Promise.all(
    routeGroups.map(async (group) => ({
      name: group.name,
      entry: group.entry,
      routes: (await group.load()).routes,
      secrets: 'secrets' in group ? group.secrets : [],
      deletesUsers: 'deletesUsers' in group && group.deletesUsers,
      ...(group.entry === openApi.entry
        ? { buildTime: { define: openApi.define, inject: openApi.inject } }
        : {}),
    })),
  );
}

/** The CDK app: one Plein stack for the stage chosen with `-c stage=<name>`. */
export async function buildApp(options: BuildOptions = {}) {
  const app = new App({
    ...(options.context ? { context: options.context } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stage = stageConfigFrom(app.node);
  const stack = new PleinStack(app, `plein-${stage.name}`, {
    // Env-agnostic unless the CLI knows the account (credentials present): synth works offline either way.
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: `Plein (${stage.name})`,
    stage,
    routeGroups: await loadRouteGroups(),
    rules,
    outboxEnrichment: options.outboxEnrichment ?? OUTBOX_ENRICHMENT,
  });
  if (options.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
