/**
 * `npm run bench`: speed figures as ratios to a baseline measured in the same run on the same
 * machine (these machines are shared and noisy), each the median of several rounds.
 * Writes bench-results/latest.json and prints a table.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { Bench } from 'tinybench';
import { monotonicFactory } from 'ulid';
import { createDocumentClient } from '../../functions/adapters/dynamodb/client.ts';
import { initiativeToItem } from '../../functions/adapters/dynamodb/initiatives.ts';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { localClientConfig, startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { startHub } from '../../infra/local/hub.ts';
import { demoMunicipalities } from '../../infra/local/seed.ts';
import { registerInitiative } from '../../shared/domain/initiative-decisions.ts';
import { median } from './support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 150);
const LARGE_TABLE = Number(process.env.BENCH_LARGE_TABLE ?? 10_000);

/** A task's median latency; a task that failed has none, and the benchmark stops. */
function p50Of(task: { name: string; result: object } | undefined): number {
  const result = task?.result as { latency?: { p50: number }; error?: unknown } | undefined;
  if (!result?.latency) throw new Error(`benchmark task ${task?.name} failed: ${String(result?.error)}`);
  return result.latency.p50;
}

/** Runs both tasks `ROUNDS` times, alternating, and returns each round's median latency per task. */
async function compare(name: string, subject: () => Promise<unknown>, baseline: () => Promise<unknown>) {
  const rounds: { subject: number; baseline: number; ratio: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const bench = new Bench({ iterations: ITERATIONS, time: 0, warmupIterations: 20, warmupTime: 0 });
    // Alternate which goes first so that neither always runs on a warmer machine.
    const order = round % 2 === 0 ? (['subject', 'baseline'] as const) : (['baseline', 'subject'] as const);
    for (const task of order) bench.add(task, task === 'subject' ? subject : baseline);
    const tasks = await bench.run();
    const p50 = (task: string) => p50Of(tasks.find((candidate) => candidate.name === task));
    rounds.push({
      subject: p50('subject'),
      baseline: p50('baseline'),
      ratio: p50('subject') / p50('baseline'),
    });
  }
  const result = {
    name,
    subjectMedianMs: median(rounds.map((r) => r.subject)),
    baselineMedianMs: median(rounds.map((r) => r.baseline)),
    ratio: median(rounds.map((r) => r.ratio)),
    rounds,
  };
  console.log(
    `${name}: ratio ${result.ratio.toFixed(2)} (subject p50 ${result.subjectMedianMs.toFixed(2)} ms, baseline p50 ${result.baselineMedianMs.toFixed(2)} ms, ${ROUNDS} rounds × ${ITERATIONS})`,
  );
  return result;
}

async function fillTo(count: number, tableName: string, endpoint: string, existing: number) {
  const client = createDocumentClient({ tableName, endpoint });
  const newId = monotonicFactory();
  const amsterdam = demoMunicipalities[0];
  const actor = { userId: 'bench', name: 'Bench', staffOf: [], isPlatformAdmin: false };
  const items = Array.from({ length: count - existing }, (_, index) => {
    const { state } = registerInitiative(
      {
        name: `Bench initiative ${existing + index}`,
        summary: 'An initiative made by the benchmark to fill the table.',
        description: 'Lorem ipsum '.repeat(40),
        language: 'en',
        municipalityId: 'amsterdam',
        neighbourhoodId: amsterdam?.neighbourhoods[index % 5]?.id ?? 'bos-en-lommer',
        themes: ['community'],
        links: {},
        helpWanted: [{ kind: 'space' }],
        facilitationStance: 'open',
        activities: [],
      },
      amsterdam,
      { actor, now: new Date(), newId },
    );
    return { ...state, slug: `bench-${state.id.toLowerCase()}` };
  });
  const batches: (typeof items)[] = [];
  for (let index = 0; index < items.length; index += 25) batches.push(items.slice(index, index + 25));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < batches.length) {
        const batch = batches[next++] as typeof items;
        let requests: Record<string, unknown>[] | undefined = batch.map((initiative) => ({
          PutRequest: { Item: initiativeToItem(initiative) },
        }));
        while (requests && requests.length > 0) {
          const result = await client.send(
            new BatchWriteCommand({ RequestItems: { [tableName]: requests as never } }),
          );
          requests = result.UnprocessedItems?.[tableName] as Record<string, unknown>[] | undefined;
        }
      }
    }),
  );
  client.destroy();
  return items;
}

async function main() {
  process.env.PLEIN_QUIET = '1';
  console.log(`Plein benchmarks on Node ${process.version}; figures are ratios to a same-run baseline.`);
  const dynamodb = await startDynamoDbLocal();
  const tableName = 'plein-bench';
  const hub = await startHub({ endpoint: dynamodb.endpoint, tableName, port: 0, seed: true });
  const raw = new DynamoDBClient(localClientConfig(dynamodb.endpoint));
  try {
    const seeded = (await (await fetch(`${hub.url}/api/initiatives?limit=100`)).json()) as {
      items: { id: string }[];
    };
    const [sample] = await fillTo(100, tableName, dynamodb.endpoint, seeded.items.length);
    if (!sample) throw new Error('nothing to read');

    const getById = await compare(
      'GET /api/initiatives/{id} through the local HTTP path vs raw GetItem',
      async () => {
        const response = await fetch(`${hub.url}/api/initiatives/${sample.id}`);
        if (response.status !== 200) throw new Error(`status ${response.status}`);
        await response.arrayBuffer();
      },
      () =>
        raw.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { pk: { S: keys.initiative(sample.id).pk }, sk: { S: 'INITIATIVE' } },
          }),
        ),
    );

    const listPage = async () => {
      const response = await fetch(`${hub.url}/api/initiatives?limit=20`);
      if (response.status !== 200) throw new Error(`status ${response.status}`);
      await response.arrayBuffer();
    };
    // Each round measures the small table now and the large one below: the baseline is the 100-item
    // figure, taken in this run.
    // The HTTP path above already warmed the server; warm the list route too before measuring it.
    await new Bench({ iterations: ITERATIONS * 2, time: 0, warmup: false }).add('warm-up', listPage).run();
    const small: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({ iterations: ITERATIONS, time: 0, warmupIterations: 20, warmupTime: 0 }).add(
        'list',
        listPage,
      );
      small.push(p50Of((await bench.run())[0]));
    }
    const started = performance.now();
    await fillTo(LARGE_TABLE, tableName, dynamodb.endpoint, 100);
    console.log(
      `(filled the table to ${LARGE_TABLE} initiatives in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    const large: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({ iterations: ITERATIONS, time: 0, warmupIterations: 20, warmupTime: 0 }).add(
        'list',
        listPage,
      );
      large.push(p50Of((await bench.run())[0]));
    }
    const list = {
      name: `GET /api/initiatives?limit=20 with ${LARGE_TABLE} vs 100 initiatives`,
      subjectMedianMs: median(large),
      baselineMedianMs: median(small),
      ratio: median(large) / median(small),
      rounds: { small, large },
    };
    console.log(
      `${list.name}: ratio ${list.ratio.toFixed(2)} (p50 ${list.subjectMedianMs.toFixed(2)} ms vs ${list.baselineMedianMs.toFixed(2)} ms, ${ROUNDS} rounds × ${ITERATIONS})`,
    );

    const results = {
      node: process.version,
      date: new Date().toISOString(),
      rounds: ROUNDS,
      iterations: ITERATIONS,
      benchmarks: [getById, list],
    };
    const folder = resolve(import.meta.dirname, '../../bench-results');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\n| benchmark | ratio | target |\n|---|---|---|');
    console.log(`| ${getById.name} | ${getById.ratio.toFixed(2)} | ≤ 1.5 |`);
    console.log(`| ${list.name} | ${list.ratio.toFixed(2)} | ≤ 1.3 |`);
  } finally {
    raw.destroy();
    await hub.stop();
    await dynamodb.stop();
  }
}

await main();
