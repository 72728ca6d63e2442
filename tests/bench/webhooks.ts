/**
 * Webhook fan-out benchmark: with ten webhook subscriptions on loopback (real HTTP receivers in this
 * process, answering 200), the time from a committed write (POST /api/initiatives, timestamped when its
 * 201 returns) to the last of its ten deliveries arriving, median and p95 over BENCH_WEBHOOK_EVENTS
 * events, as ratios to a bare HTTP round trip to the same receiver (the dispatcher's own client,
 * `postWebhook`) measured in the same run. Writes bench-results/webhooks.json and prints a table.
 *
 * The relay and dispatcher poll at the intervals `npm start` uses unless BENCH_RELAY_POLL_MS and
 * BENCH_DISPATCH_MS say otherwise: those intervals, not the work, make most of the figure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { postWebhook } from '../../functions/adapters/channels/webhook.ts';
import { startDynamoDbLocal } from '../../infra/local/dynamodb-local.ts';
import { startHub } from '../../infra/local/hub.ts';

const EVENTS = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 200);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SUBSCRIPTIONS = 10;
const BASELINE_PER_ROUND = 50;
/** What `npm start` runs with: the relay's and the hub's defaults (infra/local/stream-relay.ts, hub.ts). */
const RELAY_POLL_MS = Number(process.env.BENCH_RELAY_POLL_MS ?? 200);
const DISPATCH_MS = Number(process.env.BENCH_DISPATCH_MS ?? 1000);
/**
 * Writes come one after another with a random pause after each 201 (about two a second): they fall on
 * every phase of the polling, and a few are on their way at once, as on a hub in use.
 */
const PAUSE_MS = [300, 700] as const;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  // Nearest rank.
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
};
const median = (values: number[]) => quantile(values, 0.5);
const p95 = (values: number[]) => quantile(values, 0.95);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Arrival times (performance.now()) of the deliveries of each initiative, by initiative id. */
const arrivals = new Map<string, number[]>();

function receiver(): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = performance.now();
      response.writeHead(200).end();
      if (String(request.headers['webhook-id']).startsWith('baseline')) return;
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          data?: { data?: { initiative?: { id?: string } } };
        };
        const id = body.data?.data?.initiative?.id;
        if (id) arrivals.set(id, [...(arrivals.get(id) ?? []), at]);
      } catch {
        // not a delivery of ours
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

async function main() {
  process.env.PLEIN_QUIET = '1';
  // The dispatch handler logs every try as a JSON line (CloudWatch in AWS); kept off the table here.
  const log = console.log;
  console.log = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('{"level":"info"')) return;
    log(...args);
  };
  console.log(
    `Webhook fan-out on Node ${process.version}: ${EVENTS} events × ${SUBSCRIPTIONS} webhooks, relay poll ${RELAY_POLL_MS} ms, dispatcher ${DISPATCH_MS} ms.`,
  );
  const started = performance.now();
  const dynamodb = await startDynamoDbLocal();
  const receivers = await Promise.all(Array.from({ length: SUBSCRIPTIONS }, receiver));
  const hub = await startHub({
    endpoint: dynamodb.endpoint,
    tableName: 'plein-bench-webhooks',
    port: 0,
    seed: true,
    relayPollIntervalMs: RELAY_POLL_MS,
    channels: { dispatchIntervalMs: DISPATCH_MS },
    // One demo organiser registers 200 initiatives from loopback: far past a person's write budget,
    // which is not what this measures (nor is the per-address ceiling: all of it comes from loopback) (the limiter runs before the commit the clock starts at).
    rateLimits: {
      perUser: { limit: 100_000, windowSeconds: 60 },
      perSourceIp: { limit: 1_000_000, windowSeconds: 60 },
      coolDown: { seconds: 0 },
    },
  });
  try {
    const call = async (method: string, path: string, token: string | undefined, body?: unknown) => {
      const response = await fetch(`${hub.url}${path}`, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, at: performance.now(), body: (await response.json()) as never };
    };
    const token = async (user: string) =>
      ((await call('POST', '/dev/token', undefined, { user })).body as { token: string }).token;
    const staff = await token('staff-amsterdam');
    const owner = await token('organiser-noor');
    for (const [index, { url }] of receivers.entries()) {
      const created = await call('POST', '/api/municipalities/amsterdam/subscriptions', staff, {
        kind: 'webhook',
        url: `${url}/hook-${index}`,
        eventTypes: ['InitiativeRegistered'],
        description: `Bench receiver ${index}`,
      });
      if (created.status !== 201)
        throw new Error(`subscribing: ${created.status} ${JSON.stringify(created.body)}`);
    }

    let serial = 0;
    /** Registers an initiative; answers its id and when the 201 came back. */
    const register = async () => {
      const answer = await call('POST', '/api/initiatives', owner, {
        name: `Bench initiative ${++serial}`,
        summary: 'An initiative made by the webhook benchmark.',
        municipalityId: 'amsterdam',
        neighbourhoodId: 'oud-west',
        language: 'en',
      });
      if (answer.status !== 201)
        throw new Error(`registering: ${answer.status} ${JSON.stringify(answer.body)}`);
      return { id: (answer.body as { id: string }).id, committedAt: answer.at };
    };
    const allArrived = async (ids: string[], timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      while (ids.some((id) => (arrivals.get(id)?.length ?? 0) < SUBSCRIPTIONS)) {
        if (Date.now() > until) throw new Error('deliveries did not all arrive within a minute');
        await sleep(20);
      }
    };

    // Warm up (handler modules, connections, the JIT of Node and of DynamoDB Local); not measured.
    const warm = [];
    for (let index = 0; index < 20; index++) {
      warm.push((await register()).id);
      await sleep(PAUSE_MS[0]);
    }
    await allArrived(warm);
    const sampleBody = JSON.stringify({
      type: 'InitiativeRegistered',
      timestamp: new Date().toISOString(),
      data: { padding: 'x'.repeat(1200) },
    });
    const roundTrip = async () => {
      const at = performance.now();
      const answer = await postWebhook({
        url: `${receivers[0]?.url}/hook-0`,
        id: `baseline-${serial}`,
        secret: `whsec_${Buffer.from('the benchmark secret, 32 bytes!!').toString('base64')}`,
        body: sampleBody,
        timeoutMs: 10_000,
      });
      if (answer.status !== 200) throw new Error(`baseline: ${answer.status}`);
      return performance.now() - at;
    };
    for (let index = 0; index < 20; index++) await roundTrip();

    const rounds: {
      baselineMs: number[];
      lastMs: number[];
      firstMs: number[];
    }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const baselineMs: number[] = [];
      for (let index = 0; index < BASELINE_PER_ROUND; index++) baselineMs.push(await roundTrip());
      const written: { id: string; committedAt: number }[] = [];
      const count = Math.round(EVENTS / ROUNDS);
      for (let index = 0; index < count; index++) {
        written.push(await register());
        await sleep(PAUSE_MS[0] + Math.random() * (PAUSE_MS[1] - PAUSE_MS[0]));
      }
      await allArrived(written.map((write) => write.id));
      const times = written.map(({ id, committedAt }) => {
        const at = arrivals.get(id) ?? [];
        return { last: Math.max(...at) - committedAt, first: Math.min(...at) - committedAt };
      });
      rounds.push({
        baselineMs,
        lastMs: times.map((time) => time.last),
        firstMs: times.map((time) => time.first),
      });
      console.log(
        `round ${round + 1}/${ROUNDS}: last of ${SUBSCRIPTIONS} p50 ${median(times.map((t) => t.last)).toFixed(0)} ms, baseline p50 ${median(baselineMs).toFixed(2)} ms`,
      );
    }

    const last = rounds.flatMap((round) => round.lastMs);
    const first = rounds.flatMap((round) => round.firstMs);
    const baseline = rounds.flatMap((round) => round.baselineMs);
    type Round = (typeof rounds)[number];
    const figure = (name: string, pick: (round: Round) => number[], q: (values: number[]) => number) => {
      const subject = rounds.flatMap(pick);
      return {
        name,
        subjectMs: q(subject),
        baselineMs: q(baseline),
        ratio: q(subject) / q(baseline),
        // The same ratio per round, each against its own round's baseline: how steady the figure is.
        roundRatios: rounds.map((round) => q(pick(round)) / q(round.baselineMs)),
      };
    };
    const figures = [
      figure(`commit → last of ${SUBSCRIPTIONS} webhooks, median`, (round) => round.lastMs, median),
      figure(`commit → last of ${SUBSCRIPTIONS} webhooks, p95`, (round) => round.lastMs, p95),
      figure(
        `commit → first of ${SUBSCRIPTIONS} webhooks, median (reference)`,
        (round) => round.firstMs,
        median,
      ),
    ];
    const results = {
      node: process.version,
      date: new Date().toISOString(),
      events: last.length,
      subscriptions: SUBSCRIPTIONS,
      rounds: ROUNDS,
      baselineRoundTrips: baseline.length,
      intervals: { relayPollMs: RELAY_POLL_MS, dispatchMs: DISPATCH_MS },
      pauseBetweenWritesMs: PAUSE_MS,
      figures,
      samples: { lastMs: last, firstMs: first, baselineMs: baseline },
      seconds: (performance.now() - started) / 1000,
    };
    const folder = resolve(import.meta.dirname, '../../bench-results');
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, 'webhooks.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('\n| figure | subject | baseline (bare HTTP round trip) | ratio |\n|---|---|---|---|');
    for (const { name, subjectMs, baselineMs, ratio } of figures) {
      console.log(
        `| ${name} | ${subjectMs.toFixed(0)} ms | ${baselineMs.toFixed(2)} ms | ${ratio.toFixed(0)} |`,
      );
    }
    console.log(
      `\n${last.length} events in ${results.seconds.toFixed(0)} s; relay polls every ${RELAY_POLL_MS} ms, dispatcher every ${DISPATCH_MS} ms (bench-results/webhooks.json).`,
    );
  } finally {
    await hub.stop();
    await dynamodb.stop();
    for (const { server } of receivers) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    console.log = log;
  }
}

await main();
