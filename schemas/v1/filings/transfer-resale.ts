/**
 * TRANSFER_RESALE (转移登记（存量房）): an agency files the transfer of a resold home from its owners
 * to its buyers (002 二(一)2, 三(一)6). Intake checks that the sellers are the registered owners.
 */
import { z } from 'zod';
import { moneySchema } from '../../identifiers';
import { contractNoSchema, filingHeader, idKeyOf, issueAt, materialsSchemaFor, personListSchema } from './parties';

/** The (index, normalised ID number) of each entry of a list that may not be well-formed yet. */
function idKeys(list: unknown): [number, string][] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((person: unknown, i: number): [number, string][] => {
    const key = idKeyOf(person);
    return key === undefined ? [] : [[i, key]];
  });
}

export const transferResaleFilingSchema = z
  .strictObject({
    ...filingHeader('TRANSFER_RESALE'),
    sellers: personListSchema('sellers'),
    buyers: personListSchema('buyers'),
    contractNo: contractNoSchema,
    price: moneySchema.meta({ description: 'Contract price: integer fen as a number, or yuan as a decimal string.' }),
    materials: materialsSchemaFor('TRANSFER_RESALE'),
  })
  .superRefine(
    (filing, ctx) => {
      // Nobody sells to themselves: a person on both sides is reported at the buyer's ID number.
      const { sellers, buyers } = filing as { sellers?: unknown; buyers?: unknown };
      const sellerIds = new Set(idKeys(sellers).map(([, key]) => key));
      for (const [i, key] of idKeys(buyers)) {
        if (sellerIds.has(key)) {
          ctx.addIssue(issueAt(['buyers', i, 'idNumber'], 'PARTY_BOTH_SIDES', 'The same person is listed both as a seller and as a buyer.'));
        }
      }
    },
    // Runs even when other fields failed, so the filer gets every error in one answer.
    { when: (payload) => typeof payload.value === 'object' && payload.value !== null },
  )
  .transform(({ price, ...rest }) => ({ ...rest, priceFen: price }));

export type TransferResaleFilingInput = z.input<typeof transferResaleFilingSchema>;
export type TransferResaleFiling = z.output<typeof transferResaleFilingSchema>;
