/**
 * E-certificates (issue 3 item 5): 不动产登记证明 (a proof of registration: mortgages and advance notices)
 * and 不动产权证书 (a title certificate: ownership). Pure: numbering, the canonical JSON that is signed,
 * and what a certificate document says. The use case allocates, signs and stores.
 */
import type { BusinessType } from './business-types';

/** `PROOF`: 不动产登记证明; `TITLE`: 不动产权证书. */
export type CertificateKind = 'PROOF' | 'TITLE';

export const CERTIFICATE_KIND_NAMES: Readonly<Record<CertificateKind, string>> = { PROOF: '不动产登记证明', TITLE: '不动产权证书' };

/** Ownership gets a title certificate; mortgages, their changes and discharges, and notices get a proof. */
export const CERTIFICATE_KIND_OF: Readonly<Record<BusinessType, CertificateKind>> = {
  MORTGAGE_CREATE: 'PROOF',
  MORTGAGE_CHANGE: 'PROOF',
  MORTGAGE_DISCHARGE: 'PROOF',
  PRESALE_MORTGAGE_NOTICE: 'PROOF',
  PRESALE_NOTICE: 'PROOF',
  FIRST_REGISTRATION: 'TITLE',
  TRANSFER_NEW: 'TITLE',
  TRANSFER_RESALE: 'TITLE',
};

export const REGISTRATION_NAMES: Readonly<Record<BusinessType, string>> = {
  MORTGAGE_CREATE: '抵押权首次登记',
  MORTGAGE_CHANGE: '抵押权变更登记',
  MORTGAGE_DISCHARGE: '抵押权注销登记',
  PRESALE_MORTGAGE_NOTICE: '预购商品房抵押预告登记',
  PRESALE_NOTICE: '预购商品房预告登记',
  FIRST_REGISTRATION: '首次登记',
  TRANSFER_NEW: '转移登记（新建商品房）',
  TRANSFER_RESALE: '转移登记（存量房）',
};

/** Province abbreviations (省级简称) by the first two digits of the division code. */
const PROVINCES: Readonly<Record<string, string>> = { '11': '京', '12': '津', '31': '沪', '37': '鲁', '50': '渝' };

/**
 * The registration authority (登记机构) of each district that the platform serves, as printed in the
 * certificate number. Each district numbers its own series, so its name is in the number: two districts
 * of one city must never print the same number (verification looks certificates up by number).
 */
const AUTHORITIES: Readonly<Record<string, string>> = {
  '370102': '济南市历下区',
  '370103': '济南市市中区',
  '370104': '济南市槐荫区',
  '370105': '济南市天桥区',
  '370112': '济南市历城区',
  '370113': '济南市长清区',
  '370114': '济南市章丘区',
  '370115': '济南市济阳区',
  '370116': '济南市莱芜区',
  '370117': '济南市钢城区',
  '370124': '平阴县',
  '370126': '商河县',
};

/** One numbering series: a district's certificates of one kind in one year. */
export interface CertificateSeries {
  readonly district: string;
  readonly year: number;
  readonly kind: CertificateKind;
}

export const seriesKey = (s: CertificateSeries): string => `${s.district}#${s.year}#${s.kind}`;

/** The year of a date in China (UTC+8): a certificate registered at 2027-01-01 07:00 Beijing time is of 2027. */
export const yearInChina = (at: Date): number => new Date(at.getTime() + 8 * 3600_000).getUTCFullYear();

/** Whether the platform can number certificates in this district (the authority table names it). */
export const hasAuthority = (district: string): boolean => district in AUTHORITIES && district.slice(0, 2) in PROVINCES;

/** `鲁(2026)济南市历下区不动产证明第0000123号` / `鲁(2026)济南市历下区不动产权第0000123号`. */
export function certificateNumber(series: CertificateSeries, sequence: number): string {
  const authority = AUTHORITIES[series.district];
  const province = PROVINCES[series.district.slice(0, 2)];
  if (!authority || !province) throw new Error(`No registration authority is configured for district ${series.district}`);
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > 9_999_999) throw new Error(`Certificate sequence out of range: ${sequence}`);
  const label = series.kind === 'TITLE' ? '不动产权' : '不动产证明';
  return `${province}(${series.year})${authority}${label}第${String(sequence).padStart(7, '0')}号`;
}

export const CERTIFICATE_NUMBER = /^[\u4e00-\u9fa5]\(\d{4}\)[\u4e00-\u9fa5]{2,16}(不动产证明|不动产权)第\d{7}号$/u;

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/**
 * Canonical JSON of the signed document: object keys sorted by UTF-16 code units (as JSON.stringify
 * would meet them in JS, i.e. RFC 8785 key order), no whitespace, undefined members left out, UTF-8.
 * Only strings, booleans, null and safe integers occur in a certificate, so number formatting is not an issue.
 */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error('Canonical JSON of a certificate carries integers only');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${(value as readonly JsonValue[]).map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, JsonValue | undefined>)
    .filter((entry): entry is [string, JsonValue] => entry[1] !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * A person as printed on a certificate. DECISION (issue 3 item 5): the stored, downloadable document
 * carries the name and ID number MASKED plus the keyed blind index of the ID number, never plaintext:
 * plaintext personal data is never stored outside a sealed field (DESIGN.md §5), and a signed document
 * cannot be re-sealed without breaking its signature. The holder is still identified without doubt (the
 * blind index matches their ID number in the register), and the signature makes the document genuine.
 */
export interface CertificatePerson {
  readonly name: string;
  readonly idType: string;
  readonly idNumber: string;
  readonly idIndex: string;
}

export interface CertificateOrganisation {
  readonly name: string;
  /** The unified social credit code, when the registration names it. */
  readonly uscc?: string;
  /** The institution on the platform (e.g. the bank holding a mortgage recorded before the platform). */
  readonly institutionId?: string;
}

export type CertificateParty = CertificatePerson | CertificateOrganisation;

/** What the certificate certifies: the canonical, signed content. */
export interface CertificateDocument {
  readonly certificateNo: string;
  readonly kind: CertificateKind;
  readonly kindName: string;
  readonly businessType: BusinessType;
  readonly registrationName: string;
  readonly district: string;
  readonly unitCode: string;
  readonly address: string;
  readonly areaM2: string;
  /** Who holds the right: owners (title), the mortgagee bank (mortgage), the buyers (presale notice). */
  readonly rightHolders: readonly CertificateParty[];
  /** Who bears it: mortgagors of a mortgage, sellers of a transfer. */
  readonly obligors: readonly CertificateParty[];
  /** The right's own terms (ids, amounts in fen as strings, dates). */
  readonly right: Readonly<Record<string, string>>;
  readonly filingId: string;
  readonly registeredAt: string;
}

/** A signed certificate as stored and downloaded. */
export interface Certificate {
  readonly certificateNo: string;
  readonly filingId: string;
  readonly channelId: string;
  readonly district: string;
  readonly unitCode: string;
  readonly document: CertificateDocument;
  /** Lower-case hex SM3 of the canonical document bytes. */
  readonly digest: string;
  /** Base64 DER SM2 signature (SM3 over Z ‖ canonical bytes, user id 1234567812345678). */
  readonly signature: string;
  readonly keyId: string;
  readonly issuedAt: string;
  /** False once a later registration superseded it (discharged mortgage, transferred ownership, …). */
  readonly current: boolean;
  readonly supersededBy?: string;
}
