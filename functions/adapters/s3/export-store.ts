/**
 * Audit exports in S3 with Object Lock in COMPLIANCE mode (004 第二十三条: logs kept for their retention
 * period; DESIGN.md §5): each export is locked until the longest retention class it holds expires — no one,
 * not even the account root, can delete or overwrite it before then. `If-None-Match: *` refuses to replace an
 * existing key; the SHA-256 checksum is what S3 requires on a PUT with Object Lock.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ExportStore } from '../../core/ports';

export class S3ExportStore implements ExportStore {
  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, body: Buffer, options: { readonly retainUntil: Date; readonly contentType: string }): Promise<{ readonly location: string }> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: options.contentType,
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: options.retainUntil,
        ChecksumAlgorithm: 'SHA256',
        IfNoneMatch: '*',
      }),
    );
    return { location: `s3://${this.bucket}/${key}` };
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return answer.Body ? Buffer.from(await answer.Body.transformToByteArray()) : undefined;
    } catch (error) {
      if (error instanceof NoSuchKey || (error instanceof Error && error.name === 'NoSuchKey')) return undefined;
      throw error;
    }
  }
}
