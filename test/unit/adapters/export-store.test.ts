/**
 * The export stores: S3 with Object Lock in compliance mode (PutObject carries the mode, the retain-until date and
 * a checksum, and refuses to replace a key), against aws-sdk-client-mock; the local store writes once, with its
 * retention sidecar. And the `npm run audit:verify` command on a real export, good and tampered.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalExportStore } from '../../../functions/adapters/local/export-store';
import { S3ExportStore } from '../../../functions/adapters/s3/export-store';
import { createExport, exportKeyOf } from '../../../functions/core/use-cases/audit-export';
import { MemoryAuditReader, testPlatformKey } from '../../support/memory-audit-reader';

const s3 = mockClient(S3Client);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'zt-export-store-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function filled(): Promise<MemoryAuditReader> {
  const reader = new MemoryAuditReader();
  reader.append('INST-X', [
    { at: '2026-12-01T08:00:00.000Z', actor: 'channel:ch-x', action: 'BATCH_SUBMITTED', outcome: 'SUCCESS', target: 'B1' },
    { at: '2026-12-01T08:00:01.000Z', actor: 'worker:tax', action: 'DATA_PROVIDED', outcome: 'SUCCESS', retention: 'DATA_PROVIDED' },
  ]);
  await reader.checkpoint('INST-X', '2026-12-01T08:00:05.000Z');
  return reader;
}

describe('S3ExportStore', () => {
  it('puts the export under Object Lock COMPLIANCE until now + the longest retention class it holds, never replacing a key', async () => {
    // Prepare
    s3.reset();
    s3.on(PutObjectCommand).resolves({});
    const reader = await filled();
    const now = new Date('2026-12-02T06:00:00.000Z');
    // Act
    const created = await createExport(
      { reader, logKey: reader.logKey, platformSigner: testPlatformKey(), clock: { now: () => now }, exports: new S3ExportStore(s3 as unknown as S3Client, 'zt-audit-exports'), newId: () => 'X000000000000000000000001' },
      { tenant: 'INST-X' },
    );
    // Assess
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put).toMatchObject({
      Bucket: 'zt-audit-exports',
      Key: exportKeyOf('X000000000000000000000001'),
      ContentType: 'application/x-ndjson',
      ObjectLockMode: 'COMPLIANCE',
      ChecksumAlgorithm: 'SHA256',
      IfNoneMatch: '*',
    });
    // DATA_PROVIDED (≥ 3 years: 1,125 days) is the longest class in this export.
    expect(put.ObjectLockRetainUntilDate).toEqual(new Date(now.getTime() + 1_125 * 86_400_000));
    // The use case answers the id and the manifest, never the store's bucket or key (F8: the handler adds the API href).
    expect(Object.keys(created).sort()).toEqual(['exportId', 'manifest']);
    expect(JSON.stringify(created)).not.toMatch(/s3:|zt-audit-exports|\.jsonl/);
  });

  it('reads an export back, and answers undefined for a missing key', async () => {
    s3.reset();
    s3.on(GetObjectCommand, { Key: 'exports/a.jsonl' }).resolves({ Body: { transformToByteArray: async () => Uint8Array.from(Buffer.from('line\n')) } as never });
    s3.on(GetObjectCommand, { Key: 'exports/b.jsonl' }).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));
    const store = new S3ExportStore(s3 as unknown as S3Client, 'bucket');
    expect((await store.get('exports/a.jsonl'))?.toString()).toBe('line\n');
    expect(await store.get('exports/b.jsonl')).toBeUndefined();
  });

  it('a refused put (the key exists: 412) rejects', async () => {
    s3.reset();
    s3.on(PutObjectCommand).rejects(Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed' }));
    await expect(new S3ExportStore(s3 as unknown as S3Client, 'b').put('exports/x.jsonl', Buffer.from('x'), { retainUntil: new Date(), contentType: 'application/x-ndjson' })).rejects.toThrow(/pre-conditions/);
  });
});

describe('LocalExportStore', () => {
  it('writes once with a retainUntil sidecar, refuses an overwrite and a path outside its directory', async () => {
    const store = new LocalExportStore(dir);
    const retainUntil = new Date('2027-01-06T00:00:00.000Z');
    expect((await store.put('exports/X1.jsonl', Buffer.from('a\n'), { retainUntil, contentType: 'application/x-ndjson' })).location).toBe(`file://${join(dir, 'exports/X1.jsonl')}`);
    await expect(store.put('exports/X1.jsonl', Buffer.from('b\n'), { retainUntil, contentType: 'application/x-ndjson' })).rejects.toThrow(/EEXIST/);
    expect((await store.get('exports/X1.jsonl'))?.toString()).toBe('a\n');
    expect(await store.retainUntil('exports/X1.jsonl')).toEqual(retainUntil);
    expect(await store.get('exports/none.jsonl')).toBeUndefined();
    await expect(store.put('../escape.jsonl', Buffer.from('x'), { retainUntil, contentType: 'x' })).rejects.toThrow(/relative path/);
  });
});

describe('npm run audit:verify', () => {
  const run = promisify(execFile);
  const script = resolve(import.meta.dirname, '../../../scripts/audit-verify.ts');
  const tsx = resolve(import.meta.dirname, '../../../node_modules/.bin/tsx');

  it('prints OK with the counts and root for a good export, FAIL with the line and seq for a tampered one (exit 1)', async () => {
    const reader = await filled();
    const platform = testPlatformKey();
    const store = new LocalExportStore(dir);
    await createExport({ reader, logKey: reader.logKey, platformSigner: platform, clock: { now: () => new Date() }, exports: store, newId: () => 'XV' }, { tenant: 'INST-X' });
    const file = join(dir, 'exports/XV.jsonl');
    const head = await reader.latestTreeHead('INST-X');
    const ok = await run(tsx, [script, file, '--public-key', reader.logKey.publicKey, '--platform-key', platform.publicKey]);
    expect(ok.stdout).toBe(`OK 2 entries, 1 tree heads, root ${head!.treeHead.rootHash}\n`);
    const tampered = join(dir, 'tampered.jsonl');
    await writeFile(tampered, (await readFile(file, 'utf8')).replace('"target":"B1"', '"target":"B2"'));
    const failed = await run(tsx, [script, tampered]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed).toMatchObject({ code: 1, stdout: 'FAIL line 2 (entry seq 0): leaf hash does not match the entry\n' });
  }, 60_000);

  it('says which keys were only as declared by the export, and refuses a manifest not signed by the pinned platform key', async () => {
    // Prepare
    const reader = await filled();
    const platform = testPlatformKey();
    await createExport({ reader, logKey: reader.logKey, platformSigner: platform, clock: { now: () => new Date() }, exports: new LocalExportStore(dir), newId: () => 'XP' }, { tenant: 'INST-X' });
    const file = join(dir, 'exports/XP.jsonl');
    const root = (await reader.latestTreeHead('INST-X'))!.treeHead.rootHash;
    // Act
    const unpinned = await run(tsx, [script, file]);
    const logOnly = await run(tsx, [script, file, '--public-key', reader.logKey.publicKey]);
    const otherKey = await run(tsx, [script, file, '--public-key', reader.logKey.publicKey, '--platform-key', testPlatformKey().publicKey]).then(
      () => undefined,
      (error: { code: number; stdout: string }) => error,
    );
    // Assess
    expect(unpinned.stdout).toBe(
      `OK 2 entries, 1 tree heads, root ${root}; keys as declared by the export: pin them (log key ${reader.logKey.keyId} with --public-key, platform key ${platform.keyId} with --platform-key)\n`,
    );
    expect(logOnly.stdout).toBe(`OK 2 entries, 1 tree heads, root ${root}; keys as declared by the export: pin them (platform key ${platform.keyId} with --platform-key)\n`);
    expect(otherKey).toMatchObject({ code: 1, stdout: 'FAIL line 5: manifest: not the pinned platform key\n' });
  }, 60_000);
});
