/**
 * Data classification (004 第九、十条; DESIGN.md §5): the class — GENERAL (一般), IMPORTANT (重要), CORE (核心) —
 * of every stored field of every item kind of every table of the topology, declared here next to the
 * schemas and nowhere else. A record takes the stricter class of its fields (`stricterClass`; 004 第十二条:
 * data of different levels processed together is protected at the highest). The table
 * `docs/data-classification.md` is generated from this (`npm run docs:classification`), and
 * test/unit/schemas/classification.test.ts keeps both complete: every table declared, every field of every
 * filing input schema classified, the committed table equal to the generated one.
 *
 * How the classes were decided (004 第十条: 重要数据 meets two or more of its six indicators):
 * - **Registration data is IMPORTANT.** Units, rights, mortgages, seizures and the parties of filings are
 *   不动产登记 — 自然资源管理数据 (第三条) — that other sectors depend on (banks, tax, housing trading:
 *   indicator (二)) and whose leak or tampering endangers citizens' property and lawful interests
 *   (indicator (五)); the personal information of rights holders (names, ID numbers, phones) is among it.
 * - **No field is CORE here.** Core data is important data that bears on the national economy's lifelines
 *   and political security at scale (第十条 last paragraph), 经国家有关部门评估确定: one city's registry
 *   is not that by itself. The class exists in the schema so a field can be raised if the authority's
 *   catalogue (第八条 目录) says so; the risk-assessment section reports CORE counts (zero today).
 * - **Ids, codes, times, counters and audit entries are GENERAL**: they carry no personal data by design
 *   (every audit detail is ids and codes), and are useless without the important data they point to.
 * - **Keys that protect important data are IMPORTANT** (wrapped data keys): their loss exposes what they seal.
 */
import { DATA_CLASSES, stricterClass, type DataClass } from '../functions/core/domain/audit-log';
import { tables, type TableName } from '../infra/topology';
import { filingInputSchemas } from './v1/filing-input';

export interface FieldClass {
  readonly class: DataClass;
  /** Why, when it is not GENERAL (a reviewer checks the reason, not the label). */
  readonly why?: string;
}

export interface ItemClassification {
  /** The item kind and its key shape, e.g. `filing (pk FILING#<id>, sk META)`. */
  readonly item: string;
  readonly fields: Readonly<Record<string, FieldClass>>;
}

const G: FieldClass = { class: 'GENERAL' };
const general = (...names: string[]): Record<string, FieldClass> => Object.fromEntries(names.map((n) => [n, G]));
const important = (why: string, ...names: string[]): Record<string, FieldClass> => Object.fromEntries(names.map((n) => [n, { class: 'IMPORTANT', why }]));

const PERSONAL = 'Personal information of property rights holders and applicants (sealed: SM4 under a per-tenant key, HMAC-SM3; 002 五(一)).';
const REGISTRATION = 'Registration data (不动产登记, 004 第三条) other sectors rely on and whose tampering harms property rights (004 第十条 (二)(五)).';
const CONTENT = 'What a filing asks to register: registration data (004 第十条 (二)(五)).';
const PARTY_INDEX = 'A keyed blind index of an ID number: links a person across filings (person-centred search), so kept as the number is.';

/**
 * The fields of a filing's `content`, by path in the filing input schemas (`[]` marks an array element).
 * Persons are sealed on intake (`idIndex` is added then). A field added to a filing input schema without an
 * entry here fails the classification test.
 */
export const FILING_CONTENT_FIELDS: Readonly<Record<string, FieldClass>> = {
  ...general('clientRef', 'businessType', 'materials[].type', 'materials[].ref', 'materials[].sm3', 'mortgageType', 'reason'),
  ...important(CONTENT, 'unitCode', 'mortgageId', 'amount', 'termStart', 'termEnd', 'change.amount', 'change.termEnd', 'projectId', 'completionRecordNo', 'contractNo', 'price'),
  ...important('An organisation party (mortgagee, seller): registration data.', 'mortgagee.name', 'mortgagee.uscc', 'seller.name', 'seller.uscc'),
  ...Object.fromEntries(
    ['mortgagors', 'buyers', 'sellers'].flatMap((list) => [
      [`${list}[].name`, { class: 'IMPORTANT', why: PERSONAL }],
      [`${list}[].idType`, G],
      [`${list}[].idNumber`, { class: 'IMPORTANT', why: PERSONAL }],
      [`${list}[].phone`, { class: 'IMPORTANT', why: PERSONAL }],
      [`${list}[].idIndex`, { class: 'IMPORTANT', why: PARTY_INDEX }],
    ]),
  ),
};

/** Every table of the topology, its item kinds and their fields. */
export const CLASSIFICATION: Readonly<Record<TableName, readonly ItemClassification[]>> = {
  channels: [
    {
      item: 'channel',
      fields: {
        ...general('channelId', 'institutionId', 'institutionType', 'status', 'allowedBusinessTypes', 'allowedDistricts', 'branchName', 'standing', 'webhook'),
        ...important('The SM2 public key that authenticates an institution\'s filings: replacing it forges filings (non-repudiation, GB/T 39786).', 'publicKey'),
        institutionName: G,
        uscc: G,
      },
    },
    { item: 'nonce (TTL)', fields: general('nonce', 'expiresAt') },
  ],
  filings: [
    {
      item: 'filing',
      fields: {
        ...general('filingId', 'channelId', 'institutionId', 'institutionType', 'clientRef', 'batchId', 'businessType', 'district', 'materials', 'contentHash', 'status', 'createdAt', 'updatedAt', 'history', 'reasonCode', 'missingMaterials', 'correctionDeadline', 'approvalStartedAt', 'checklistVersion', 'urgent', 'urgentReason', 'urgentBy', 'revision', 'outbox', 'requeues', 'lastRequeuedAt', 'flaggedForStaff', 'manualIntake', 'coordination', 'version', 'disclosures'),
        ...important(REGISTRATION, 'unitCode'),
        ...Object.fromEntries(Object.entries(FILING_CONTENT_FIELDS).map(([path, cls]) => [`content.${path}`, cls])),
      },
    },
    { item: 'batch', fields: general('batchId', 'channelId', 'institutionId', 'items', 'createdAt', 'status') },
    { item: 'disposition lock', fields: { ...important(REGISTRATION, 'unitCode'), ...general('filingId', 'lockedAt') } },
  ],
  register: [
    {
      item: 'unit (登记簿)',
      fields: {
        ...important(REGISTRATION, 'unitCode', 'address', 'areaM2', 'mortgages', 'seizures', 'notices', 'project'),
        ...important(PERSONAL, 'owners'),
        ...general('district', 'version', 'status', 'appliedFilings', 'refusals'),
      },
    },
    { item: 'district list', fields: general('district') },
  ],
  guards: [{ item: 'nonce, idempotency record, rate and failure counter (TTL)', fields: general('count', 'expiresAt', 'response', 'bodyHash') }],
  keys: [{ item: 'wrapped personal-data key', fields: { ...important('Seals personal information (important data): its compromise exposes everything it sealed.', 'wrappedKey'), ...general('tenant', 'keyVersion', 'createdAt') } }],
  audit: [
    {
      item: 'log entry, tree node, signed tree head',
      fields: general('entry', 'seq', 'leafHash', 'retention', 'expiresAt', 'tenant', 'actor', 'action', 'outcome', 'target', 'subject', 'detail', 'hash', 'signature', 'treeSize', 'rootHash'),
    },
  ],
  staff: [{ item: 'staff account', fields: { ...general('staffId', 'username', 'role', 'district', 'status', 'lockedBy'), ...important('The staff member\'s own personal information and credential.', 'displayName', 'passwordHash') } }],
  certificates: [
    {
      item: 'e-certificate',
      fields: { ...important(`${REGISTRATION} A signed certificate carries the rights and holders.`, 'document'), ...general('certificateNo', 'filingId', 'digest', 'signature', 'issuedAt', 'current') },
    },
    { item: 'number allocation', fields: general('series', 'next', 'filingId') },
  ],
  checklists: [{ item: 'checklist version', fields: general('businessType', 'version', 'required', 'optional', 'publishedAt', 'publishedBy') }],
  credit: [
    {
      item: 'channel state, ledger event, appeal, case, institution sanction, rules',
      fields: general('channelId', 'institutionId', 'score', 'grade', 'events', 'evidence', 'reason', 'status', 'rules', 'version', 'at', 'points'),
    },
  ],
  security: [
    {
      item: 'incident (INCIDENT#<id>)',
      fields: general('incidentId', 'type', 'severity', 'status', 'district', 'summary', 'source', 'detectedAt', 'openedAt', 'reportDueAt', 'reportedAt', 'handledAt', 'resultDueAt', 'closedAt', 'overdue', 'escalatedAt', 'evidence', 'steps', 'version'),
    },
    { item: 'misuse rules, alerts', fields: general('rules', 'version', 'alertId', 'staffId', 'rule', 'at', 'counts') },
  ],
  statistics: [
    // Counts per business type or channel, and the keys (`<filingId>:<n>`) of the status changes counted: no personal data.
    { item: 'day bucket (STAT#<scope>#<id>, DAY#<day>#<shard>)', fields: general('scope', 'day', 'groups', 'applied', 'version', 'updatedAt') },
  ],
};

export interface ClassificationRow {
  readonly table: TableName;
  readonly item: string;
  /** The stricter class of the item's fields. */
  readonly recordClass: DataClass;
  readonly fields: number;
  readonly important: number;
  readonly core: number;
}

export const recordClassOf = (item: ItemClassification): DataClass => Object.values(item.fields).reduce<DataClass>((acc, f) => stricterClass(acc, f.class), 'GENERAL');

export function classificationRows(): ClassificationRow[] {
  return (Object.keys(tables) as TableName[]).flatMap((table) =>
    CLASSIFICATION[table].map((item) => {
      const classes = Object.values(item.fields).map((f) => f.class);
      return { table, item: item.item, recordClass: recordClassOf(item), fields: classes.length, important: classes.filter((c) => c === 'IMPORTANT').length, core: classes.filter((c) => c === 'CORE').length };
    }),
  );
}

/** The paths of every field of every filing input schema (zod), `[]` for array elements: what FILING_CONTENT_FIELDS must cover. */
export function filingInputFieldPaths(schemas: readonly unknown[] = Object.values(filingInputSchemas)): string[] {
  const out = new Set<string>();
  const walk = (schema: unknown, prefix: string): void => {
    let type = schema as { def?: { type?: string; innerType?: unknown; in?: unknown; shape?: Record<string, unknown>; element?: unknown } };
    while (type?.def?.innerType !== undefined || type?.def?.in !== undefined) type = (type.def.innerType ?? type.def.in) as typeof type;
    if (type?.def?.type === 'object' && type.def.shape) {
      for (const [key, value] of Object.entries(type.def.shape)) walk(value, prefix ? `${prefix}.${key}` : key);
      return;
    }
    if (type?.def?.type === 'array') return walk(type.def.element, `${prefix}[]`);
    out.add(prefix);
  };
  for (const schema of schemas) walk(schema, '');
  return [...out].sort();
}

/** The generated Markdown table (docs/data-classification.md). */
export function classificationMarkdown(): string {
  const lines = [
    '# Data classification',
    '',
    'Generated from `schemas/classification.ts` by `npm run docs:classification`; do not edit by hand (a test compares).',
    '',
    `Classes (004 第九条): ${DATA_CLASSES.join(' / ')}. A record takes the stricter class of its fields (004 第十二条). Why each class: see the TSDoc of \`schemas/classification.ts\`.`,
    '',
    '## Records',
    '',
    '| table | item | record class | fields | important | core |',
    '|---|---|---|---|---|---|',
    ...classificationRows().map((r) => `| ${r.table} | ${r.item} | ${r.recordClass} | ${r.fields} | ${r.important} | ${r.core} |`),
    '',
    '## Fields (IMPORTANT and CORE)',
    '',
    '| table | item | field | class | why |',
    '|---|---|---|---|---|',
  ];
  for (const table of Object.keys(tables) as TableName[]) {
    for (const item of CLASSIFICATION[table]) {
      for (const [field, cls] of Object.entries(item.fields)) {
        if (cls.class !== 'GENERAL') lines.push(`| ${table} | ${item.item} | \`${field}\` | ${cls.class} | ${cls.why ?? ''} |`);
      }
    }
  }
  lines.push('', 'Every other declared field is GENERAL: ids, codes, times, counters, statuses, audit entries (ids and codes only).', '');
  return lines.join('\n');
}
