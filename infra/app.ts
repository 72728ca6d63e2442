import { buildApp } from './cdk/plein-app.ts';

// The outbox Pipe's enrichment has no module in functions/ yet (see infra/cdk/outbox-pipe.ts);
// once it has, pass it here as `outboxEnrichment: 'functions/<path>.handler'`.
const { app } = await buildApp();
app.synth();
