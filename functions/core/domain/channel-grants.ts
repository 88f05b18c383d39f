/**
 * What a channel may file (002 三(一)6): the business types of its institution's kind, narrowed by the
 * channel's own grant, in the districts it is granted. Checked on every submission.
 */
import { BUSINESS_TYPES_BY_INSTITUTION, isBusinessType, type BusinessType } from './business-types';
import { forbidden, unprocessable } from './errors';
import type { Channel } from '../ports';

export function channelMayFile(channel: Channel, type: BusinessType): boolean {
  return BUSINESS_TYPES_BY_INSTITUTION[channel.institutionType].includes(type) && channel.allowedBusinessTypes.includes(type);
}

export function channelMayFileIn(channel: Channel, district: string): boolean {
  return channel.allowedDistricts.includes(district);
}

const typeOf = (raw: unknown): unknown =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>).businessType : undefined;

/** The positions of the filings naming a business type that does not exist, and of those naming one this channel may not file. */
export function batchBusinessTypeProblems(channel: Channel, rawFilings: readonly unknown[]): { readonly unknown: number[]; readonly notPermitted: number[] } {
  const unknown: number[] = [];
  const notPermitted: number[] = [];
  rawFilings.forEach((raw, index) => {
    const type = typeOf(raw);
    if (type === undefined) return;
    if (!isBusinessType(type)) unknown.push(index);
    else if (!channelMayFile(channel, type)) notPermitted.push(index);
  });
  return { unknown, notPermitted };
}

/**
 * Refuses the whole batch when any filing names a business type that does not exist or that this channel
 * may not file. These are integration errors of the filer's
 * software rather than data errors of one filing, so nothing of the batch is stored. A filing without
 * a business type is left to per-item validation.
 */
export function assertBatchBusinessTypes(channel: Channel, rawFilings: readonly unknown[]): void {
  const { unknown, notPermitted } = batchBusinessTypeProblems(channel, rawFilings);
  if (unknown.length > 0) {
    throw unprocessable('UNKNOWN_BUSINESS_TYPE', `Filings at indexes ${unknown.join(', ')} name an unknown business type.`, { indexes: unknown });
  }
  if (notPermitted.length > 0) {
    throw forbidden('BUSINESS_TYPE_NOT_PERMITTED', `This channel may not file the business type of the filings at indexes ${notPermitted.join(', ')}.`, {
      indexes: notPermitted,
    });
  }
}

/**
 * The mortgagee of a mortgage filing is the filing institution itself (DESIGN.md §3): its USCC must be the
 * one of the channel's institution record; a filing naming another bank is out of scope. The stored
 * filing names the institution as recorded, never the name in the body.
 */
export function mortgageeIsFiler(channel: Channel, input: { readonly businessType: string; readonly mortgagee?: { readonly uscc: string } }): boolean {
  if (input.businessType !== 'MORTGAGE_CREATE' && input.businessType !== 'PRESALE_MORTGAGE_NOTICE') return true;
  return input.mortgagee?.uscc.toUpperCase() === channel.uscc.toUpperCase();
}
