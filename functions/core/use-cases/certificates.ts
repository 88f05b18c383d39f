import { sm2Verify } from '../../shared/crypto/sm2';
import { sm3Hex } from '../../shared/crypto/sm3';
import { canonicalJson, CERTIFICATE_NUMBER, type Certificate, type JsonValue } from '../domain/certificate';
import { notFound } from '../domain/errors';
import type { AuditLog, CertificateStore, Channel, FilingRepository, PlatformSigner } from '../ports';

/** What the filing channel downloads: the signed document and how to check it. */
export interface CertificateView {
  readonly certificateNo: string;
  readonly document: Certificate['document'];
  readonly digest: string;
  readonly signature: string;
  readonly signatureAlgorithm: 'SM2-SM3';
  readonly keyId: string;
  readonly issuedAt: string;
  readonly current: boolean;
}

/**
 * The e-certificate of one of the channel's own filings (issue 3 item 5).
 *
 * 1. Load the filing; another channel's filing, or one without a certificate yet, is answered 404 like a
 *    missing one.
 * 2. Answer the stored, signed certificate (holders masked: see CertificatePerson), and audit the download.
 */
export async function getCertificate(
  ports: { filings: FilingRepository; certificates: CertificateStore; audit: AuditLog },
  channel: Channel,
  filingId: string,
): Promise<CertificateView> {
  const missing = () => notFound('CERTIFICATE_NOT_FOUND', 'No certificate exists for this filing of this channel (yet).');
  const filing = await ports.filings.get(filingId);
  if (!filing || filing.channelId !== channel.channelId || filing.status !== 'CERTIFIED') throw missing();
  const allocation = await ports.certificates.allocationOf(filingId);
  const certificate = allocation && (await ports.certificates.get(allocation.certificateNo));
  if (!certificate || certificate.channelId !== channel.channelId) throw missing();
  await ports.audit.record({ tenant: channel.institutionId, actor: `channel:${channel.channelId}`, action: 'CERTIFICATE_DOWNLOADED', outcome: 'SUCCESS', target: filingId });
  const { certificateNo, document, digest, signature, keyId, issuedAt, current } = certificate;
  return { certificateNo, document, digest, signature, signatureAlgorithm: 'SM2-SM3', keyId, issuedAt, current: current !== false };
}

export interface VerificationView {
  readonly certificateNo: string;
  /** The number exists, its digest is the one given, and the platform's signature over it holds. */
  readonly genuine: boolean;
  /** Genuine and not superseded by a later registration. */
  readonly current: boolean;
  readonly platformPublicKey: string;
  readonly keyId: string;
}

/**
 * Public verification of a certificate number with its digest (issue 3 item 5). Answers nothing of the
 * certificate's content, and the same shape for an unknown number and a wrong digest (genuine: false), so
 * it is no oracle of which numbers exist.
 *
 * 1. Load the certificate by number; compare the digest given with the stored one (constant shape either way).
 * 2. Check the stored signature over the canonical document with the platform's public key (a tampered
 *    record is not genuine).
 * 3. Audit the check (number and outcome only) under the `public` tenant.
 */
export async function verifyCertificate(
  ports: { certificates: CertificateStore; signer: PlatformSigner; audit: AuditLog },
  certificateNo: string,
  digest: string,
): Promise<VerificationView> {
  const publicKey = await ports.signer.publicKeyHex();
  const wellFormed = CERTIFICATE_NUMBER.test(certificateNo);
  const certificate = wellFormed ? await ports.certificates.get(certificateNo) : undefined;
  let genuine = false;
  if (certificate && certificate.digest === digest.toLowerCase()) {
    const bytes = Buffer.from(canonicalJson(certificate.document as unknown as JsonValue), 'utf8');
    genuine = sm3Hex(bytes) === certificate.digest && sm2Verify(bytes, Buffer.from(certificate.signature, 'base64'), publicKey);
  }
  const current = genuine && certificate?.current !== false;
  await ports.audit.record({ tenant: 'public', actor: 'anonymous', action: 'CERTIFICATE_VERIFIED', outcome: 'SUCCESS', target: wellFormed ? certificateNo : undefined, detail: { genuine, current } });
  return { certificateNo, genuine, current, platformPublicKey: publicKey, keyId: ports.signer.keyId };
}
