import { buildApp } from './cdk/plein-app.ts';

const { app } = await buildApp({ outboxEnrichment: 'functions/pipes/outbox-enrichment.handler' });
app.synth();
