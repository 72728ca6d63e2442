import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { repoRoot } from '../../../infra/cdk/function.ts';
import { type BuildOptions, buildApp } from '../../../infra/cdk/plein-app.ts';

/** cdk.json's context: the CLI reads it for `cdk synth`, tests read the very same file. */
const cdkContext = (
  JSON.parse(readFileSync(`${repoRoot}cdk.json`, 'utf8')) as { context: Record<string, unknown> }
).context;

export interface SynthOptions extends Omit<BuildOptions, 'context' | 'nag'> {
  stage?: string;
  /** Run esbuild for every function; off by default, since most tests read only the template. */
  bundle?: boolean;
  /** Settings of the stage on top of cdk.json's (e.g. a site domain). */
  stageSettings?: Record<string, unknown>;
}

/**
 * The app as `cdk synth` builds it, without the nag plugin (tests call the pack themselves).
 * Synthesize once per test file, in `beforeAll`: it is the slow part. Without bundles the assembly
 * directory holds nothing a test reads, so it is removed at once; with them, call `dispose`.
 */
export async function synthesize(options: SynthOptions = {}) {
  const stage = options.stage ?? 'dev';
  const stages = cdkContext['plein:stages'] as Record<string, Record<string, unknown>>;
  const context = {
    ...cdkContext,
    ...(options.stageSettings
      ? { 'plein:stages': { ...stages, [stage]: { ...stages[stage], ...options.stageSettings } } }
      : {}),
    stage,
    // An empty list means "bundle no stack": assets get a stable placeholder instead. When bundling,
    // asset metadata (as the CLI asks for it) says where each function's bundle was staged.
    ...(options.bundle ? { 'aws:cdk:enable-asset-metadata': true } : { 'aws:cdk:bundling-stacks': [] }),
  };
  const { app, stack } = await buildApp({
    context,
    nag: false,
    // Bundles leave the AWS SDK to the runtime; inside the repository they find it in node_modules.
    ...(options.bundle ? { outdir: join(repoRoot, 'cdk.out', `test-${randomUUID()}`) } : {}),
    ...(options.outboxEnrichment ? { outboxEnrichment: options.outboxEnrichment } : {}),
  });
  const template = Template.fromStack(stack);
  const dispose = () => rmSync(app.outdir, { recursive: true, force: true });
  if (!options.bundle) dispose();
  return { app, stack, template, dispose };
}

export type Resource = { Type: string; Properties: Record<string, unknown> };

export function resourcesOf(template: Template, type: string): [string, Resource][] {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

/** EventBridge patterns reach the template as objects or as JSON strings; compare them as objects. */
export function parsePattern(pattern: unknown): unknown {
  return typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
export function referencedId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    if ('Ref' in value) return String(value.Ref);
    if ('Fn::GetAtt' in value && Array.isArray(value['Fn::GetAtt'])) return String(value['Fn::GetAtt'][0]);
  }
  return undefined;
}
