/**
 * SM2 sign/verify throughput (median of interleaved slots): sm-crypto (what many institutions use) vs sm-crypto-v2 (what we use), and
 * our verifier with and without its cache of precomputed public-key points. Verification runs on every
 * channel request, so this decides the cache's defaults in functions/shared/crypto/sm2.ts.
 *
 *   npx tsx test/bench/sm2.bench.ts        (about 10 s)
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import smCrypto from 'sm-crypto';
import { sm2 as smV2 } from 'sm-crypto-v2';
import { createSm2Verifier, sm2Sign, sm2Verify } from '../../functions/shared/crypto/sm2';

/** Each case runs in ROUNDS short slots, interleaved with the others, and reports its median: robust to noisy neighbours. */
const ROUNDS = 5;
const SLOT_MS = 120;
const keys = smV2.generateKeyPairHex();
const message = `POST\n/v1/batches\n1700000000\nabcdefghijklmnopqrstuvwxyz012345\n${'ab'.repeat(32)}\n`;
const messageBytes = Buffer.from(message, 'utf8');
const derHex = smV2.doSignature(message, keys.privateKey, { hash: true, der: true });
const der = Buffer.from(derHex, 'hex');

interface Case {
  readonly name: string;
  readonly op: 'sign' | 'verify';
  readonly run: () => boolean | string | Buffer;
  readonly samples: number[];
}

/** Runs `run` for about SLOT_MS; returns operations per second. */
function slot(run: Case['run']): number {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < SLOT_MS) {
    if (run() === false) throw new Error('verification failed during the benchmark');
    count++;
    elapsed = performance.now() - start;
  }
  return (count / elapsed) * 1000;
}

function timeOnce(op: () => unknown): number {
  const start = performance.now();
  op();
  return performance.now() - start;
}

const cases: Case[] = [];
const add = (name: string, op: Case['op'], run: Case['run']) => cases.push({ name, op, run, samples: [] });

add('sm-crypto 0.5.8 (jsbn)', 'sign', () => smCrypto.sm2.doSignature(message, keys.privateKey, { hash: true, der: true }));
add('sm-crypto 0.5.8 (jsbn)', 'verify', () => smCrypto.sm2.doVerifySignature(message, derHex, keys.publicKey, { hash: true, der: true }));
add('sm-crypto-v2', 'sign', () => smV2.doSignature(message, keys.privateKey, { hash: true, der: true }));
add('sm-crypto-v2, hex key', 'verify', () => smV2.doVerifySignature(message, derHex, keys.publicKey, { hash: true, der: true }));
for (const windowSize of [4, 6, 8]) {
  const point = smV2.precomputePublicKey(keys.publicKey, windowSize);
  add(`sm-crypto-v2, precomputed w=${windowSize}`, 'verify', () => smV2.doVerifySignature(message, derHex, point, { hash: true, der: true }));
}
add('ours: sm2Sign', 'sign', () => sm2Sign(messageBytes, keys.privateKey));
const uncached = createSm2Verifier({ cacheSize: 0 });
add('ours: verifier without cache', 'verify', () => uncached(messageBytes, der, keys.publicKey));
add('ours: sm2Verify (cache, default w=4)', 'verify', () => sm2Verify(messageBytes, der, keys.publicKey));
const w6 = createSm2Verifier({ windowSize: 6 });
add('ours: verifier with cache, w=6', 'verify', () => w6(messageBytes, der, keys.publicKey));
const w8 = createSm2Verifier({ windowSize: 8 });
add('ours: verifier with cache, w=8', 'verify', () => w8(messageBytes, der, keys.publicKey));

for (const c of cases) c.run(); // warm-up (and fills the caches: steady state is what we measure)
for (let round = 0; round < ROUNDS; round++) {
  for (const c of cases) c.samples.push(slot(c.run));
}
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const rows = cases.map((c): [string, string, string] => [c.name, c.op, median(c.samples).toFixed(0)]);

// What a cache miss costs: the first verification with a key not seen before (table built on the spot).
const firstUse: string[] = [];
for (const windowSize of [4, 6, 8]) {
  const verifier = createSm2Verifier({ windowSize });
  const fresh = smV2.generateKeyPairHex();
  const signature = sm2Sign(message, fresh.privateKey);
  firstUse.push(`w=${windowSize}: ${timeOnce(() => verifier(message, signature, fresh.publicKey)).toFixed(1)} ms`);
}

// What a cache entry weighs: heap growth per precomputed key (forced GC before and after).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const weights: string[] = [];
for (const windowSize of [4, 6, 8]) {
  const publicKeys = Array.from({ length: 16 }, () => smV2.generateKeyPairHex().publicKey);
  gc();
  const before = process.memoryUsage().heapUsed;
  const held = publicKeys.map((publicKey) => smV2.precomputePublicKey(publicKey, windowSize));
  gc();
  weights.push(`w=${windowSize}: ${((process.memoryUsage().heapUsed - before) / held.length / 1024).toFixed(0)} KB`);
}

const widths = [40, 8, 10];
const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join(' | ');
console.log(line(['library / path', 'op', 'ops/s']));
console.log(widths.map((w) => '-'.repeat(w)).join('-|-'));
for (const row of rows) console.log(line(row));
console.log(`\nfirst verify with a new key (cache miss): ${firstUse.join(', ')}`);
console.log(`heap per cached key: ${weights.join(', ')}`);
console.log(`node ${process.version}, ${process.arch}`);
