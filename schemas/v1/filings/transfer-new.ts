/**
 * TRANSFER_NEW (转移登记（新建商品房）): a developer transfers a new home to its buyers (002 三(一)6).
 * The seller is the filing developer itself, so it is not repeated here; an advance notice on the unit
 * blocks transfer to anyone but its holder (intake, DESIGN.md §3).
 */
import { z } from 'zod';
import { moneySchema } from '../../identifiers';
import { contractNoSchema, filingHeader, materialsSchemaFor, personListSchema } from './parties';

export const transferNewFilingSchema = z
  .strictObject({
    ...filingHeader('TRANSFER_NEW'),
    buyers: personListSchema('buyers'),
    contractNo: contractNoSchema,
    price: moneySchema.meta({ description: 'Contract price: integer fen as a number, or yuan as a decimal string.' }),
    materials: materialsSchemaFor('TRANSFER_NEW'),
  })
  .transform(({ price, ...rest }) => ({ ...rest, priceFen: price }));

export type TransferNewFilingInput = z.input<typeof transferNewFilingSchema>;
export type TransferNewFiling = z.output<typeof transferNewFilingSchema>;
