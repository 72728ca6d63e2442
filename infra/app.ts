import { buildApp } from './cdk/plein-app.ts';

const { app } = await buildApp();
app.synth();
