/**
 * PRESALE_NOTICE (预购商品房预告登记): advance notice protecting presale buyers (002 三(一)6), filed by
 * the developer or an agency. The seller is the developer; the contract is confirmed with the
 * housing-trading department during coordination (DESIGN.md §3).
 */
import { z } from 'zod';
import { moneySchema } from '../../identifiers';
import { contractNoSchema, filingHeader, materialsSchemaFor, organisationSchema, personListSchema } from './parties';

export const presaleNoticeFilingSchema = z
  .strictObject({
    ...filingHeader('PRESALE_NOTICE'),
    buyers: personListSchema('buyers'),
    seller: organisationSchema.meta({ description: 'The developer selling the presold home.' }),
    contractNo: contractNoSchema,
    price: moneySchema.meta({ description: 'Contract price: integer fen as a number, or yuan as a decimal string.' }),
    materials: materialsSchemaFor('PRESALE_NOTICE'),
  })
  .transform(({ price, ...rest }) => ({ ...rest, priceFen: price }));

export type PresaleNoticeFilingInput = z.input<typeof presaleNoticeFilingSchema>;
export type PresaleNoticeFiling = z.output<typeof presaleNoticeFilingSchema>;
