/**
 * Synthetic demo data for the local runtime: two districts of Jinan, a register of 1,200 units with
 * owners (some co-owned, some mortgaged, some seized) and three demo institutions, the bank with two branch
 * channels (DESIGN.md §4 "Who is scored": one channel per branch, each with its own key and grants). Generated from a
 * fixed seed, so the demo and the bench can regenerate the same plaintext owners to file against,
 * while the runtime stores them only sealed. All people are fictional; ID numbers are well-formed
 * (valid check digits) but belong to no one.
 */
import { residentIdCheckChar, usccCheckChar } from '../../../schemas/identifiers';
import type { BusinessType, InstitutionType } from '../../../functions/core/domain/business-types';
import { BUSINESS_TYPES_BY_INSTITUTION } from '../../../functions/core/domain/business-types';
import { STAFF_ROLES, type StaffRole } from '../../../functions/core/domain/staff';

export const DEMO_DISTRICTS = { '370102': '历下区', '370103': '市中区' } as const;
export type DemoDistrict = keyof typeof DEMO_DISTRICTS;

export interface DemoPerson {
  readonly name: string;
  readonly idNumber: string;
  readonly phone: string;
}

export interface DemoUnit {
  readonly unitCode: string;
  readonly district: DemoDistrict;
  readonly address: string;
  readonly areaM2: string;
  readonly owners: readonly DemoPerson[];
  readonly mortgages: readonly { mortgageId: string; holderInstitutionId: string; amountFen: string }[];
  readonly seized: boolean;
}

/** A demo channel and its institution (an institution with branches has one entry per branch channel). */
export interface DemoInstitution {
  readonly institutionId: string;
  readonly name: string;
  readonly type: InstitutionType;
  readonly uscc: string;
  readonly channelId: string;
  /** The branch (网点) the channel files from, for an institution with several channels. */
  readonly branchName?: string;
  readonly allowedDistricts: readonly DemoDistrict[];
  readonly allowedBusinessTypes: readonly BusinessType[];
}

/** mulberry32: a tiny deterministic PRNG; quality is ample for synthetic data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鑫博文昊宇轩浩然子涵梓萱欣怡晨阳思远雨桐佳琪一鸣建国海峰志强丽娟淑珍德胜';

const pick = <T>(rand: () => number, items: ArrayLike<T>): T => items[Math.floor(rand() * items.length)]!;
const digits = (rand: () => number, count: number): string => Array.from({ length: count }, () => String(Math.floor(rand() * 10))).join('');
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function person(rand: () => number, district: string): DemoPerson {
  const givenLength = rand() < 0.6 ? 2 : 1;
  const name = pick(rand, SURNAMES) + Array.from({ length: givenLength }, () => pick(rand, GIVEN)).join('');
  const year = 1955 + Math.floor(rand() * 45);
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  const first17 = `${district}${year}${pad(month, 2)}${pad(day, 2)}${digits(rand, 3)}`;
  return { name, idNumber: first17 + residentIdCheckChar(first17), phone: `1${pick(rand, '3578')}${digits(rand, 9)}` };
}

function uscc(rand: () => number, region: string): string {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY';
  const first17 = `91${region}${Array.from({ length: 9 }, () => pick(rand, chars)).join('')}`;
  return first17 + usccCheckChar(first17);
}

const SEED = 20_260_701;
export const UNITS_PER_DISTRICT = 600;
const UNITS_PER_PARCEL = 30;

let registerCache: DemoUnit[] | undefined;
let institutionsCache: DemoInstitution[] | undefined;

/** What integrators are told about a demo channel, in credentials.json and sandbox.json alike. */
export const channelFacts = (institution: DemoInstitution) => ({
  channelId: institution.channelId,
  institutionId: institution.institutionId,
  institutionName: institution.name,
  institutionType: institution.type,
  ...(institution.branchName !== undefined ? { branchName: institution.branchName } : {}),
  uscc: institution.uscc,
  allowedDistricts: institution.allowedDistricts,
  allowedBusinessTypes: institution.allowedBusinessTypes,
});

/** The demo bank's second branch channel: the same institution (id, name, USCC), its own key, one district. */
export const DEMO_BANK_BRANCH = { channelId: 'ch-bank-branch-shizhong', branchName: '齐鲁示范银行济南市中支行', allowedDistricts: ['370103'] } as const;

/**
 * The demo channels: the bank's first branch (`ch-bank-demo`, the bank's channel since the first demo),
 * then its second branch, the developer and the agency. Every "the demo bank" look-up (`find` by type,
 * `[0]`) finds the first branch; code that iterates them all sees both bank channels.
 */
export function demoInstitutions(): DemoInstitution[] {
  if (institutionsCache) return institutionsCache;
  const rand = prng(SEED + 1);
  const make = (institutionId: string, name: string, type: InstitutionType, channelId: string, allowedDistricts: DemoDistrict[]): DemoInstitution => ({
    institutionId,
    name,
    type,
    uscc: uscc(rand, '370100'),
    channelId,
    allowedDistricts,
    allowedBusinessTypes: BUSINESS_TYPES_BY_INSTITUTION[type],
  });
  // One draw per institution, in this order (the USCCs, and everything seeded from them, stay as they were):
  // the branch takes the bank's institution and USCC, it draws nothing.
  const bank = make('INST-BANK-QLDEMO', '齐鲁示范银行', 'BANK', 'ch-bank-demo', ['370102', '370103']);
  const developer = make('INST-DEV-QUANCHENG', '泉城示范置业有限公司', 'DEVELOPER', 'ch-developer-demo', ['370102']);
  const agency = make('INST-AGENCY-HUASHAN', '华山示范房地产经纪有限公司', 'AGENCY', 'ch-agency-demo', ['370102', '370103']);
  institutionsCache = [
    { ...bank, branchName: '齐鲁示范银行济南历下支行' },
    { ...bank, channelId: DEMO_BANK_BRANCH.channelId, branchName: DEMO_BANK_BRANCH.branchName, allowedDistricts: [...DEMO_BANK_BRANCH.allowedDistricts] },
    developer,
    agency,
  ];
  return institutionsCache;
}

/** The court of every demo seizure, and the ids of seizures and presale notices (the sandbox shows them). */
export const SEIZURE_COURT = '济南市示范区人民法院';
export const seizureIdOf = (unitCode: string): string => `S${unitCode.slice(-12)}`;
export const noticeIdOf = (unitCode: string): string => `N${unitCode.slice(-12)}`;

/** Another bank that holds some demo mortgages but has no demo channel. */
export const OTHER_BANK_ID = 'INST-BANK-OTHER';

export function demoRegister(): DemoUnit[] {
  if (registerCache) return registerCache;
  const rand = prng(SEED);
  const bankId = demoInstitutions()[0]!.institutionId;
  const units: DemoUnit[] = [];
  for (const [district, districtName] of Object.entries(DEMO_DISTRICTS) as [DemoDistrict, string][]) {
    for (let i = 0; i < UNITS_PER_DISTRICT; i += 1) {
      const parcel = Math.floor(i / UNITS_PER_PARCEL) + 1;
      const building = Math.floor((i % UNITS_PER_PARCEL) / 10) + 1;
      const room = ((i % 10) + 1) * 100 + 1 + (i % 3);
      const unitCode = `${district}001001GB${pad(parcel, 5)}F${pad(building, 4)}${pad(room, 4)}`;
      const ownerCount = rand() < 0.25 ? 2 : 1;
      const owners = Array.from({ length: ownerCount }, () => person(rand, district));
      const mortgaged = rand() < 0.25;
      const mortgages = mortgaged
        ? [{ mortgageId: `M${unitCode.slice(-12)}`, holderInstitutionId: rand() < 0.5 ? bankId : OTHER_BANK_ID, amountFen: String((50 + Math.floor(rand() * 250)) * 1_000_000) }]
        : [];
      units.push({
        unitCode,
        district,
        address: `济南市${districtName}示范路${parcel}号${building}号楼${room}室`,
        areaM2: (60 + rand() * 90).toFixed(2),
        owners,
        mortgages,
        seized: rand() < 0.05,
      });
    }
  }
  registerCache = units;
  return units;
}

/** A demo staff account; its password is generated at seeding and written to the credentials file. */
export interface DemoStaff {
  readonly staffId: string;
  readonly username: string;
  readonly displayName: string;
  readonly role: StaffRole;
  readonly district: DemoDistrict;
}

const STAFF_ROLE_LABELS: Readonly<Record<StaffRole, string>> = {
  CLERK: '受理员',
  REVIEWER: '审核员',
  REGISTRAR: '登簿员',
  CREDIT_OFFICER: '信用监管员',
  AUDITOR: '审计员',
  ADMIN: '管理员',
};

/** One account per role in each demo district, e.g. `clerk.370102`, `credit_officer.370103`. */
export function demoStaff(): DemoStaff[] {
  return (Object.entries(DEMO_DISTRICTS) as [DemoDistrict, string][]).flatMap(([district, districtName]) =>
    STAFF_ROLES.map((role) => ({
      staffId: `stf-${district}-${role.toLowerCase().replaceAll('_', '-')}`,
      username: `${role.toLowerCase()}.${district}`,
      displayName: `${districtName}${STAFF_ROLE_LABELS[role]}（演示）`,
      role,
      district,
    })),
  );
}
